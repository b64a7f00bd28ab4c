from agencies.api.routers import ApiRouter

from .views import LessonsLearnedViewSet, StatsViewSet

app_name = "stats-api"

router = ApiRouter()
router.register("stats", StatsViewSet, basename="stats")
router.register("lessons-learned", LessonsLearnedViewSet)
urlpatterns = router.urls
