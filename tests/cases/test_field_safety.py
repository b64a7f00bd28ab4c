"""Safety in the field: a staff-safety warning on a family (its kind for every reader, its detail for
the case team), a visit with the time the visitor expects to be back (no check-in alerts the
visitor, then their supervisor, once each), and the follow-up visit a police action calls for."""

import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.models import Agency, Membership, User
from audit.models import AuditEvent
from cases import services
from cases.models import Case, Contact, PlannedVisit, PoliceAction
from families.models import SafetyWarning
from reminders.models import Reminder
from reminders.sweep import sweep
from tests.conftest import member
from tests.factories import share

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _warn(case: Case, caseworker: User) -> SafetyWarning:
    # given the owner warns visitors of a dog through the page, as a new user would
    response = _signed_in(caseworker).post(
        reverse("cases:safety_warning_create", args=[case.pk]),
        {"kind": "dog", "address": "Rruga e Kavajës 12", "detail": "Qwertz dog bites", "review_on": "01/06/2099"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return SafetyWarning.objects.get(family=case.family)


def test_a_summary_reader_sees_that_a_warning_exists_and_its_kind_only(
    case: Case, caseworker: User, summary_reader: User, police_officer: User
) -> None:
    warning = _warn(case, caseworker)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SAFETY_WARNING_ADDED, case_id=case.pk).exists()
    # when the school, which reads the summary, opens the case
    page = _signed_in(summary_reader).get(case.get_absolute_url()).content.decode()
    # then it is warned of a dangerous dog, without the address or the detail
    assert "Dangerous dog" in page
    assert "Qwertz" not in page and "Kavajës" not in page
    # and the API says the same
    api = _signed_in(summary_reader).get(reverse("cases-api:safetywarning-detail", args=[warning.pk])).json()
    assert api["kind"] == "dog" and api["detail"] == "" and api["address"] == ""
    # while the police partner in the case team reads it all, on the page and the visit form
    police = _signed_in(police_officer)
    assert "Qwertz dog bites" in police.get(case.get_absolute_url()).content.decode()
    form = police.get(reverse("cases:entry_create", args=[case.pk, "contact"])).content.decode()
    assert "Qwertz dog bites" in form and "Rruga e Kavajës 12" in form
    assert (
        police.get(reverse("cases-api:safetywarning-detail", args=[warning.pk])).json()["detail"] == "Qwertz dog bites"
    )


def test_a_stranger_does_not_learn_of_a_warning(case: Case, caseworker: User, stranger: User) -> None:
    warning = _warn(case, caseworker)
    client = _signed_in(stranger)
    assert client.get(reverse("cases-api:safetywarning-detail", args=[warning.pk])).status_code == 404
    assert client.get(reverse("cases-api:safetywarning-list")).json()["results"] == []


def test_the_owner_reviews_a_warning_and_ends_it(case: Case, caseworker: User, police_officer: User) -> None:
    warning = _warn(case, caseworker)
    url = reverse("cases:safety_warning_review", args=[case.pk, warning.pk])
    # a partner who reads the file may not end it
    assert _signed_in(police_officer).post(url, {"outcome": "gone"}).status_code == 403
    # the owner keeps it, with a new date, then ends it
    owner = _signed_in(caseworker)
    assert owner.post(url, {"outcome": "still", "review_on": "01/09/2099"}).status_code == 302
    warning.refresh_from_db()
    assert warning.review_on == datetime.date(2099, 9, 1) and warning.ended_at is None
    assert owner.post(url, {"outcome": "gone"}).status_code == 302
    warning.refresh_from_db()
    assert warning.ended_at is not None
    # an ended warning is no longer shown, and cannot be reviewed again
    assert "Qwertz" not in owner.get(case.get_absolute_url()).content.decode()
    assert owner.post(url, {"outcome": "gone"}).status_code == 404


def test_a_warning_needs_a_review_date_not_in_the_past(case: Case, caseworker: User) -> None:
    with pytest.raises(ValidationError):
        services.add_safety_warning(
            case, kind="dog", review_on=timezone.localdate() - datetime.timedelta(days=1), actor=caseworker
        )
    response = _signed_in(caseworker).post(
        reverse("cases:safety_warning_create", args=[case.pk]), {"kind": "other", "review_on": "01/06/2099"}
    )
    assert response.status_code == 200 and "Say what the danger is." in response.content.decode()
    assert not SafetyWarning.objects.exists()


def test_the_review_date_reminds_the_owner_once(case: Case, caseworker: User) -> None:
    with time_machine.travel(NOW, tick=False):
        services.add_safety_warning(
            case, kind="weapons", review_on=datetime.date(2026, 3, 12), detail="-", actor=caseworker
        )
    with time_machine.travel(datetime.datetime(2026, 3, 12, 8, 0, tzinfo=datetime.UTC), tick=False):
        sweep()
        sweep()
    due = Reminder.objects.filter(kind="safety_review", case=case)
    assert list(due.values_list("role", "stage")) == [("owner", "due")]


def _plan(case: Case, caseworker: User) -> PlannedVisit:
    back = timezone.localtime() + datetime.timedelta(hours=2)
    response = _signed_in(caseworker).post(
        reverse("cases:visit_plan", args=[case.pk]), {"expected_back_at": back.strftime("%d/%m/%Y %H:%M")}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return PlannedVisit.objects.get(case=case)


def test_a_missed_check_in_reaches_the_visitor_then_the_supervisor_once(
    case: Case, caseworker: User, supervisor: User
) -> None:
    with time_machine.travel(NOW, tick=False):
        visit = _plan(case, caseworker)
        sweep()
    assert not Reminder.objects.filter(kind="missed_check_in").exists()
    back = visit.expected_back_at
    # when the time passes with no check-in, the visitor is alerted
    with time_machine.travel(back + datetime.timedelta(minutes=5), tick=False):
        sweep()
        sweep()
    alerts = Reminder.objects.filter(kind="missed_check_in")
    assert list(alerts.values_list("recipient_id", "stage")) == [(caseworker.pk, "overdue")]
    # and half an hour later, their supervisor, once
    with time_machine.travel(back + datetime.timedelta(minutes=40), tick=False):
        sweep()
        sweep()
    assert sorted(alerts.values_list("recipient_id", "role", "stage")) == sorted(
        [(caseworker.pk, "visitor", "overdue"), (supervisor.pk, "supervisor", "escalated")]
    )


def test_a_visitor_back_in_time_alerts_nobody(case: Case, caseworker: User, supervisor: User) -> None:
    with time_machine.travel(NOW, tick=False):
        visit = _plan(case, caseworker)
        # she taps "I am back safe" on her home page (twice: the second changes nothing)
        home = _signed_in(caseworker)
        assert "I am back safe" in home.get(reverse("home")).content.decode()
        url = reverse("cases:visit_check_in", args=[case.pk, visit.pk])
        assert home.post(url, {"next": reverse("home")}).url == reverse("home")
        first = PlannedVisit.objects.get().checked_in_at
        home.post(url)
        assert PlannedVisit.objects.get().checked_in_at == first is not None
    with time_machine.travel(visit.expected_back_at + datetime.timedelta(hours=1), tick=False):
        sweep()
    assert not Reminder.objects.filter(kind="missed_check_in").exists()


def test_only_the_visitor_checks_in(case: Case, caseworker: User, police_officer: User) -> None:
    visit = services.plan_visit(case, expected_back_at=timezone.now() + datetime.timedelta(hours=1), actor=caseworker)
    url = reverse("cases:visit_check_in", args=[case.pk, visit.pk])
    assert _signed_in(police_officer).post(url).status_code == 403
    api = _signed_in(police_officer).post(reverse("cases-api:plannedvisit-check-in", args=[visit.pk]))
    assert api.status_code == 403
    assert PlannedVisit.objects.get().checked_in_at is None


def test_a_visit_must_end_after_it_starts(case: Case, caseworker: User) -> None:
    with pytest.raises(ValidationError):
        services.plan_visit(case, expected_back_at=timezone.now() - datetime.timedelta(minutes=1), actor=caseworker)
    with pytest.raises(ValidationError):
        services.plan_visit(case, expected_back_at=timezone.now() + datetime.timedelta(hours=30), actor=caseworker)
    assert not PlannedVisit.objects.exists()


def test_a_raid_recorded_by_the_police_reminds_the_owner_to_follow_up(
    case: Case, caseworker: User, police_officer: User, summary_reader: User
) -> None:
    # given the police record a raid (Tuesday 10 March 2026) through the API
    with time_machine.travel(NOW, tick=False):
        response = _signed_in(police_officer).post(
            reverse("cases-api:policeaction-list"),
            {"case": case.pk, "kind": "raid", "occurred_at": NOW.isoformat(), "what_happened": "Qwertz raid at dawn",
             "abstract": "A police action took place."},
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 201, response.content
    action = PoliceAction.objects.get()
    # then a follow-up visit is due two working days later
    assert action.follow_up_due_on == datetime.date(2026, 3, 12)
    # the owner reads the abstract and the follow-up due, not what happened
    page = _signed_in(caseworker).get(case.get_absolute_url()).content.decode()
    assert "Follow-up visit due by" in page and "Qwertz raid" not in page
    # when the day comes with no visit, the owner is reminded, once
    with time_machine.travel(datetime.datetime(2026, 3, 12, 8, 0, tzinfo=datetime.UTC), tick=False):
        sweep()
        sweep()
    assert list(Reminder.objects.filter(kind="police_aftercare").values_list("role", "stage")) == [("owner", "due")]
    # and a visit that took place after the raid ends it
    services.record_contact(
        Contact(case=case, occurred_at=NOW + datetime.timedelta(days=1), kind="home_visit", discussed="-"),
        actor=caseworker,
    )
    Reminder.objects.all().delete()
    with time_machine.travel(datetime.datetime(2026, 3, 13, 8, 0, tzinfo=datetime.UTC), tick=False):
        sweep()
    assert not Reminder.objects.filter(kind="police_aftercare").exists()


def test_only_the_police_record_a_police_action(case: Case, caseworker: User) -> None:
    with pytest.raises(ValidationError):
        services.record_police_action(PoliceAction(case=case, kind="arrest", what_happened="-"), actor=caseworker)


def test_the_case_shows_the_new_faces_the_family_meets(case: Case, caseworker: User, colleague: User) -> None:
    long_ago = timezone.now() - datetime.timedelta(days=200)
    for when, who in ((long_ago, caseworker), (timezone.now(), caseworker), (timezone.now(), colleague)):
        contact = services.record_contact(Contact(case=case, occurred_at=when, discussed="-"), actor=caseworker)
        contact.visitors.set([who])
    page = _signed_in(caseworker).get(case.get_absolute_url()).content.decode()
    assert "1 new face" in page
    assert "2 contacts" in page and "1 contact" in page


def test_the_panel_sees_a_warning_s_kind_on_the_meeting_s_agenda(
    case: Case, caseworker: User, panel: Any, panel_member: User
) -> None:
    from panels import services as panel_services

    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    _warn(case, caseworker)
    meeting = panel_services.schedule_meeting(
        panel, scheduled_for=timezone.now() + datetime.timedelta(days=3), actor=panel.coordinator
    )
    if not meeting.items.filter(case=case).exists():
        panel_services.add_case_to_agenda(meeting, case, actor=panel.coordinator)
    page = _signed_in(panel_member).get(meeting.get_absolute_url()).content.decode()
    assert "Safety of visitors: Dangerous dog" in page
    assert "Qwertz" not in page


def test_a_missed_check_in_is_sent_at_once_to_a_supervisor_who_reads_a_daily_digest(
    case: Case, caseworker: User, supervisor: User
) -> None:
    from reminders.services import deliver_pending

    User.objects.filter(pk=supervisor.pk).update(
        reminder_delivery=User.ReminderDelivery.DIGEST, email="elira@sociale.example"
    )
    with time_machine.travel(NOW, tick=False):
        visit = _plan(case, caseworker)
    with time_machine.travel(visit.expected_back_at + datetime.timedelta(minutes=40), tick=False):
        sweep()
        deliver_pending()
    # the supervisor's alert does not wait for tomorrow morning's digest
    alert = Reminder.objects.get(kind="missed_check_in", recipient=supervisor)
    assert alert.sent_at is not None


def test_the_going_out_form_shows_the_dangers_at_the_door(case: Case, caseworker: User) -> None:
    _warn(case, caseworker)
    page = _signed_in(caseworker).get(reverse("cases:visit_plan", args=[case.pk])).content.decode()
    assert "Dangerous dog" in page and "Qwertz dog bites" in page


def test_the_case_owner_reads_a_police_action_s_kind_and_follow_up_in_the_api(
    case: Case, caseworker: User, police_officer: User
) -> None:
    services.record_police_action(
        PoliceAction(
            case=case,
            kind="search",
            what_happened="Qwertz search",
            abstract="A police action.",
            visibility="own_agency",
        ),
        actor=police_officer,
    )
    [row] = _signed_in(caseworker).get(reverse("cases-api:policeaction-list")).json()["results"]
    assert row["kind"] == "search" and row["occurred_at"] and row["follow_up_due_on"]
    assert row["what_happened"] is None and row["content_visible"] is False


# --- The people the family has met, in the API (decision 144) ------------------------------------

# The session, the user, their permissions (one query: decision 150) and memberships, the case with its access, the
# people met (one aggregate, the people with it), how they are named (everyone's memberships at
# once), and the read's audit record (one insert: decision 170).
PEOPLE_MET_QUERIES = 8


def _visit(case: Case, *visitors: User, days_ago: int = 0) -> Contact:
    """The owner records a contact that took place, with who went (as the visit form does)."""
    when = timezone.now() - datetime.timedelta(days=days_ago)
    return services.record_contact(
        Contact(case=case, occurred_at=when, discussed="-"), actor=case.owner, visitors=list(visitors)
    )


def test_the_api_gives_the_people_the_family_met_as_the_case_page_shows_them(
    case: Case, caseworker: User, colleague: User, police_officer: User
) -> None:
    # given the owner visited long ago and again today, and a colleague and the police came today
    _visit(case, caseworker, days_ago=200)
    _visit(case, caseworker, colleague)
    _visit(case, police_officer)
    # when the owner asks the API
    response = _signed_in(caseworker).get(reverse("cases-api:case-people-met", args=[case.pk]))
    # then it lists the same people as the page, with their contacts and the new faces
    assert response.status_code == 200, response.content
    body = response.json()
    rows = {row["person"]["id"]: (row["contacts"], row["new"]) for row in body["people"]}
    assert rows == {caseworker.pk: (2, False), colleague.pk: (1, True), police_officer.pk: (1, True)}
    assert body["new_faces"] == 2 and body["new_face_days"] == 30
    page = _signed_in(caseworker).get(case.get_absolute_url()).content.decode()
    assert "2 new faces" in page
    for row in body["people"]:
        assert row["person"]["name"] in page


def test_a_visit_that_met_nobody_brings_no_new_face(case: Case, caseworker: User, colleague: User) -> None:
    # given the owner met the family, and a colleague found nobody at home
    _visit(case, caseworker)
    services.record_contact(
        Contact(case=case, occurred_at=timezone.now(), outcome=Contact.Outcome.NOBODY_HOME, discussed="-"),
        actor=caseworker,
        visitors=[colleague],
    )
    # then the family met the owner only
    body = _signed_in(caseworker).get(reverse("cases-api:case-people-met", args=[case.pk])).json()
    assert [row["person"]["id"] for row in body["people"]] == [caseworker.pk]
    assert body["new_faces"] == 1  # the owner, first met today


def test_a_summary_reader_learns_no_name_of_whom_the_family_met_and_a_stranger_not_even_the_case(
    case: Case, caseworker: User, colleague: User, summary_reader: User, stranger: User
) -> None:
    _visit(case, colleague)
    url = reverse("cases-api:case-people-met", args=[case.pk])
    # the school reads the summary: the page shows no such section, the API refuses
    page = _signed_in(summary_reader).get(case.get_absolute_url()).content.decode()
    assert "People the family has met" not in page and colleague.full_name not in page
    refused = _signed_in(summary_reader).get(url)
    assert refused.status_code == 403 and colleague.full_name not in refused.content.decode()
    # a stranger does not learn that the case exists
    assert _signed_in(stranger).get(url).status_code == 404
    assert _signed_in(stranger).get(reverse("cases-api:case-people-met", args=[case.pk + 1000])).status_code == 404


def test_the_people_met_cost_the_same_for_one_person_and_for_five_each_named_as_they_chose(
    case: Case, caseworker: User, other_agency: Agency, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # given police officers who show other agencies only their role and agency
    share(case, other_agency)
    officers = [member(other_agency, Membership.Role.POLICE_LIAISON) for _ in range(5)]
    User.objects.filter(pk__in=[officer.pk for officer in officers]).update(
        name_shown_to_others=User.NameShown.ROLE_AND_AGENCY
    )
    client = _signed_in(caseworker)
    url = reverse("cases-api:case-people-met", args=[case.pk])
    _visit(case, officers[0])
    client.get(url)  # the first request warms what every request shares (content types, sessions)
    with django_assert_num_queries(PEOPLE_MET_QUERIES):
        first = client.get(url).json()
    # when four more officers visit
    for officer in officers[1:]:
        _visit(case, officer)
    with django_assert_num_queries(PEOPLE_MET_QUERIES):
        five = client.get(url).json()
    # then the answer costs the same, and names none of them to the social worker
    assert len(first["people"]) == 1 and len(five["people"]) == 5
    assert {row["person"]["name"] for row in five["people"]} == {"Police liaison, Police"}
    assert all(row["person"]["username"] == "" for row in five["people"])
