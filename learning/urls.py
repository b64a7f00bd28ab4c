from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("library/", views.LibraryView.as_view(), name="library"),
    path("library/new/", views.ResourceAddView.as_view(), name="resource_add"),
    path("library/<int:pk>/download/", views.ResourceDownloadView.as_view(), name="resource_download"),
    path("library/<int:pk>/remove/", views.ResourceRemoveView.as_view(), name="resource_remove"),
    path("training/", views.TrainingView.as_view(), name="training"),
    path("training/new/", views.TrainingAddView.as_view(), name="training_add"),
]
