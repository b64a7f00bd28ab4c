from rest_framework.routers import DefaultRouter

from . import entries, views

app_name = "cases-api"

router = DefaultRouter()
router.register("cases", views.CaseViewSet)
router.register("case-shares", views.CaseShareViewSet)
router.register("disclosure-checks", views.DisclosureCheckViewSet)
router.register("contacts", entries.ContactViewSet)
router.register("needs-assessments", entries.NeedsAssessmentViewSet)
router.register("security-assessments", entries.SecurityAssessmentViewSet)
router.register("child-needs", entries.ChildNeedsViewSet)
router.register("case-notes", entries.CaseNoteViewSet)
router.register("attachments", entries.AttachmentViewSet)
router.register("case-events", entries.CaseEventViewSet)
router.register("risk-records", entries.RiskRecordViewSet)
router.register("disclosure-restrictions", entries.RestrictionViewSet)
router.register("consents", entries.ConsentViewSet)
router.register("information-requests", entries.InformationRequestViewSet)

urlpatterns = router.urls
