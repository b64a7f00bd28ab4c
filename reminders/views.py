"""Browser views: the notifications page, opening and marking reminders read, the user's delivery
preference, and a panel's deadline settings (its coordinator)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView, UpdateView, View

from agencies.access import Action, RestrictedViewMixin, get_restricted_object
from agencies.access.views import RestrictedObjectFormView
from agencies.models import Panel, PanelReminderSettings, User

from . import services
from .deadlines import kind_of
from .forms import PanelReminderSettingsForm, ReminderPreferencesForm
from .models import Reminder

__all__ = [
    "PanelReminderSettingsView",
    "ReminderListView",
    "ReminderOpenView",
    "ReminderPreferencesView",
    "ReminderReadAllView",
    "ReminderReadView",
]


class ReminderListView(RestrictedViewMixin, ListView[Reminder]):
    """The user's reminders, newest first, unread highlighted."""

    # The case reference only: the recipient may see the case (the rule), and a reference names no one.
    queryset = Reminder.objects.select_related("content_type").defer_case_content()
    template_name = "reminders/reminder_list.html"
    context_object_name = "reminders"
    paginate_by = 50


class ReminderOpenView(RestrictedViewMixin, View):
    """Open what a reminder is about: the link in the e-mail (GET) only leads there; the button on
    the notifications page (POST) also marks it read. A GET changes nothing (decision 60)."""

    queryset = Reminder.objects.select_related("content_type")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        reminder = get_restricted_object(self.queryset, request.user, Action.VIEW, pk=pk)
        return redirect(kind_of(reminder.kind).target(reminder, self.actor))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        reminder = get_restricted_object(self.queryset, request.user, Action.VIEW, pk=pk)
        services.mark_read(reminder, actor=self.actor)
        return redirect(kind_of(reminder.kind).target(reminder, self.actor))


@method_decorator(require_POST, name="dispatch")
class ReminderReadView(RestrictedViewMixin, View):
    queryset = Reminder.objects.all()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        reminder = get_restricted_object(self.queryset, request.user, Action.VIEW, pk=pk)
        services.mark_read(reminder, actor=self.actor)
        return redirect("reminders:reminder_list")


@method_decorator(require_POST, name="dispatch")
class ReminderReadAllView(RestrictedViewMixin, View):
    queryset = Reminder.objects.all()

    def post(self, request: HttpRequest) -> HttpResponse:
        services.mark_all_read(actor=self.actor)
        return redirect("reminders:reminder_list")


@method_decorator(login_required, name="dispatch")
class ReminderPreferencesView(LoginRequiredMixin, UpdateView[User, ReminderPreferencesForm]):
    """How the user's reminders reach their mailbox: one by one, or a daily digest."""

    model = User
    form_class = ReminderPreferencesForm
    template_name = "reminders/preferences_form.html"

    def get_object(self, queryset: Any = None) -> Any:
        return self.request.user

    def get_success_url(self) -> str:
        messages.success(self.request, _("Your reminder preference is saved."))
        return reverse("reminders:reminder_list")


class PanelReminderSettingsView(RestrictedObjectFormView):
    """A panel's deadlines and escalation delay, set by its coordinator (others: 404 or 403)."""

    queryset = Panel.objects.all()
    action = Action.CHANGE
    form_class = PanelReminderSettingsForm
    template_name = "reminders/panel_settings_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = PanelReminderSettings.objects.filter(panel=self.object).first() or PanelReminderSettings(
            panel=self.object
        )
        return kwargs

    def perform(self, form: Any) -> HttpResponse:
        services.save_panel_settings(form.instance, actor=self.actor)
        messages.success(self.request, _("The panel's deadlines are saved."))
        return HttpResponseRedirect(self.object.get_absolute_url())
