from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("<int:pk>/", views.CaseView.as_view(), name="case"),
    path("<int:pk>/share/", views.CaseShareView.as_view(), name="case_share"),
    path("<int:pk>/assign/", views.AssignOwnerView.as_view(), name="case_assign"),
    path("<int:pk>/checks/new/", views.DisclosureCheckView.as_view(), name="disclosurecheck_create"),
    path("<int:case_pk>/shares/<int:pk>/revoke/", views.RevokeShareView.as_view(), name="caseshare_revoke"),
]
