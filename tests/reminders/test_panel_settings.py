"""A panel's deadlines, "no contact for N days" by risk level among them: set by the panel's
coordinator on the panel's page or through the API, checked the same way, recorded with what
changed (decisions 132, 143)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Panel, PanelReminderSettings, User
from audit.models import AuditEvent
from tests.conftest import api_as, member
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

PAGE_DEFAULTS = {
    "triage_hours": 24, "first_contact_days": 7, "needs_assessment_working_days": 45, "review_months": 3,
    "agenda_notice_days": 2, "due_soon_days": 2, "escalate_after_days": 3, "silence_days": 42,
    "no_contact_days_critical": 7, "no_contact_days_high": 14, "no_contact_days_moderate": 28,
    "no_contact_days_low": 56,
}  # fmt: skip


def _url(panel: Panel) -> str:
    return reverse("reminders-api:panel-reminder-settings", args=[panel.pk])


def _changes(panel: Panel) -> list[Any]:
    events = AuditEvent.objects.filter(action=AuditEvent.Action.PANEL_CHANGED, object_id=str(panel.pk))
    return [event.data["reminder_settings"] for event in events.order_by("pk")]


def test_the_coordinator_sets_the_no_contact_days_through_the_api(coordinator: User, panel: Panel) -> None:
    api = api_as(coordinator)
    # given a panel that set no deadlines: the API answers the defaults
    before = api.get(_url(panel))
    assert before.status_code == 200
    assert before.json()["no_contact_days_high"] == 14 and before.json()["updated_at"] is None
    # when the coordinator shortens the days a family at high risk may go without contact
    response = api.patch(_url(panel), {"no_contact_days_high": 10, "no_contact_days_critical": 5}, format="json")
    # then they are the panel's, the others stay as they were, and the change is recorded
    assert response.status_code == 200, response.content
    assert response.json()["no_contact_days_high"] == 10 and response.json()["silence_days"] == 42
    timing = PanelReminderSettings.timing_for(panel.pk)
    assert (timing.no_contact_days("high"), timing.no_contact_days("critical"), timing.no_contact_days("low")) == (
        10,
        5,
        56,
    )
    assert _changes(panel) == [{"no_contact_days_critical": [7, 5], "no_contact_days_high": [14, 10]}]
    # and the panel's page shows what the API set
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("reminders:panel_settings", args=[panel.pk])).content.decode()
    assert 'name="no_contact_days_high" value="10"' in page


def test_the_page_s_change_is_recorded_as_the_api_s(coordinator: User, panel: Panel) -> None:
    client = Client()
    client.force_login(coordinator)
    response = client.post(
        reverse("reminders:panel_settings", args=[panel.pk]), {**PAGE_DEFAULTS, "no_contact_days_low": 40}
    )
    assert response.status_code == 302
    assert _changes(panel) == [{"no_contact_days_low": [56, 40]}]
    assert api_as(coordinator).get(_url(panel)).json()["no_contact_days_low"] == 40


def test_only_the_coordinator_reads_or_sets_a_panels_deadlines(panel: Panel, panel_member: User) -> None:
    stranger = member(AgencyFactory(name="Housing office"), username="stranger")
    # a member of the panel may not (as on the page), anyone else does not find the panel
    for user, status in ((panel_member, 403), (stranger, 404)):
        api = api_as(user)
        assert api.get(_url(panel)).status_code == status
        assert api.patch(_url(panel), {"no_contact_days_high": 1}, format="json").status_code == status
    assert (
        api_as(panel_member).get(reverse("reminders-api:panel-reminder-settings", args=[panel.pk + 99])).status_code
        == 404
    )
    assert not PanelReminderSettings.objects.exists() and _changes(panel) == []


@pytest.mark.parametrize(
    ("body", "field", "albanian"),
    [
        ({"no_contact_days_critical": 0}, "no_contact_days_critical", "Jepni një numër jo më të vogël se 1."),
        ({"triage_hours": "a day"}, "triage_hours", "Jepni një numër të plotë."),
        ({"no_contact_days_low": 40000}, "no_contact_days_low", "Jepni një numër jo më të madh se 32767."),
        ({"escalate_after_days": 40}, "escalate_after_days", "Përshkallëzoni brenda 29 ditëve nga afati."),
    ],
)
def test_a_refused_deadline_is_answered_in_the_users_language_and_nothing_is_saved(
    coordinator: User, panel: Panel, body: dict[str, Any], field: str, albanian: str
) -> None:
    api = api_as(coordinator)
    api.credentials(HTTP_ACCEPT_LANGUAGE="sq")
    response = api.patch(_url(panel), {"no_contact_days_high": 10, **body}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()[field] == [albanian]
    assert not PanelReminderSettings.objects.exists() and _changes(panel) == []


def test_the_page_refuses_an_escalation_the_sweep_cannot_reach_as_the_api_does(coordinator: User, panel: Panel) -> None:
    # the service checks it for both paths: the page shows it on its field, in the user's language
    client = Client(headers={"accept-language": "sq"})
    client.force_login(coordinator)
    response = client.post(
        reverse("reminders:panel_settings", args=[panel.pk]), {**PAGE_DEFAULTS, "escalate_after_days": 40}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["escalate_after_days"] == ["Përshkallëzoni brenda 29 ditëve nga afati."]
    assert not PanelReminderSettings.objects.exists() and _changes(panel) == []


def test_a_change_of_nothing_saves_nothing_and_records_nothing(coordinator: User, panel: Panel) -> None:
    api = api_as(coordinator)
    # an empty PATCH, or one that repeats the defaults, leaves the panel on the defaults
    for body in ({}, {"no_contact_days_high": 14}):
        response = api.patch(_url(panel), body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["updated_at"] is None
    assert not PanelReminderSettings.objects.filter(panel=panel).exists()
    assert _changes(panel) == []
    # and so does saving the page unchanged
    client = Client()
    client.force_login(coordinator)
    assert client.post(reverse("reminders:panel_settings", args=[panel.pk]), PAGE_DEFAULTS).status_code == 302
    assert not PanelReminderSettings.objects.filter(panel=panel).exists() and _changes(panel) == []


def test_two_coordinators_changes_read_at_once_both_stand(coordinator: User, panel: Panel) -> None:
    from reminders import services

    # given the panel's row, read by two requests before either saved
    services.save_panel_settings(panel, {"silence_days": 40}, actor=coordinator)
    # when one sets the high-risk days and the other the low-risk days
    services.save_panel_settings(panel, {"no_contact_days_high": 10}, actor=coordinator)
    services.save_panel_settings(panel, {"no_contact_days_low": 50}, actor=coordinator)
    # then neither undid the other's change
    timing = PanelReminderSettings.timing_for(panel.pk)
    assert (timing.silence_days, timing.no_contact_days("high"), timing.no_contact_days("low")) == (40, 10, 50)
    assert _changes(panel)[-1] == {"no_contact_days_low": [56, 50]}
