"""Names on the timeline follow the reader (decision 55): an event stores ids, and each person is
named as they chose to be shown to the reader's agency (decision 40), on the timeline page, the
case page and the API alike, at a constant number of queries per page."""

import datetime
import json
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership, Panel, User
from cases import services
from cases.models import Case, CaseEvent, CaseShare, PoliceAction, event_choices
from interventions import services as plans
from panels import services as panel_services
from panels.models import PanelMeeting
from referrals.services import add_to_earlier
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, CaseFactory, PersonFactory, ReferralFactory, born, share

pytestmark = pytest.mark.django_db
Shown = User.NameShown
FULL, SHOWN = "Arta Hoxha", "Arta H."


@pytest.fixture
def owner(caseworker: User) -> User:
    """The case owner, who shows other agencies "Arta H."."""
    User.objects.filter(pk=caseworker.pk).update(
        first_name="Arta", last_name="Hoxha", name_shown_to_others=Shown.FIRST_NAME_INITIAL
    )
    return User.objects.get(pk=caseworker.pk)


@pytest.fixture
def police(other_agency: Agency) -> User:
    """A police liaison of another agency, who reads the case in full through a share."""
    return member(other_agency, Membership.Role.POLICE_LIAISON, username="officer")


@pytest.fixture
def named_case(owner: User, agency: Agency, other_agency: Agency, police: User) -> Case:
    case = CaseFactory(owner=owner, owning_agency=agency, first_contact_due_on=timezone.localdate())
    share(case, other_agency)
    return case


def _child(case: Case) -> object:
    return PersonFactory(family=case.family, given_name="Drita", relationship="child", date_of_birth=born(10, days=30))


def _plan(case: Case, owner: User) -> object:
    today = timezone.localdate()
    action = {"type": "pragmatic", "measure": "housing", "provider_agency": case.owning_agency, "due_on": today}
    goals = [{"text": "A home", "actions": [action]}]
    return plans.create_plan(
        case, goals=goals, agreed_by_family=True, agreed_by="The mother", agreed_on=today, actor=owner
    )


def _close(case: Case, owner: User) -> object:
    police = User.objects.get(username="officer")
    agreements = [{"agency": case.owning_agency, "user": owner}, {"agency": case.shares.get().agency, "user": police}]
    today = timezone.localdate()
    return plans.close_case(case, decided_on=today, reason="Goals met", agreements=agreements, actor=owner)


def _decide(case: Case, owner: User) -> None:
    coordinator = member(AgencyFactory(name="Municipality"), Membership.Role.COORDINATOR, username="coord")
    panel = Panel.objects.create(name="Info-house", coordinator=coordinator)
    panel.agencies.set([case.owning_agency])
    Case.objects.filter(pk=case.pk).update(panel=panel)
    meeting = panel_services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    item = panel_services.add_case_to_agenda(meeting, Case.objects.get(pk=case.pk), actor=coordinator)
    decision = panel_services.PanelDecision(urgency="urgent", first_contact_agency=case.owning_agency)
    panel_services.record_decision(item, decision, actor=coordinator)
    assert PanelMeeting.objects.exists()


def _reassign(case: Case, owner: User) -> None:
    """To a colleague who shows other agencies only "Practitioner, Social services", and back."""
    colleague = member(case.owning_agency, username="blerina")
    User.objects.filter(pk=colleague.pk).update(
        first_name="Blerina", last_name="Krasniqi", name_shown_to_others=Shown.ROLE_AND_AGENCY
    )
    supervisor = member(case.owning_agency, Membership.Role.SUPERVISOR, username="boss")
    services.assign_owner(case, owner=User.objects.get(pk=colleague.pk), actor=supervisor)
    services.assign_owner(Case.objects.get(pk=case.pk), owner=owner, actor=supervisor)


def _consent(case: Case, owner: User) -> None:
    person = case.index_person
    services.record_consent(
        case, person=person, given_by=person, given_on=timezone.localdate(), purposes=["support_plan"], actor=owner
    )


def _withdraw(case: Case, owner: User) -> None:
    _consent(case, owner)
    from families.models import Consent

    services.withdraw_consent(case, Consent.objects.get(), reason="She changed her mind", actor=owner)


def _attach(case: Case, owner: User) -> None:
    upload = SimpleUploadedFile("chat.txt", b"Messages from the group chat", content_type="text/plain")
    from cases.models import Attachment

    services.attach_file(Attachment(case=case, kind="chat", description="Chat log"), upload, actor=owner)


def _entry(kind: str, **fields: object) -> Callable[[Case, User], object]:
    def write(case: Case, owner: User) -> object:
        from cases.entry_kinds import entry_kind

        declared = entry_kind(kind)
        extra: dict[str, object] = {"child": _child(case)} if kind == "childneeds" else {}
        if kind == "expertconsultation":
            from agencies.models import Expert

            extra["expert"] = Expert.objects.create(name="Expert", field="Theology")
            extra["expert"].agencies.add(case.owning_agency)  # type: ignore[attr-defined]
        entry = declared.model(case=case, **fields, **extra)
        return declared.record(entry, actor=owner, finalise=True)

    return write


