"""Browser views: the notifications page, opening and marking reminders read, the user's delivery
preference, and a panel's deadline settings (its coordinator)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView, TemplateView, UpdateView, View

from agencies.access import Action, RestrictedViewMixin, get_restricted_object
from agencies.access.views import RestrictedObjectFormView
from agencies.models import Panel, PanelReminderSettings, User
from audit.models import AuditEvent
from audit.reads import client_ip
from audit.services import record

from . import services
from .calendar import events_of, feed_user, ical, new_feed_secret
from .deadlines import kind_of
from .forms import PanelReminderSettingsForm, ReminderPreferencesForm
from .models import CalendarFeed, Reminder
from .unread import unread_count

__all__ = [
    "CalendarFeedView",
    "CalendarSecretView",
    "CalendarView",
    "PanelReminderSettingsView",
    "ReminderListView",
    "ReminderOpenView",
    "ReminderPreferencesView",
    "ReminderReadAllView",
    "ReminderReadView",
    "UnreadCountView",
]


class ReminderListView(RestrictedViewMixin, ListView[Reminder]):
    """The user's reminders, newest first, unread highlighted."""

    # The case reference only: the recipient may see the case (the rule), and a reference names no one.
    queryset = Reminder.objects.select_related("content_type").defer_case_content()
    template_name = "reminders/reminder_list.html"
    context_object_name = "reminders"
    paginate_by = 50

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The header's count agrees with the list below it: counted afresh here (reminders.unread).
        request.unread_fresh = True  # type: ignore[attr-defined]
        return super().get(request, *args, **kwargs)


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
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        services.save_panel_settings(self.object, changed, actor=self.actor)
        messages.success(self.request, _("The panel's deadlines are saved."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class CalendarView(RestrictedViewMixin, TemplateView):
    """The user's calendar: planned visits (next contacts agreed) and panel meetings, and the
    address of their iCal feed (decision 92)."""

    queryset = CalendarFeed.objects.all()
    template_name = "reminders/calendar.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {**context, "events": events_of(self.actor), "has_feed": self.queryset.exists()}


@method_decorator(require_POST, name="dispatch")
class CalendarSecretView(RestrictedViewMixin, TemplateView):
    """Make a new address for the user's feed: shown once, the old one stops working."""

    queryset = CalendarFeed.objects.all()
    action = Action.CHANGE
    template_name = "reminders/calendar.html"

    def post(self, request: HttpRequest) -> HttpResponse:
        secret = new_feed_secret(self.actor)
        feed_url = request.build_absolute_uri(reverse("reminders:calendar_feed", kwargs={"secret": secret}))
        context = self.get_context_data(events=events_of(self.actor), has_feed=True, feed_url=feed_url)
        response = self.render_to_response(context)
        response["Cache-Control"] = "no-store"
        return response


class CalendarFeedView(View):
    """The iCal feed, opened by its secret alone (a calendar app signs in with nothing else): a
    wrong or retired secret is a 404. No family's name is in it (decision 92)."""

    def get(self, request: HttpRequest, secret: str) -> HttpResponse:
        user = feed_user(secret)
        if user is None:
            raise Http404
        events = events_of(user)
        with translation.override(user.language or None):
            body = ical(events, request.build_absolute_uri("/").rstrip("/"))
        # The feed is read without a session, so the audit middleware does not see it: recorded here,
        # without the secret in the path.
        record(
            AuditEvent.Action.LIST_READ,
            actor=user,
            ip_address=client_ip(request),
            path=request.path[:500].replace(secret, "…"),
            model="reminders.calendar_feed",
            events=[event.uid for event in events],
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        return response


class UnreadCountView(RestrictedViewMixin, View):
    """The unread count, asked by every open page every few seconds (static/ura/unread.js), so a new
    reminder shows without reloading: one count, restricted, whatever the user has; the badge comes
    rendered in the user's language. The idle time-out does not count it as activity."""

    queryset = Reminder.objects.all()

    def get(self, request: HttpRequest) -> HttpResponse:
        count = unread_count(self.actor)
        badge = render_to_string("reminders/_unread_badge.html", {"unread_reminders": count}, request=request)
        response = JsonResponse({"count": count, "badge": badge})
        response["Cache-Control"] = "private, no-store"
        return response
