from django.urls import path

from . import views

app_name = "interventions"

urlpatterns = [
    path("cases/<int:pk>/plans/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("cases/<int:case_pk>/plans/<int:pk>/start/", views.StartPlanView.as_view(), name="plan_start"),
    path("cases/<int:case_pk>/actions/<int:pk>/status/", views.ActionStatusView.as_view(), name="action_status"),
    path("cases/<int:case_pk>/actions/<int:pk>/refer/", views.ActionReferView.as_view(), name="action_refer"),
    path("cases/<int:pk>/reviews/new/", views.ReviewCreateView.as_view(), name="review_create"),
    path("cases/<int:pk>/withdrawals/new/", views.WithdrawalCreateView.as_view(), name="withdrawal_create"),
    path("cases/<int:pk>/close/", views.ClosureCreateView.as_view(), name="closure_create"),
    path("cases/<int:pk>/reopen/", views.ReopenView.as_view(), name="case_reopen"),
    path("cases/<int:case_pk>/follow-ups/<int:pk>/done/", views.FollowUpDoneView.as_view(), name="followup_done"),
    path("cases/<int:case_pk>/<slug:model_name>/<int:pk>/", views.EntryView.as_view(), name="entry"),
]
