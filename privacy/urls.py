"""The /privacy/ pages: subject access requests and retention reviews (the DPO's)."""

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("requests/", views.SubjectAccessListView.as_view(), name="sar_list"),
    path("requests/new/<int:person>/", views.SubjectAccessCreateView.as_view(), name="sar_create"),
    path("requests/<int:pk>/", views.SubjectAccessView.as_view(), name="sar"),
    path("requests/<int:pk>/export/", views.SubjectAccessExportView.as_view(), name="sar_export"),
    path("requests/<int:pk>/complete/", views.SubjectAccessCompleteView.as_view(), name="sar_complete"),
    path("retention/", views.RetentionListView.as_view(), name="retention_list"),
    path("retention/<slug:record_class>/<int:pk>/", views.RetentionDecideView.as_view(), name="retention_decide"),
]
