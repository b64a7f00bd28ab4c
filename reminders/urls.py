from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("", views.ReminderListView.as_view(), name="reminder_list"),
    path("<int:pk>/", views.ReminderOpenView.as_view(), name="reminder_open"),
    path("<int:pk>/read/", views.ReminderReadView.as_view(), name="reminder_read"),
    path("unread/", views.UnreadCountView.as_view(), name="unread_count"),
    path("read-all/", views.ReminderReadAllView.as_view(), name="reminder_read_all"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("calendar/new-address/", views.CalendarSecretView.as_view(), name="calendar_secret"),
    path("calendar/<str:secret>.ics", views.CalendarFeedView.as_view(), name="calendar_feed"),
    path("preferences/", views.ReminderPreferencesView.as_view(), name="preferences"),
    path("panels/<int:pk>/", views.PanelReminderSettingsView.as_view(), name="panel_settings"),
]
