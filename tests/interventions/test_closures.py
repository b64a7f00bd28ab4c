"""Closing on a multi-agency decision, the follow-ups at 6 and 12 months, and reopening."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.models import Agency, Membership, User
from audit.models import AuditEvent
from cases import services as case_services
from cases.involvement import involved_people
from cases.models import Case, CaseEvent, Contact
from interventions import services
from interventions.models import Closure, FollowUp, InterventionPlan
from interventions.services.common import add_months
from tests.conftest import member
from tests.factories import share
from tests.interventions.conftest import agreements, days

pytestmark = pytest.mark.django_db


def close(case: Case, agreed: list[dict[str, Any]], **overrides: Any) -> Closure:
    values: dict[str, Any] = {
        "decided_on": days(0),
        "reason": "Goals met; the family goes on alone.",
        "actor": case.owner,
    }
    return services.close_case(case, agreements=agreed, **{**values, **overrides})


@pytest.fixture
def closed(case: Case, other_agency: Agency, auditor_readonly: User) -> Closure:
    return close(case, agreements(case, other_agency, auditor_readonly))


class TestCloseCase:
    def test_it_closes_the_case_and_writes_the_timeline(self, case: Case, closed: Closure) -> None:
        case.refresh_from_db()
        assert case.is_closed
        assert closed.agreements.count() == 2
        event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CLOSED)
        assert event.entry_url == closed.get_absolute_url()
        assert AuditEvent.objects.get(action=AuditEvent.Action.CASE_CLOSED).data["agencies"] == [
            "Police",
            "Social services",
        ]

    def test_it_schedules_follow_ups_at_6_and_12_months(
        self, case: Case, other_agency: Agency, auditor_readonly: User
    ) -> None:
        # given a decision taken on 31 August
        Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - datetime.timedelta(days=800))
        decided = datetime.date(timezone.localdate().year - 1, 8, 31)
        # when
        closure = close(case, agreements(case, other_agency, auditor_readonly), decided_on=decided)
        # then: the end of the shorter month, and a year on
        due = [follow_up.due_on for follow_up in FollowUp.objects.filter(closure=closure)]
        february = 29 if add_months(decided, 6).year % 4 == 0 else 28
        assert due == [datetime.date(decided.year + 1, 2, february), datetime.date(decided.year + 1, 8, 31)]

    def test_the_running_plan_is_completed(self, case: Case, other_agency: Agency, auditor_readonly: User) -> None:
        from tests.interventions.conftest import make_plan

        plan = make_plan(case)
        close(case, agreements(case, other_agency, auditor_readonly))
        plan.refresh_from_db()
        assert plan.status == InterventionPlan.Status.COMPLETED and plan.ended_on == days(0)

    def test_one_agency_is_not_enough(self, case: Case, supervisor: User) -> None:
        agreed = [
            {"agency": case.owning_agency, "user": case.owner},
            {"agency": case.owning_agency, "user": supervisor},
        ]
        with pytest.raises(ValidationError, match="at least two agencies"):
            close(case, agreed)
        case.refresh_from_db()
        assert not case.is_closed and not Closure.objects.exists() and not FollowUp.objects.exists()

    def test_the_owning_agency_must_agree(
        self, case: Case, other_agency: Agency, auditor_readonly: User, coordinator: User
    ) -> None:
        municipality = coordinator.memberships.get().agency
        share(case, other_agency)
        share(case, municipality)
        agreed = [{"agency": other_agency, "user": auditor_readonly}, {"agency": municipality, "user": coordinator}]
        with pytest.raises(ValidationError, match="owning agency must agree"):
            close(case, agreed)

    def test_an_agency_not_working_the_case_does_not_agree(
        self, case: Case, other_agency: Agency, auditor_readonly: User
    ) -> None:
        # given the police hold no share and sit on no panel of the case
        owner, police = case.owner, auditor_readonly
        agreed = [{"agency": case.owning_agency, "user": owner}, {"agency": other_agency, "user": police}]
        # when / then
        with pytest.raises(ValidationError, match="Only agencies working the case"):
            close(case, agreed)
        case.refresh_from_db()
        assert not case.is_closed and not Closure.objects.exists()

    def test_a_person_speaks_for_their_own_agency_only(self, case: Case, other_agency: Agency, colleague: User) -> None:
        share(case, other_agency)
        agreed = [{"agency": case.owning_agency, "user": case.owner}, {"agency": other_agency, "user": colleague}]
        with pytest.raises(ValidationError, match="must work for the agency"):
            close(case, agreed)

    def test_a_closed_case_is_not_closed_twice(
        self, case: Case, closed: Closure, other_agency: Agency, auditor_readonly: User
    ) -> None:
        with pytest.raises(ValidationError, match="already closed"):
            close(case, agreements(case, other_agency, auditor_readonly))
        assert Closure.objects.count() == 1

    def test_a_decision_is_not_dated_in_the_future(
        self, case: Case, other_agency: Agency, auditor_readonly: User
    ) -> None:
        with pytest.raises(ValidationError, match="future"):
            close(case, agreements(case, other_agency, auditor_readonly), decided_on=days(1))

    def test_a_reason_is_required(self, case: Case, other_agency: Agency, auditor_readonly: User) -> None:
        with pytest.raises(ValidationError, match="Say why the case closes"):
            close(case, agreements(case, other_agency, auditor_readonly), reason="  ")

    def test_only_those_who_change_the_case_close_it(
        self, case: Case, other_agency: Agency, auditor_readonly: User, colleague: User
    ) -> None:
        with pytest.raises(ValidationError, match="may not change"):
            close(case, agreements(case, other_agency, auditor_readonly), actor=colleague)

    def test_a_data_protection_officer_is_not_offered_to_agree(self, case: Case, agency: Agency) -> None:
        dpo = member(agency, Membership.Role.DATA_PROTECTION_OFFICER)
        assert dpo not in involved_people(case) and case.owner in involved_people(case)

    def test_a_closed_case_takes_no_risk_level_or_key_worker(
        self, case: Case, closed: Closure, caseworker: User
    ) -> None:
        case.refresh_from_db()
        with pytest.raises(ValidationError, match="closed"):
            case_services.set_risk_level(case, level="critical", source="manual", actor=caseworker, rationale="x")
        with pytest.raises(ValidationError, match="closed"):
            case_services.set_key_worker(case, actor=caseworker, note="A teacher")
        assert case.next_review_on is None  # its deadlines are the follow-ups now


class TestReopenCase:
    def test_it_reopens_and_keeps_the_closure_with_the_reason(self, case: Case, closed: Closure) -> None:
        # when
        services.reopen_case(case, reason="The mother asked for help again.", actor=case.owner)
        # then
        case.refresh_from_db()
        closed.refresh_from_db()
        assert not case.is_closed
        assert closed.reopen_reason == "The mother asked for help again." and closed.reopened_by == case.owner
        event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.REOPENED)
        assert event.data == {"reason": "The mother asked for help again."}
        assert "The mother asked for help again." in event.describe()

    def test_a_reason_is_required(self, case: Case, closed: Closure) -> None:
        with pytest.raises(ValidationError, match="Say why the case is reopened"):
            services.reopen_case(case, reason=" ", actor=case.owner)
        case.refresh_from_db()
        assert case.is_closed

    def test_an_open_case_is_not_reopened(self, case: Case) -> None:
        with pytest.raises(ValidationError, match="only a closed case"):
            services.reopen_case(case, reason="Why not", actor=case.owner)

    def test_a_reopened_case_can_close_again(
        self, case: Case, closed: Closure, other_agency: Agency, auditor_readonly: User
    ) -> None:
        services.reopen_case(case, reason="New concern.", actor=case.owner)
        close(case, agreements(case, other_agency, auditor_readonly))
        assert Closure.objects.filter(case=case).count() == 2
        assert FollowUp.objects.pending().count() == 2  # the first closure's are no longer due


class TestFollowUp:
    def test_it_records_the_follow_up_with_a_contact(self, case: Case, closed: Closure) -> None:
        follow_up = closed.follow_ups.first()
        assert follow_up is not None
        # when
        services.record_follow_up(follow_up, done_on=days(0), notes="All well.", with_contact=True, actor=case.owner)
        # then
        follow_up.refresh_from_db()
        assert follow_up.is_done and follow_up.done_by == case.owner
        contact = Contact.objects.get(case=case)
        assert contact.kind == Contact.Kind.FOLLOW_UP and contact.discussed == "All well."
        assert follow_up.contact == contact
        assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.FOLLOW_UP).count() == 1

    def test_without_a_contact(self, case: Case, closed: Closure) -> None:
        follow_up = closed.follow_ups.first()
        assert follow_up is not None
        services.record_follow_up(follow_up, done_on=days(0), actor=case.owner)
        assert not Contact.objects.exists()

    def test_it_is_recorded_once(self, case: Case, closed: Closure) -> None:
        follow_up = closed.follow_ups.first()
        assert follow_up is not None
        services.record_follow_up(follow_up, done_on=days(0), actor=case.owner)
        with pytest.raises(ValidationError, match="already recorded"):
            services.record_follow_up(follow_up, done_on=days(0), actor=case.owner)

    def test_not_in_the_future(self, case: Case, closed: Closure) -> None:
        follow_up = closed.follow_ups.first()
        assert follow_up is not None
        with pytest.raises(ValidationError, match="future"):
            services.record_follow_up(follow_up, done_on=days(1), actor=case.owner)

    def test_a_reopened_case_has_no_follow_up_due(self, case: Case, closed: Closure) -> None:
        services.reopen_case(case, reason="New concern.", actor=case.owner)
        follow_up = closed.follow_ups.first()
        assert follow_up is not None
        assert not FollowUp.objects.pending().exists()
        with pytest.raises(ValidationError, match="no longer due"):
            services.record_follow_up(follow_up, done_on=days(0), actor=case.owner)

    def test_a_reader_may_not_record_it(self, case: Case, closed: Closure, colleague: User) -> None:
        follow_up = closed.follow_ups.first()
        assert follow_up is not None
        with pytest.raises(ValidationError, match="may not record"):
            services.record_follow_up(follow_up, done_on=days(0), actor=colleague)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 15), 6, datetime.date(2026, 7, 15)),
        (datetime.date(2026, 8, 31), 6, datetime.date(2027, 2, 28)),
        (datetime.date(2027, 8, 31), 6, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 11, 30), 12, datetime.date(2027, 11, 30)),
    ],
)
def test_add_months(day: datetime.date, months: int, expected: datetime.date) -> None:
    assert add_months(day, months) == expected
