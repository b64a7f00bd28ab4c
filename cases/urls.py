"""The case URLs (namespace `cases`). The case page itself, `cases:case` at `<int:pk>/`, is composed
of sections above every app (`pages.views.CaseView`) and joins these in `settings/urls.py`."""

from django.urls import path

from . import entry_views, export_views, family_views, offline_views, question_views, safety_views, views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("owners/", views.OwnerSuggestionsView.as_view(), name="owner_suggestions"),
    path("agencies/", views.AgencySuggestionsView.as_view(), name="agency_suggestions"),
    path("panels/", views.PanelSuggestionsView.as_view(), name="panel_suggestions"),
    path("candidates/", views.CandidateSuggestionsView.as_view(), name="candidate_suggestions"),
    path("export/", export_views.CaseListExportView.as_view(), name="case_list_export"),
    path("exports/", export_views.ExportListView.as_view(), name="export_list"),
    path("exports/<int:pk>/", export_views.ExportJobView.as_view(), name="export_job"),
    path("exports/<int:pk>/file/", export_views.ExportFileView.as_view(), name="export_file"),
    path("<int:pk>/summary/", export_views.CaseSummaryView.as_view(), name="case_summary"),
    path("<int:pk>/share/", views.CaseShareView.as_view(), name="case_share"),
    path("<int:pk>/grants/", views.CaseGrantsView.as_view(), name="case_grants"),
    path("<int:pk>/grants/<int:grant>/revoke/", views.RevokeGrantView.as_view(), name="grant_revoke"),
    path("<int:pk>/assign/", views.AssignOwnerView.as_view(), name="case_assign"),
    path("<int:pk>/checks/new/", views.DisclosureCheckView.as_view(), name="disclosurecheck_create"),
    path("<int:case_pk>/shares/<int:pk>/revoke/", views.RevokeShareView.as_view(), name="caseshare_revoke"),
    path("<int:pk>/consents/new/", views.ConsentCreateView.as_view(), name="consent_create"),
    path("<int:pk>/consents/<int:consent>/withdraw/", views.ConsentWithdrawView.as_view(), name="consent_withdraw"),
    path("<int:pk>/family/", family_views.FamilyView.as_view(), name="family"),
    path("<int:pk>/family/add/", family_views.MemberAddView.as_view(), name="member_add"),
    path("<int:pk>/family/<int:person>/", family_views.MemberView.as_view(), name="member"),
    path("<int:pk>/family/<int:person>/edit/", family_views.MemberEditView.as_view(), name="member_edit"),
    path("<int:pk>/family/<int:person>/remove/", family_views.MemberRemoveView.as_view(), name="member_remove"),
    path("<int:pk>/family/<int:person>/merge/", family_views.MemberMergeView.as_view(), name="member_merge"),
    path("<int:pk>/timeline/", entry_views.TimelineView.as_view(), name="timeline"),
    path("<int:pk>/changes/", offline_views.ChangesSinceView.as_view(), name="changes_since"),
    path("<int:pk>/stage/", entry_views.MoveStageView.as_view(), name="case_stage"),
    path("<int:pk>/risk/", entry_views.RiskLevelView.as_view(), name="case_risk"),
    path("<int:pk>/key-worker/", entry_views.KeyWorkerView.as_view(), name="case_key_worker"),
    path("<int:pk>/restrictions/new/", entry_views.RestrictionCreateView.as_view(), name="restriction_create"),
    path(
        "<int:case_pk>/restrictions/<int:pk>/lift/",
        entry_views.LiftRestrictionView.as_view(),
        name="restriction_lift",
    ),
    path("<int:pk>/safety/new/", safety_views.SafetyWarningCreateView.as_view(), name="safety_warning_create"),
    path(
        "<int:pk>/safety/<int:warning>/review/",
        safety_views.ReviewSafetyWarningView.as_view(),
        name="safety_warning_review",
    ),
    path("<int:pk>/visits/plan/", safety_views.PlanVisitView.as_view(), name="visit_plan"),
    path("<int:case_pk>/visits/<int:pk>/check-in/", safety_views.CheckInView.as_view(), name="visit_check_in"),
    path("<int:pk>/ask-owner/", question_views.AskOwnerView.as_view(), name="owner_question_create"),
    path(
        "<int:case_pk>/owner-questions/<int:pk>/answer/",
        question_views.AnswerOwnerQuestionView.as_view(),
        name="owner_question_answer",
    ),
    path("<int:pk>/information/ask/", entry_views.AskInformationView.as_view(), name="information_request_create"),
    path(
        "<int:pk>/information/<int:info>/",
        entry_views.InformationRequestView.as_view(),
        name="information_request",
    ),
    path(
        "<int:pk>/information/<int:info>/answer/",
        entry_views.AnswerInformationView.as_view(),
        name="information_request_answer",
    ),
    path("<int:pk>/record/<slug:kind>/", entry_views.EntryCreateView.as_view(), name="entry_create"),
    path("<int:pk>/entries/<slug:kind>/<int:entry>/", entry_views.EntryView.as_view(), name="entry"),
    path("<int:pk>/entries/<slug:kind>/<int:entry>/edit/", entry_views.EntryEditView.as_view(), name="entry_edit"),
    path("<int:pk>/attachments/<int:entry>/file/", entry_views.AttachmentFileView.as_view(), name="attachment_file"),
]
