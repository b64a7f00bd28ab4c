"""The /audit/ pages: a case's access log, the DPO's search of the trail and break-the-glass.

They keep the `audit` URL namespace of their paths; the trail itself is the `audit` app's.
"""

from django.urls import path

from . import trail_views as views

app_name = "audit"

urlpatterns = [
    path("", views.AuditSearchView.as_view(), name="auditevent_list"),
    path("break-glass/", views.BreakGlassView.as_view(), name="break_glass"),
    path("break-glass/report/", views.BreakGlassReportView.as_view(), name="breakglass_report"),
    path("cases/<int:pk>/", views.CaseAccessLogView.as_view(), name="case_access_log"),
]
