from django.urls import path

from agencies.api.routers import ApiRouter

from .views import PanelReminderSettingsViewSet, ReminderViewSet

app_name = "reminders-api"

router = ApiRouter()
router.register("reminders", ReminderViewSet)
# The panel's own deadlines, beside the panel (its page is `reminders:panel_settings`).
panel_settings = PanelReminderSettingsViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
urlpatterns = [
    path("panels/<int:pk>/reminder-settings/", panel_settings, name="panel-reminder-settings"),
    *router.urls,
]
