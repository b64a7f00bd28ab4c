"""The /panels/ pages: panels, their meetings and agendas, and the partner directory."""

from django.urls import path

from . import network_views, views

app_name = "panels"

urlpatterns = [
    path("", views.PanelListView.as_view(), name="panel_list"),
    # "<int:pk>/" (panels:panel), the panel's page, is composed above (pages.views.PanelView).
    path("<int:pk>/settings/", views.PanelSettingsView.as_view(), name="panel_settings"),
    path("<int:pk>/meetings/new/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", views.MeetingView.as_view(), name="meeting"),
    path("meetings/<int:pk>/agenda/", views.MeetingAgendaView.as_view(), name="meeting_agenda"),
    path("meetings/<int:pk>/pack/", views.MeetingPackView.as_view(), name="meeting_pack"),
    path("meetings/<int:pk>/acknowledge/", views.AcknowledgeView.as_view(), name="meeting_acknowledge"),
    path("meetings/<int:pk>/attendance/", views.AttendanceView.as_view(), name="meeting_attendance"),
    path("meetings/<int:pk>/register/", views.RegisterView.as_view(), name="meeting_register"),
    path("meetings/<int:pk>/rebuild/", views.RebuildAgendaView.as_view(), name="meeting_rebuild"),
    path("meetings/<int:pk>/add-case/", views.AgendaCaseView.as_view(), name="meeting_add_case"),
    path("meetings/<int:pk>/cases/", views.MeetingCaseSuggestionsView.as_view(), name="meeting_case_suggestions"),
    path("meetings/<int:pk>/close/", views.CloseMeetingView.as_view(), name="meeting_close"),
    path("meetings/<int:meeting_pk>/items/<int:pk>/decide/", views.DecideView.as_view(), name="agendaitem_decide"),
    path("meetings/<int:meeting_pk>/items/<int:pk>/decline/", views.DeclineView.as_view(), name="agendaitem_decline"),
    path("<int:pk>/network/", network_views.NetworkMapView.as_view(), name="network"),
    path("<int:pk>/network/add/", network_views.NetworkOrganisationCreateView.as_view(), name="network_add"),
    path("network/<int:pk>/remove/", network_views.NetworkOrganisationRemoveView.as_view(), name="network_remove"),
    path("<int:pk>/emergency/", network_views.EmergencyPlanView.as_view(), name="emergency"),
    path("<int:pk>/emergency/edit/", network_views.EmergencyPlanEditView.as_view(), name="emergency_edit"),
    path("<int:pk>/duty/add/", network_views.DutyShiftCreateView.as_view(), name="duty_add"),
    path("duty/<int:pk>/remove/", network_views.DutyShiftRemoveView.as_view(), name="duty_remove"),
    path("<int:pk>/urgent-meeting/", network_views.UrgentMeetingView.as_view(), name="urgent_meeting"),
    path("meetings/<int:pk>/topics/add/", network_views.TopicCreateView.as_view(), name="topic_add"),
    path("topics/<int:pk>/", network_views.TopicOutcomeView.as_view(), name="topic"),
    path("experts/", network_views.ExpertListView.as_view(), name="experts"),
    path("experts/new/", network_views.ExpertCreateView.as_view(), name="expert_create"),
    path("experts/<int:pk>/edit/", network_views.ExpertEditView.as_view(), name="expert_edit"),
    path("agencies/<int:pk>/", network_views.AgencyProfileView.as_view(), name="agency"),
    path("agencies/<int:pk>/edit/", network_views.AgencyProfileEditView.as_view(), name="agency_edit"),
    path("people/", views.DirectoryView.as_view(), name="directory"),
    path("people/<int:pk>/reassign/", views.ReassignCaseloadView.as_view(), name="reassign"),
    path("people/reassignments/<int:pk>/", views.ReassignmentJobView.as_view(), name="reassignment"),
]