# Every kind of event, written the way users write it, by the owner (or, for the panel's, the
# coordinator). A kind missing here fails `test_every_kind_of_event_is_tried`.
WRITERS: dict[str, Callable[[Case, User], object]] = {
    "opened": lambda case, owner: share(
        services.open_case(family=case.family, index_person=case.index_person, owner=owner, actor=owner),
        case.shares.get().agency,
    ),
    "contact": _entry("contact", occurred_at=timezone.now() - datetime.timedelta(hours=1)),
    "needs_assessment": _entry("needsassessment", summary="Debts"),
    "security_assessment": lambda case, owner: _entry("securityassessment", risk_level="low", assessment="x")(
        case, member(case.shares.get().agency, Membership.Role.POLICE_LIAISON, username="analyst")
    ),
    "police_action": lambda case, owner: services.record_police_action(
        PoliceAction(case=case, kind="raid", what_happened="x", abstract="A raid"),
        actor=member(case.shares.get().agency, Membership.Role.POLICE_LIAISON, username="raider"),
    ),
    "safety_warning": lambda case, owner: services.add_safety_warning(
        case, kind="dog", review_on=timezone.localdate() + datetime.timedelta(days=30), actor=owner
    ),
    "child_needs": _entry("childneeds", age_band="under_12", schooling="attending"),
    "note": _entry("casenote", text="Called the school"),
    "expert_consulted": _entry("expertconsultation", shared="The school's report", basis="consent"),
    "attachment": _attach,
    "risk_changed": lambda case, owner: services.set_risk_level(case, level="high", source="manual", actor=owner),
    "key_worker": lambda case, owner: services.set_key_worker(case, note="The imam", actor=owner),
    "restriction": lambda case, owner: services.add_restriction(
        case, person=case.index_person, must_not_be_told="that his mother called", actor=owner
    ),
    "plan": _plan,
    "review": lambda case, owner: plans.record_review(
        case,
        held_on=timezone.localdate(),
        risk_level="low",
        next_review_on=timezone.localdate() + datetime.timedelta(days=90),
        progress=[{"goal": goal, "progress": "some"} for goal in _plan(case, owner).goals.all()],
        actor=owner,
    ),
    "withdrawal": lambda case, owner: plans.record_withdrawal(
        case, withdrawn_on=timezone.localdate(), reason="Tired", open_door_message="Call us", actor=owner
    ),
    "reopened": lambda case, owner: (
        _close(case, owner),
        plans.reopen_case(Case.objects.get(pk=case.pk), reason="The mother called again", actor=owner),
    ),
    "follow_up": lambda case, owner: plans.record_follow_up(
        _close(case, owner).follow_ups.first(),
        done_on=timezone.localdate(),
        notes="All well",
        actor=owner,
    ),
    "stage_changed": lambda case, owner: services.move_stage(case, stage=Case.Stage.DISCUSS, actor=owner),
    "owner_assigned": _reassign,
    "shared": lambda case, owner: share(case, AgencyFactory(name="School")),
    "share_revoked": lambda case, owner: services.revoke_share(
        share(case, AgencyFactory(name="School")), reason="No longer", actor=owner
    ),
    "share_expired": lambda case, owner: (
        CaseShare.objects.filter(pk=share(case, AgencyFactory(name="School")).pk).update(
            ends_at=timezone.now() - datetime.timedelta(minutes=1)
        ),
        services.expire_case_shares(),
    ),
    "closed": _close,
    "concern_added": lambda case, owner: add_to_earlier(
        ReferralFactory(received_by=case.owning_agency, recorded_by=owner), actor=owner, case=case
    ),
    "panel_decision": _decide,
    "consent_recorded": _consent,
    "consent_withdrawn": _withdraw,
    "member_added": lambda case, owner: services.add_member(
        case, given_name="Besa", family_name="Krasniqi", relationship="sibling", actor=owner
    ),
    "member_changed": lambda case, owner: services.change_member(
        case, case.index_person, languages="Albanian, Arabic", actor=owner
    ),
    "member_removed": lambda case, owner: services.remove_member(
        case, _child(case), reason="Recorded in error", actor=owner
    ),
    "members_merged": lambda case, owner: services.merge_members(
        case,
        case.index_person,
        _child(case),
        reason="The same person",
        actor=member(case.owning_agency, Membership.Role.SUPERVISOR, username="boss"),
    ),
}


def test_every_kind_of_event_is_tried() -> None:
    assert sorted(WRITERS) == sorted(code for code, _label in event_choices())


def _stored_names(case: Case) -> list[str]:
    """Every practitioner's name that an event of the case stores."""
    stored = json.dumps([event.data for event in CaseEvent.objects.filter(case=case)])
    names = []
    for person in User.objects.all():
        names += [person.full_name, f"{person.first_name} {person.last_name[:1]}.", person.username]
    return [name for name in names if name.strip(" .") and name in stored]


