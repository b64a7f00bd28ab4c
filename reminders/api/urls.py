from agencies.api.routers import ApiRouter

from .views import ReminderViewSet

app_name = "reminders-api"

router = ApiRouter()
router.register("reminders", ReminderViewSet)
urlpatterns = router.urls
