from rest_framework.routers import DefaultRouter

from . import views

app_name = "panels-api"

router = DefaultRouter()
router.register("panels", views.PanelViewSet)
router.register("panel-meetings", views.PanelMeetingViewSet)
router.register("agenda-items", views.AgendaItemViewSet)
router.register("owner-candidates", views.OwnerCandidateViewSet, basename="owner-candidate")

urlpatterns = router.urls
