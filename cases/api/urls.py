from django.urls import path

from agencies.api.routers import ApiRouter

from ..entry_kinds import entry_kinds
from . import agreements, entries, family, views

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

urlpatterns = [
    path("reassignment-jobs/<int:pk>/", views.ReassignmentJobView.as_view(), name="reassignment-job"),
    *router.urls,
]
