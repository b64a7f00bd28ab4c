"""Panel meetings: the agenda, attendance and confidentiality, decisions per record mode, refusals."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.access import Action, forget_access
from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from cases.models import Case, CaseEvent, CaseShare
from panels import services
from panels.models import AgendaItem, PanelMeeting, ShareDeclined
from referrals.models import TriageDecision
from referrals.services import triage_referral
from tests.conftest import member
from tests.factories import AgencyFactory, CaseFactory, ReferralFactory, agreement

pytestmark = pytest.mark.django_db
Role = Membership.Role
TODAY = timezone.localdate


@pytest.fixture
def meeting(panel: Panel, coordinator: User) -> PanelMeeting:
    return services.schedule_meeting(
        panel, scheduled_for=timezone.now() + datetime.timedelta(days=2), actor=coordinator
    )


def on_panel(case: Case, panel: Panel, **fields: object) -> Case:
    Case.objects.filter(pk=case.pk).update(panel=panel, **fields)
    case.refresh_from_db()
    return case


class TestAgenda:
    def test_it_holds_referrals_put_to_the_panel_and_cases_due_or_overdue(
        self, panel: Panel, coordinator: User, agency: Agency
    ) -> None:
        # given a crisis and a routine referral put to the panel, and three cases on it
        routine = ReferralFactory(received_by=agency, panel=panel, status="on_agenda")
        crisis = ReferralFactory(
            received_by=agency, panel=panel, status="on_agenda", is_crisis=True, crisis_reason="attack"
        )
        overdue = on_panel(CaseFactory(), panel, next_review_on=TODAY() - datetime.timedelta(days=3))
        due = on_panel(CaseFactory(), panel, next_review_on=TODAY() + datetime.timedelta(days=2))
        on_panel(CaseFactory(), panel, next_review_on=TODAY() + datetime.timedelta(days=30))
        on_panel(CaseFactory(), panel, next_review_on=TODAY(), closed_at=timezone.now())
        # when the meeting is planned
        meeting = services.schedule_meeting(
            panel, scheduled_for=timezone.now() + datetime.timedelta(days=2), actor=coordinator
        )
        # then the agenda holds them, crises first, each with why
        items = list(meeting.items.all())
        assert [(i.referral or i.case, i.reason) for i in items] == [
            (crisis, "new_referral"),
            (routine, "new_referral"),
            (overdue, "overdue"),
            (due, "review_due"),
        ]
        assert [item.position for item in items] == [1, 2, 3, 4]
        # and building it again adds nothing
        assert services.build_agenda(meeting) == []

    def test_a_meeting_in_the_past_is_refused(self, panel: Panel, coordinator: User) -> None:
        with pytest.raises(ValidationError, match="today or later"):
            services.schedule_meeting(
                panel, scheduled_for=timezone.now() - datetime.timedelta(days=3), actor=coordinator
            )
        assert not PanelMeeting.objects.exists()

    def test_a_meeting_keeps_the_record_mode_it_was_planned_with(
        self, panel: Panel, coordinator: User, meeting: PanelMeeting
    ) -> None:
        services.update_panel(panel, cadence_days=7, record_mode=Panel.RecordMode.NO_MINUTES, actor=coordinator)
        meeting.refresh_from_db()
        assert meeting.record_mode == Panel.RecordMode.DECISIONS_ONLY

    def test_only_cases_of_the_panel_are_added(self, meeting: PanelMeeting, coordinator: User) -> None:
        with pytest.raises(ValidationError, match="this panel"):
            services.add_case_to_agenda(meeting, CaseFactory(), actor=coordinator)

    def test_a_crisis_joins_the_top_of_an_agenda_already_built(
        self, panel: Panel, coordinator: User, agency: Agency, caseworker: User
    ) -> None:
        # given a meeting whose agenda is built, with a case due for review on it
        CaseFactory(panel=panel, next_review_on=TODAY())
        meeting = services.schedule_meeting(
            panel, scheduled_for=timezone.now() + datetime.timedelta(days=2), actor=coordinator
        )
        # when a crisis is put to the panel
        crisis = ReferralFactory(received_by=agency, is_crisis=True, crisis_reason="attack")
        triage_referral(crisis, decision=TriageDecision.Decision.PANEL_AGENDA, panel=panel, actor=caseworker)
        # then it comes first
        assert meeting.items.order_by("position").first().referral == crisis


class TestAttendance:
    def test_each_participant_acknowledges_confidentiality_once(
        self, meeting: PanelMeeting, panel_member: User
    ) -> None:
        first = services.acknowledge_confidentiality(meeting, user=panel_member)
        again = services.acknowledge_confidentiality(meeting, user=panel_member)
        assert first.confidentiality_acknowledged_at == again.confidentiality_acknowledged_at is not None
        assert again.present and again.agency == panel_member.memberships.get().agency

    def test_the_coordinator_records_who_came(
        self, meeting: PanelMeeting, coordinator: User, panel_member: User
    ) -> None:
        services.record_attendance(meeting, user=panel_member, present=False, actor=coordinator)
        assert meeting.attendance.get(user=panel_member).present is False

    def test_an_attendee_from_outside_the_panel_sees_only_their_own_cases_on_the_agenda(
        self, panel: Panel, coordinator: User, caseworker: User, case: Case
    ) -> None:
        # given a meeting about the caseworker's case and another agency's case
        mine = on_panel(case, panel, next_review_on=TODAY())
        theirs = on_panel(CaseFactory(), panel, next_review_on=TODAY())
        meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
        # when the caseworker (no panel role) attends
        services.record_attendance(meeting, user=caseworker, actor=coordinator)
        forget_access(caseworker)
        # then they see the meeting, and only the item about their own case
        assert PanelMeeting.objects.restrict(caseworker, Action.VIEW).filter(pk=meeting.pk).exists()
        assert [item.case for item in AgendaItem.objects.restrict(caseworker, Action.VIEW)] == [mine]
        assert theirs not in Case.objects.restrict(caseworker, Action.VIEW_SUMMARY)


class TestDecision:
    def item(self, meeting: PanelMeeting, case: Case) -> AgendaItem:
        return services.add_case_to_agenda(meeting, case, actor=meeting.created_by)

    def test_first_contact_is_due_by_the_panels_deadline(
        self, meeting: PanelMeeting, panel: Panel, case: Case, coordinator: User, other_agency: Agency
    ) -> None:
        agreement(case.owning_agency, other_agency)
        from agencies.models import PanelReminderSettings

        on_panel(case, panel)
        PanelReminderSettings.objects.create(panel=panel, first_contact_days=3)
        decision = services.PanelDecision(
            first_contact_agency=other_agency,
            share_basis=CaseShare.Basis.LEGAL_DUTY,
            share_justification="Child protection duty",
            share_legal_duty="Child protection act",
        )
        services.record_decision(self.item(meeting, case), decision, actor=coordinator)
        case.refresh_from_db()
        assert case.first_contact_due_on == TODAY() + datetime.timedelta(days=3)

    def test_it_applies_the_decision_to_the_case(
        self, meeting: PanelMeeting, panel: Panel, case: Case, coordinator: User, other_agency: Agency
    ) -> None:
        # given a case on the panel and an ad-hoc school to involve
        on_panel(case, panel)
        school = AgencyFactory(name="School", sector=Agency.Sector.EDUCATION)
        agreement(case.owning_agency, other_agency, school)
        officer = member(other_agency, Role.POLICE_LIAISON)
        decision = services.PanelDecision(
            urgency="urgent",
            first_contact_agency=other_agency,
            owner=officer,
            next_review_on=TODAY() + datetime.timedelta(days=14),
            involved=[(school, "Attendance support"), (other_agency, "Security risk assessment")],
            share_basis=CaseShare.Basis.LEGAL_DUTY,
            share_justification="Child protection duty",
            share_legal_duty="Child protection act",
            notes="Police make first contact.",
        )
        # when the coordinator records it
        item = services.record_decision(self.item(meeting, case), decision, actor=coordinator)
        # then the case moves, the school gets the summary with why, the record is kept
        case.refresh_from_db()
        assert (case.owner, case.owning_agency, case.urgency) == (officer, other_agency, "urgent")
        assert case.first_contact_due_on == TODAY() + datetime.timedelta(days=7)
        school_share = CaseShare.objects.get(case=case, agency=school)
        assert (school_share.scope, school_share.purpose) == ("summary", "Attendance support")
        assert item.decision_notes == "Police make first contact." and item.involved.count() == 2
        assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.PANEL_DECISION).exists()

    def test_involving_a_new_agency_needs_a_lawful_basis_and_nothing_is_half_saved(
        self, meeting: PanelMeeting, panel: Panel, case: Case, coordinator: User
    ) -> None:
        on_panel(case, panel)
        item = self.item(meeting, case)
        school = AgencyFactory(name="School")
        decision = services.PanelDecision(urgency="urgent", involved=[(school, "Attendance")])
        with pytest.raises(ValidationError, match="lawful basis"):
            services.record_decision(item, decision, actor=coordinator)
        case.refresh_from_db()
        item.refresh_from_db()
        assert case.urgency == "routine" and not item.is_decided and not CaseShare.objects.exists()

    def test_a_panel_without_minutes_keeps_nothing_but_the_applied_decision(
        self, panel: Panel, case: Case, coordinator: User
    ) -> None:
        services.update_panel(panel, cadence_days=14, record_mode=Panel.RecordMode.NO_MINUTES, actor=coordinator)
        meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
        on_panel(case, panel)
        item = self.item(meeting, case)
        with pytest.raises(ValidationError, match="no minutes"):
            services.record_decision(item, services.PanelDecision(notes="Said X"), actor=coordinator)
        review = TODAY() + datetime.timedelta(days=10)
        item = services.record_decision(item, services.PanelDecision(next_review_on=review), actor=coordinator)
        case.refresh_from_db()
        assert case.next_review_on == review
        assert item.is_decided and item.next_review_on is None and item.decision_notes == ""

    def test_only_full_minutes_keep_the_discussion(
        self, meeting: PanelMeeting, panel: Panel, case: Case, coordinator: User
    ) -> None:
        on_panel(case, panel)
        with pytest.raises(ValidationError, match="no minutes of the discussion"):
            services.record_decision(
                self.item(meeting, case), services.PanelDecision(discussion="X said"), actor=coordinator
            )

    def test_a_next_review_in_the_past_is_refused(
        self, meeting: PanelMeeting, panel: Panel, case: Case, coordinator: User
    ) -> None:
        on_panel(case, panel)
        decision = services.PanelDecision(next_review_on=TODAY() - datetime.timedelta(days=1))
        with pytest.raises(ValidationError, match="past"):
            services.record_decision(self.item(meeting, case), decision, actor=coordinator)

    def test_an_owner_from_no_partner_agency_is_refused(
        self, meeting: PanelMeeting, panel: Panel, case: Case, coordinator: User
    ) -> None:
        on_panel(case, panel)
        nobody = User.objects.create_user("nobody")
        with pytest.raises(ValidationError, match="no partner agency"):
            services.record_decision(self.item(meeting, case), services.PanelDecision(owner=nobody), actor=coordinator)
        case.refresh_from_db()
        assert case.owner.username == "caseworker"

    def test_the_first_contact_agency_knows_the_case_after_the_decision(
        self, panel: Panel, coordinator: User, case: Case, other_agency: Agency
    ) -> None:
        agreement(case.owning_agency, other_agency)
        # given the police sit on the panel, and a police practitioner (no panel role)
        on_panel(case, panel)
        officer = member(other_agency, Role.POLICE_LIAISON)
        meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
        decision = services.PanelDecision(
            first_contact_agency=other_agency,
            share_basis="safeguarding",
            share_justification="Threat assessment by the police",
        )
        # when the panel decides the police make first contact
        services.record_decision(self.item(meeting, case), decision, actor=coordinator)
        # then the police practitioner knows the case
        forget_access(officer)
        assert Case.objects.restrict(officer, Action.VIEW_SUMMARY).filter(pk=case.pk).exists()

    def test_a_decision_without_minutes_says_on_the_timeline_what_changed(
        self, panel: Panel, coordinator: User, case: Case, other_agency: Agency
    ) -> None:
        agreement(case.owning_agency, other_agency)
        services.update_panel(panel, cadence_days=14, record_mode=Panel.RecordMode.NO_MINUTES, actor=coordinator)
        on_panel(case, panel)
        meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
        review = TODAY() + datetime.timedelta(days=10)
        decision = services.PanelDecision(
            urgency="urgent", first_contact_agency=other_agency, next_review_on=review, share_basis="legal_duty",
            share_justification="Child protection duty", share_legal_duty="Child protection act",
        )  # fmt: skip
        services.record_decision(self.item(meeting, case), decision, actor=coordinator)
        text = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.PANEL_DECISION).describe()
        assert "Urgent" in text and other_agency.name in text and review.strftime("%d/%m/%Y") in text
        assert AuditEvent.objects.get(action=AuditEvent.Action.PANEL_DECISION).data["urgency"] == "urgent"

    def test_full_minutes_keep_the_decision_notes_and_the_discussion(
        self, panel: Panel, coordinator: User, case: Case
    ) -> None:
        services.update_panel(panel, cadence_days=14, record_mode=Panel.RecordMode.FULL_MINUTES, actor=coordinator)
        on_panel(case, panel)
        meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
        decision = services.PanelDecision(notes="Agreed X", discussion="Police shared Y")
        item = services.record_decision(self.item(meeting, case), decision, actor=coordinator)
        assert (item.decision_notes, item.discussion) == ("Agreed X", "Police shared Y")
        assert PanelMeeting.objects.get(pk=meeting.pk).keeps_minutes


class TestDeclines:
    def test_an_agency_records_its_own_refusal(
        self, meeting: PanelMeeting, panel: Panel, case: Case, panel_member: User, other_agency: Agency
    ) -> None:
        on_panel(case, panel)
        item = services.add_case_to_agenda(meeting, case, actor=meeting.created_by)
        services.decline_to_share(item, agency=other_agency, reason="Ongoing investigation", actor=panel_member)
        assert ShareDeclined.objects.get(item=item).reason == "Ongoing investigation"
        with pytest.raises(ValidationError):
            services.decline_to_share(item, agency=other_agency, actor=panel_member)

    def test_nobody_records_a_refusal_for_another_agency(
        self, meeting: PanelMeeting, panel: Panel, case: Case, panel_member: User, agency: Agency
    ) -> None:
        on_panel(case, panel)
        item = services.add_case_to_agenda(meeting, case, actor=meeting.created_by)
        with pytest.raises(ValidationError, match="agency itself"):
            services.decline_to_share(item, agency=agency, actor=panel_member)

    def test_a_named_coordinator_without_the_role_records_no_refusal_for_an_agency(
        self, panel: Panel, coordinator: User, case: Case, agency: Agency
    ) -> None:
        # given the panel still names as its coordinator someone who lost the role
        on_panel(case, panel)
        meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
        item = services.add_case_to_agenda(meeting, case, actor=coordinator)
        Membership.objects.filter(user=coordinator).update(role=Role.PANEL_MEMBER)
        forget_access(coordinator)
        # then they may not record an agency's refusal to share
        with pytest.raises(ValidationError, match="agency itself"):
            services.decline_to_share(item, agency=agency, actor=coordinator)


def test_closing_a_meeting_keeps_minutes_only_where_the_panel_keeps_them(
    meeting: PanelMeeting, coordinator: User
) -> None:
    PanelMeeting.objects.filter(pk=meeting.pk).update(scheduled_for=timezone.now())
    with pytest.raises(ValidationError, match="no minutes"):
        services.close_meeting(meeting, minutes="Long discussion", actor=coordinator)
    services.close_meeting(meeting, actor=coordinator)
    meeting.refresh_from_db()
    assert meeting.status == PanelMeeting.Status.HELD
    with pytest.raises(ValidationError, match="already closed"):
        services.close_meeting(meeting, actor=coordinator)
    with pytest.raises(ValidationError, match="scheduled"):
        services.build_agenda(meeting)


class TestClosingAMeeting:
    def test_a_meeting_is_not_held_before_its_day_but_may_be_cancelled(self, panel: Panel, coordinator: User) -> None:
        # given a meeting twelve days ahead
        ahead = services.schedule_meeting(
            panel, scheduled_for=timezone.now() + datetime.timedelta(days=12), actor=coordinator
        )
        # then it cannot be closed as held, and stays planned
        with pytest.raises(ValidationError, match="cannot be held before then"):
            services.close_meeting(ahead, actor=coordinator)
        assert PanelMeeting.objects.get(pk=ahead.pk).status == PanelMeeting.Status.SCHEDULED
        # a cancellation is fine at any time
        services.close_meeting(ahead, cancelled=True, actor=coordinator)
        assert PanelMeeting.objects.get(pk=ahead.pk).status == PanelMeeting.Status.CANCELLED

    def test_undecided_cases_need_confirming_and_a_closed_meeting_takes_no_decision(
        self, panel: Panel, coordinator: User
    ) -> None:
        # given a meeting today with three cases, one decided
        meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
        cases = [on_panel(CaseFactory(), panel) for _ in range(3)]
        items = [services.add_case_to_agenda(meeting, case, actor=coordinator) for case in cases]
        services.record_decision(items[0], services.PanelDecision(urgency="urgent"), actor=coordinator)
        # when it is closed without a word about the other two, it is refused
        with pytest.raises(ValidationError, match="2 cases on the agenda are undecided"):
            services.close_meeting(meeting, actor=coordinator)
        # with the confirmation, it is held
        services.close_meeting(meeting, leave_undecided=True, actor=coordinator)
        assert PanelMeeting.objects.get(pk=meeting.pk).status == PanelMeeting.Status.HELD
        # and then its items take no decision
        with pytest.raises(ValidationError, match="This meeting is closed"):
            services.record_decision(items[1], services.PanelDecision(urgency="urgent"), actor=coordinator)
        assert AgendaItem.objects.get(pk=items[1].pk).decided_at is None


def test_a_meeting_is_listed_once_however_many_attended(
    meeting: PanelMeeting, coordinator: User, panel_member: User, caseworker: User
) -> None:
    for user in (coordinator, panel_member, caseworker):
        services.record_attendance(meeting, user=user, actor=coordinator)
    for user in (coordinator, panel_member, caseworker):
        forget_access(user)
        assert list(PanelMeeting.objects.restrict(user, Action.VIEW)) == [meeting]
