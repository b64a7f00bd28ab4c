from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.AuditSearchView.as_view(), name="auditevent_list"),
    path("break-glass/", views.BreakGlassView.as_view(), name="break_glass"),
    path("break-glass/report/", views.BreakGlassReportView.as_view(), name="breakglass_report"),
    path("cases/<int:pk>/", views.CaseAccessLogView.as_view(), name="case_access_log"),
]
