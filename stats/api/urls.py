from agencies.api.routers import ApiRouter

from .views import StatsViewSet

app_name = "stats-api"

router = ApiRouter()
router.register("stats", StatsViewSet, basename="stats")
urlpatterns = router.urls
