from django.urls import path

from . import directory_views, door_views, views

app_name = "referrals"

urlpatterns = [
    path("", views.ReferralListView.as_view(), name="referral_list"),
    path("new/", views.ReferralCreateView.as_view(), name="referral_create"),
    path("matches/", views.MatchesView.as_view(), name="matches"),
    path("families/", views.FamilySuggestionsView.as_view(), name="family_suggestions"),
    path("<int:pk>/", views.ReferralView.as_view(), name="referral"),
    path("<int:pk>/triage/", views.TriageView.as_view(), name="referral_triage"),
    path("<int:pk>/add-to/", views.AddToEarlierView.as_view(), name="referral_add_to"),
    path("<int:pk>/feedback/", views.FeedbackView.as_view(), name="referral_feedback"),
    # The front door (decisions 125 to 127).
    path("front-door/", door_views.FrontDoorView.as_view(), name="front_door"),
    path("sent/", door_views.ReceiptListView.as_view(), name="receipt_list"),
    path("sent/<int:pk>/", door_views.ReceiptView.as_view(), name="receipt"),
    path("deconfliction/", door_views.DeconflictionListView.as_view(), name="deconfliction_list"),
    path("deconfliction/<int:pk>/", door_views.DeconflictionAnswerView.as_view(), name="deconfliction"),
    # Public: no sign-in.
    path("concern/", door_views.PublicConcernView.as_view(), name="public_concern"),
    path("concern/status/", door_views.PublicStatusView.as_view(), name="public_status"),
    # Services out (issue 14): the directory, and referrals to its services.
    path("<int:pk>/refer/", directory_views.TriageReferView.as_view(), name="referral_refer"),
    path("services/", directory_views.ServiceListView.as_view(), name="service_list"),
    path("services/new/", directory_views.ServiceCreateView.as_view(), name="service_create"),
    path("services/<int:pk>/", directory_views.ServiceView.as_view(), name="service"),
    path("services/<int:pk>/edit/", directory_views.ServiceEditView.as_view(), name="service_edit"),
    path("to-services/", directory_views.ServiceReferralListView.as_view(), name="service_referral_list"),
    path("to-services/<int:pk>/", directory_views.ServiceReferralView.as_view(), name="service_referral"),
    path(
        "to-services/<int:pk>/update/",
        directory_views.ServiceReferralUpdateView.as_view(),
        name="service_referral_update",
    ),
]
