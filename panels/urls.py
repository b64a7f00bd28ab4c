"""The /panels/ pages: panels, their meetings and agendas, and the partner directory."""

from django.urls import path

from . import views

app_name = "panels"

urlpatterns = [
    path("", views.PanelListView.as_view(), name="panel_list"),
    # "<int:pk>/" (panels:panel), the panel's page, is composed above (pages.views.PanelView).
    path("<int:pk>/settings/", views.PanelSettingsView.as_view(), name="panel_settings"),
    path("<int:pk>/meetings/new/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", views.MeetingView.as_view(), name="meeting"),
    path("meetings/<int:pk>/agenda/", views.MeetingAgendaView.as_view(), name="meeting_agenda"),
    path("meetings/<int:pk>/acknowledge/", views.AcknowledgeView.as_view(), name="meeting_acknowledge"),
    path("meetings/<int:pk>/attendance/", views.AttendanceView.as_view(), name="meeting_attendance"),
    path("meetings/<int:pk>/register/", views.RegisterView.as_view(), name="meeting_register"),
    path("meetings/<int:pk>/rebuild/", views.RebuildAgendaView.as_view(), name="meeting_rebuild"),
    path("meetings/<int:pk>/add-case/", views.AgendaCaseView.as_view(), name="meeting_add_case"),
    path("meetings/<int:pk>/close/", views.CloseMeetingView.as_view(), name="meeting_close"),
    path("meetings/<int:meeting_pk>/items/<int:pk>/decide/", views.DecideView.as_view(), name="agendaitem_decide"),
    path("meetings/<int:meeting_pk>/items/<int:pk>/decline/", views.DeclineView.as_view(), name="agendaitem_decline"),
    path("people/", views.DirectoryView.as_view(), name="directory"),
    path("people/<int:pk>/reassign/", views.ReassignCaseloadView.as_view(), name="reassign"),
    path("people/reassignments/<int:pk>/", views.ReassignmentJobView.as_view(), name="reassignment"),
]
