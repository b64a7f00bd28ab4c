from rest_framework.routers import DefaultRouter

from .views import ReminderViewSet

app_name = "reminders-api"

router = DefaultRouter()
router.register("reminders", ReminderViewSet)
urlpatterns = router.urls
