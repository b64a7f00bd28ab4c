from agencies.api.routers import ApiRouter

from . import views

app_name = "panels-api"

router = ApiRouter()
router.register("panels", views.PanelViewSet)
router.register("panel-meetings", views.PanelMeetingViewSet)
router.register("agenda-items", views.AgendaItemViewSet)
router.register("owner-candidates", views.OwnerCandidateViewSet, basename="owner-candidate")

urlpatterns = router.urls
