from agencies.api.routers import ApiRouter

from . import network, views

app_name = "panels-api"

router = ApiRouter()
router.register("panels", views.PanelViewSet)
router.register("panel-meetings", views.PanelMeetingViewSet)
router.register("agenda-items", views.AgendaItemViewSet)
router.register("network-organisations", network.NetworkOrganisationViewSet)
router.register("duty-shifts", network.DutyShiftViewSet)
router.register("urgent-meetings", network.UrgentMeetingViewSet, basename="urgent-meeting")
router.register("meeting-topics", network.MeetingTopicViewSet)
router.register("experts", network.ExpertViewSet)
router.register("agency-profiles", network.AgencyProfileViewSet, basename="agency-profile")
router.register("owner-candidates", views.OwnerCandidateViewSet, basename="owner-candidate")

urlpatterns = router.urls
