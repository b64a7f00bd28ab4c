from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("evaluation/", views.EvaluationView.as_view(), name="evaluation"),
    path("evaluation.csv", views.EvaluationExportView.as_view(), name="evaluation_csv"),
    path("report/", views.YearReportView.as_view(), name="year_report"),
    path("report/lessons/<int:pk>/", views.LessonsView.as_view(), name="lessons"),
]