def _rename_everyone() -> None:
    """After the event is written: everyone shows other agencies "Given<id> H." (a name read
    when the page is shown, not when the event was written, follows this)."""
    for user in User.objects.all():
        User.objects.filter(pk=user.pk).update(
            first_name=f"Given{user.pk}", last_name=f"Hidden{user.pk}", name_shown_to_others=Shown.FIRST_NAME_INITIAL
        )


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_another_agency_reads_each_name_as_its_person_chose(
    kind: str, named_case: Case, owner: User, police: User
) -> None:
    # given an event of this kind, written by the people whose work it is
    WRITERS[kind](named_case, owner)
    case = Case.objects.latest("pk") if kind == "opened" else named_case
    events = list(CaseEvent.objects.filter(case=case, kind=kind))
    assert events, kind
    # then no event stores a practitioner's name: ids only
    assert _stored_names(case) == [], kind
    # when everyone chose a short form, and the police read the timeline, the case page and the API
    _rename_everyone()
    colleagues = set(Membership.objects.filter(agency__memberships__user=police).values_list("user_id", flat=True))
    named = {event.actor_id for event in events if event.actor_id}
    named |= {event.data[key] for event in events for key in ("owner_id", "previous_owner_id") if key in event.data}
    client = Client()
    client.force_login(police)
    timeline = client.get(reverse("cases:timeline", args=[case.pk]), {"kind": kind}).content.decode()
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    api = api_as(police).get(reverse("cases-api:caseevent-list"), {"case": case.pk, "kind": kind}).content.decode()
    # then each person the events name is shown in the form they chose for the police's agency
    for pk in named - colleagues:
        assert f"Given{pk} H." in timeline and f"Given{pk} H." in api, (kind, pk)
    for pk in named & colleagues:
        assert f"Given{pk} Hidden{pk}" in timeline, (kind, pk)
    # and nobody of another agency by their full name, anywhere
    for pk in set(User.objects.values_list("pk", flat=True)) - colleagues:
        for shown in (timeline, page, api):
            assert f"Hidden{pk}" not in shown, (kind, pk)


def test_the_owner_and_the_previous_owner_are_named_as_they_chose(
    named_case: Case, owner: User, police: User, colleague: User
) -> None:
    _reassign(named_case, owner)
    client = Client()
    client.force_login(police)
    timeline = client.get(reverse("cases:timeline", args=[named_case.pk]), {"kind": "owner_assigned"})
    text = timeline.content.decode()
    assert "Practitioner, Social services (Social services) now owns the case, after Arta H." in text
    assert "Krasniqi" not in text and "Blerina" not in text
    client.force_login(colleague)
    text = client.get(reverse("cases:timeline", args=[named_case.pk]), {"kind": "owner_assigned"}).content.decode()
    assert "Blerina Krasniqi (Social services) now owns the case, after Arta Hoxha." in text


def test_a_long_timeline_costs_the_same_queries_as_a_short_one(
    named_case: Case, owner: User, police: User, agency: Agency
) -> None:
    # given a timeline written by several people of the owner's agency, each showing a short form
    writers = []
    for n in range(5):
        writer = member(agency, username=f"writer{n}")
        User.objects.filter(pk=writer.pk).update(
            first_name=f"W{n}", last_name="Hidden", name_shown_to_others=Shown.FIRST_NAME_INITIAL
        )
        writers.append(User.objects.get(pk=writer.pk))
    client = Client()
    client.force_login(police)
    url = reverse("cases:timeline", args=[named_case.pk])
    api = api_as(police)
    api_url = reverse("cases-api:caseevent-list")
    supervisor = member(agency, Membership.Role.SUPERVISOR, username="boss")
    services.assign_owner(named_case, owner=writers[0], actor=supervisor)
    # (a writer named nowhere else on the page: the timeline asks for their agency itself)
    services.add_restriction(named_case, person=named_case.index_person, must_not_be_told="x", actor=writers[1])
    client.get(url)  # warm: what is cached for the process
    api.get(api_url, {"case": named_case.pk})
    client.get(reverse("cases:case", args=[named_case.pk]))
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    with CaptureQueriesContext(connection) as short_api:
        api.get(api_url, {"case": named_case.pk})
    with CaptureQueriesContext(connection) as short_page:
        client.get(reverse("cases:case", args=[named_case.pk]))
    # when many more events name many more people
    for writer in writers[2:]:
        services.assign_owner(Case.objects.get(pk=named_case.pk), owner=writer, actor=supervisor)
        services.add_restriction(named_case, person=_child(named_case), must_not_be_told="y", actor=writer)
        services.set_key_worker(named_case, note="The imam", actor=writer)
    with CaptureQueriesContext(connection) as long:
        page = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as long_api:
        api.get(api_url, {"case": named_case.pk})
    with CaptureQueriesContext(connection) as long_page:
        client.get(reverse("cases:case", args=[named_case.pk]))
    # then every name is shown as chosen, at the same cost
    assert "W1 H." in page and "W4 H." in page and "Hidden" not in page
    assert len(long) == len(short)
    assert len(long_api) == len(short_api)
    assert len(long_page) == len(short_page)
