"""Information requests to a partner (design.md §4): who asks, who reads, who answers, once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.access import Action
from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from cases import services
from cases.models import Case, InformationRequest
from tests.conftest import member
from tests.factories import AgencyFactory, share

pytestmark = pytest.mark.django_db


def school_of(user: User) -> Agency:
    return user.memberships.get().agency


def ask(case: Case, to: Agency, actor: User, question: str = "Does the boy attend school?") -> InformationRequest:
    return services.ask_information(case, to_agency=to, question=question, actor=actor)


def visible(user: User, action: Action = Action.VIEW) -> list[InformationRequest]:
    return list(InformationRequest.objects.restrict(user, action))


def test_the_owner_asks_a_partner_due_in_24_hours(case: Case, caseworker: User, summary_reader: User) -> None:
    # when
    request = ask(case, school_of(summary_reader), caseworker)
    # then
    assert request.due_at - request.asked_at == datetime.timedelta(hours=24)
    assert (request.asked_by, request.is_answered) == (caseworker, False)
    audit = AuditEvent.objects.get(action=AuditEvent.Action.ENTRY_RECORDED, object_id=str(request.pk))
    assert audit.data["kind"] == "information_request"


def test_a_supervisor_and_the_panel_coordinator_ask_too(
    case: Case, supervisor: User, coordinator: User, panel: Panel, other_agency: Agency
) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    assert ask(case, other_agency, supervisor).asked_by == supervisor
    assert ask(case, other_agency, coordinator).asked_by == coordinator


@pytest.mark.parametrize("who", ["colleague", "police_officer", "summary_reader", "stranger"])
def test_who_does_not_run_the_case_may_not_ask(
    case: Case, who: str, summary_reader: User, request: pytest.FixtureRequest
) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(ValidationError, match="Only the case owner"):
        ask(case, school_of(summary_reader), actor)


def test_only_an_agency_working_the_case_and_not_ones_own(
    case: Case, caseworker: User, agency: Agency, stranger: User
) -> None:
    with pytest.raises(ValidationError, match="working the case"):
        ask(case, school_of(stranger), caseworker)
    with pytest.raises(ValidationError, match="working the case"):
        ask(case, agency, caseworker)


def test_the_question_is_required(case: Case, caseworker: User, summary_reader: User) -> None:
    with pytest.raises(ValidationError, match="Write the question"):
        ask(case, school_of(summary_reader), caseworker, question="  ")


def test_a_closed_case_asks_nothing(case: Case, caseworker: User, summary_reader: User) -> None:
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now())
    with pytest.raises(ValidationError, match="closed"):
        ask(case, school_of(summary_reader), caseworker)


def test_who_reads_a_request(
    case: Case, caseworker: User, summary_reader: User, police_officer: User, stranger: User, colleague: User
) -> None:
    # given a request to the school, and another school reading the summary
    request = ask(case, school_of(summary_reader), caseworker)
    other_school = AgencyFactory(name="Other school", sector=Agency.Sector.EDUCATION)
    share(case, other_school, scope="summary")
    other_teacher = member(other_school, username="other_teacher")
    admin = member(school_of(summary_reader), Membership.Role.AGENCY_ADMIN, username="school_admin")
    # then the full readers and the school asked read it; nobody else
    for reader in (caseworker, colleague, police_officer, summary_reader):
        assert visible(reader) == [request]
    for outsider in (stranger, other_teacher, admin):
        assert visible(outsider) == []
    # and only the school asked answers it
    assert visible(summary_reader, Action.CHANGE) == [request]
    assert visible(caseworker, Action.CHANGE) == []


def test_the_agency_asked_answers_once(case: Case, caseworker: User, summary_reader: User) -> None:
    request = ask(case, school_of(summary_reader), caseworker)
    # when
    services.answer_information(request, answer="Yes, every day.", actor=summary_reader)
    # then
    request.refresh_from_db()
    assert (request.answer, request.answered_by, request.is_answered) == ("Yes, every day.", summary_reader, True)
    with pytest.raises(ValidationError, match="answered already"):
        services.answer_information(request, answer="Again", actor=summary_reader)


@pytest.mark.parametrize("who", ["caseworker", "police_officer", "stranger"])
def test_others_may_not_answer(
    case: Case, caseworker: User, summary_reader: User, who: str, request: pytest.FixtureRequest
) -> None:
    info = ask(case, school_of(summary_reader), caseworker)
    with pytest.raises(ValidationError, match="Only a member of the agency asked"):
        services.answer_information(info, answer="No", actor=request.getfixturevalue(who))


def test_the_answer_is_required(case: Case, caseworker: User, summary_reader: User) -> None:
    info = ask(case, school_of(summary_reader), caseworker)
    with pytest.raises(ValidationError, match="Write the answer"):
        services.answer_information(info, answer=" ", actor=summary_reader)
