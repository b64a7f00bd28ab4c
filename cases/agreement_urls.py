"""The register of information-sharing agreements (namespace `agreements`, under `/agreements/`)."""

from django.urls import path

from . import agreement_views as views

app_name = "agreements"

urlpatterns = [
    path("", views.AgreementListView.as_view(), name="agreement_list"),
    path("new/", views.AgreementCreateView.as_view(), name="agreement_create"),
    path("protocol/", views.ProtocolView.as_view(), name="protocol"),
    path("<int:pk>/", views.AgreementView.as_view(), name="agreement"),
    path("<int:pk>/edit/", views.AgreementEditView.as_view(), name="agreement_edit"),
    path("<int:pk>/document/", views.AgreementDocumentView.as_view(), name="agreement_document"),
]
