from django.urls import path

from . import views

app_name = "learning-api"

urlpatterns = [
    path("library/", views.LibraryView.as_view(), name="library"),
    path("training/", views.TrainingView.as_view(), name="training"),
]
