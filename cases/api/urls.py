from django.urls import path

from agencies.api.routers import ApiRouter

from ..entry_kinds import entry_kinds
from . import agreements, entries, family, safety, views

app_name = "cases-api"

router = ApiRouter()
router.register("cases", views.CaseViewSet)
router.register("case-shares", views.CaseShareViewSet)
router.register("disclosure-checks", views.DisclosureCheckViewSet)
router.register("sharing-agreements", agreements.SharingAgreementViewSet)
# One route per kind of entry, from its declaration ("contacts", "needs-assessments"...).
for kind in entry_kinds():
    router.register(kind.route, entries.ENTRY_VIEWSETS[kind.slug])
router.register("case-events", entries.CaseEventViewSet)
router.register("risk-records", entries.RiskRecordViewSet)
router.register("disclosure-restrictions", entries.RestrictionViewSet)
router.register("consents", entries.ConsentViewSet)
router.register("information-requests", entries.InformationRequestViewSet)
router.register("owner-questions", entries.OwnerQuestionViewSet)
router.register("family-members", family.FamilyMemberViewSet, basename="familymember")
router.register("safety-warnings", safety.SafetyWarningViewSet)
router.register("planned-visits", safety.PlannedVisitViewSet)

urlpatterns = [
    path("reassignment-jobs/<int:pk>/", views.ReassignmentJobView.as_view(), name="reassignment-job"),
    path("export-jobs/<int:pk>/", views.ExportJobView.as_view(), name="export-job"),
    path("export-jobs/<int:pk>/file/", views.ExportJobFileView.as_view(), name="export-job-file"),
    *router.urls,
]
