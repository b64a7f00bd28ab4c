from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.ReferralListView.as_view(), name="referral_list"),
    path("new/", views.ReferralCreateView.as_view(), name="referral_create"),
    path("matches/", views.MatchesView.as_view(), name="matches"),
    path("<int:pk>/", views.ReferralView.as_view(), name="referral"),
    path("<int:pk>/triage/", views.TriageView.as_view(), name="referral_triage"),
    path("<int:pk>/add-to/", views.AddToEarlierView.as_view(), name="referral_add_to"),
    path("<int:pk>/feedback/", views.FeedbackView.as_view(), name="referral_feedback"),
]
