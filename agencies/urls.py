from django.urls import path

from . import views

app_name = "agencies"

urlpatterns = [
    path("", views.PanelListView.as_view(), name="panel_list"),
    path("<int:pk>/", views.PanelCaseListView.as_view(), name="panel"),
]
