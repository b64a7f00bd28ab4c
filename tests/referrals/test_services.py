"""Intake, crisis routing, matching, repeat concerns, triage and feedback."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from agencies.access import Action, forget_access
from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from cases.models import Case, CaseEvent
from referrals import services
from referrals.models import Referral, TriageDecision
from tests.conftest import member
from tests.factories import AgencyFactory, CaseFactory, PanelFactory, PersonFactory, ReferralFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
Decision = TriageDecision.Decision


def record(actor: User, agency: Agency, **fields: object) -> Referral:
    defaults: dict[str, object] = {"channel": Referral.Channel.PROFESSIONAL, "concern": "Talks about joining a group."}
    return services.record_referral(actor=actor, received_by=agency, **{**defaults, **fields})


class TestIntake:
    def test_it_records_the_concern_with_its_indicators_and_deadline(self, caseworker: User, agency: Agency) -> None:
        received = timezone.now() - datetime.timedelta(hours=2)
        referral = record(caseworker, agency, received_at=received, indicators=["online", "isolation", "online"])
        assert sorted(referral.indicators.values_list("kind", flat=True)) == ["isolation", "online"]
        assert referral.triage_due_at == received + datetime.timedelta(hours=24)
        assert referral.status == Referral.Status.NEW and referral.recorded_by == caseworker
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.REFERRAL_RECORDED, object_id=str(referral.pk)
        ).exists()

    def test_the_panels_triage_deadline_is_used(self, caseworker: User, agency: Agency, panel: Panel) -> None:
        from agencies.models import PanelReminderSettings

        PanelReminderSettings.objects.create(panel=panel, triage_hours=8)
        received = timezone.now() - datetime.timedelta(hours=2)
        referral = record(caseworker, agency, received_at=received, panel=panel)
        assert referral.triage_due_at == received + datetime.timedelta(hours=8)

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("received_at", timezone.now() + datetime.timedelta(days=1), "received in the future"),
            ("observed_on", timezone.localdate() + datetime.timedelta(days=1), "cannot lie in the future"),
            ("subject_date_of_birth", timezone.localdate() + datetime.timedelta(days=1), "cannot lie in the future"),
        ],
    )
    def test_dates_in_the_future_are_refused(
        self, caseworker: User, agency: Agency, field: str, value: object, message: str
    ) -> None:
        with pytest.raises(ValidationError, match=message):
            record(caseworker, agency, **{field: value})
        assert not Referral.objects.exists()

    def test_an_anonymous_reporter_keeps_no_name(self, caseworker: User, agency: Agency) -> None:
        with pytest.raises(ValidationError, match="anonymous"):
            record(caseworker, agency, reporter_anonymous=True, reporter_name="Mira")
        assert not Referral.objects.exists()

    def test_a_concern_is_required(self, caseworker: User, agency: Agency) -> None:
        with pytest.raises(ValidationError):
            record(caseworker, agency, concern="")
        assert not Referral.objects.exists()


class TestCrisis:
    def test_a_crisis_goes_to_the_police_at_once_and_alerts_them_after_commit(
        self,
        caseworker: User,
        agency: Agency,
        other_agency: Agency,
        panel: Panel,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    ) -> None:
        # given a police liaison on the same panel as the receiving agency
        officer = member(other_agency, Role.POLICE_LIAISON)
        User.objects.filter(pk=officer.pk).update(email="officer@police.example")
        # when a crisis is recorded
        with django_capture_on_commit_callbacks(execute=True):
            referral = record(
                caseworker, agency, is_crisis=True, crisis_reason=Referral.CrisisReason.ATTACK,
                subject_given_name="Ardit", subject_family_name="Krasniqi",
            )  # fmt: skip
        # then it is routed to the police, urgent, visible to the officer, and they are e-mailed
        assert referral.routed_to == other_agency and referral.urgency == Referral.Urgency.URGENT
        forget_access(officer)
        assert Referral.objects.restrict(officer, Action.MANAGE).filter(pk=referral.pk).exists()
        assert [message.to for message in mail.outbox] == [["officer@police.example"]]
        # and the e-mail names no one
        body = mail.outbox[0].subject + mail.outbox[0].body
        assert "Krasniqi" not in body and "Ardit" not in body and f"/referrals/{referral.pk}/" in body

    def test_a_crisis_needs_its_reason(self, caseworker: User, agency: Agency) -> None:
        with pytest.raises(ValidationError, match="why this is a crisis"):
            record(caseworker, agency, is_crisis=True)
        assert not Referral.objects.exists()

    def test_the_police_keep_their_own_crisis(self, other_agency: Agency) -> None:
        officer = member(other_agency, Role.POLICE_LIAISON)
        referral = record(officer, other_agency, is_crisis=True, crisis_reason=Referral.CrisisReason.TRAVEL)
        assert referral.routed_to == other_agency

    def test_the_alert_is_recorded_and_the_police_see_who_reported(
        self,
        caseworker: User,
        agency: Agency,
        other_agency: Agency,
        panel: Panel,
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    ) -> None:
        officer = member(other_agency, Role.POLICE_LIAISON)
        User.objects.filter(pk=officer.pk).update(email="o@police.example")
        # when a crisis is recorded with a named witness
        with django_capture_on_commit_callbacks(execute=True):
            referral = services.record_referral(
                actor=caseworker, received_by=agency, channel="police", concern="x", is_crisis=True,
                crisis_reason="attack", reporter_name="Witness W",
            )  # fmt: skip
        # then one alert goes, and the audit trail says to how many
        assert len(mail.outbox) == 1
        assert AuditEvent.objects.get(action=AuditEvent.Action.CRISIS_ALERT_SENT).data["recipients"] == 1
        # and the police, who may need to reach the reporter at once, see who it was
        client = Client()
        client.force_login(officer)
        assert "Witness W" in client.get(referral.get_absolute_url()).content.decode()


class TestMatching:
    def test_it_finds_a_visible_case_across_spellings(self, case: Case, caseworker: User) -> None:
        Case.objects.filter(pk=case.pk).update()
        PersonFactory(family=case.family, given_name="Ardit", family_name="Krasniqi", relationship="sibling")
        found = services.find_matches(caseworker, given_name="Ardit", family_name="Krasnići")
        assert [match.obj for match in found.cases] == [case]

    def test_it_never_reveals_what_the_user_may_not_see(self, caseworker_other_agency: User) -> None:
        # given a case and a referral of another agency about the same person
        hidden_case = CaseFactory()
        PersonFactory(family=hidden_case.family, given_name="Ardit", family_name="Krasniqi", relationship="sibling")
        ReferralFactory(subject_given_name="Ardit", subject_family_name="Krasniqi")
        # then a stranger's search finds nothing at all
        found = services.find_matches(caseworker_other_agency, given_name="Ardit", family_name="Krasniqi")
        assert not found and found.cases == [] and found.referrals == []

    def test_a_summary_reader_matches_the_index_person_only(self, case: Case, panel: Panel, panel_member: User) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        PersonFactory(family=case.family, given_name="Drita", family_name=case.family.name, relationship="sibling")
        index = case.index_person
        assert services.find_matches(panel_member, given_name=index.given_name, family_name=index.family_name).cases
        assert not services.find_matches(panel_member, given_name="Drita", family_name=case.family.name)

    def test_a_date_of_birth_confirms_a_different_given_name(self, caseworker: User, agency: Agency) -> None:
        earlier = record(caseworker, agency, subject_given_name="Ardi", subject_family_name="Gashi",
                         subject_date_of_birth=datetime.date(2008, 3, 1))  # fmt: skip
        found = services.find_matches(
            caseworker, given_name="Arben", family_name="Gashi", date_of_birth=datetime.date(2008, 3, 1)
        )
        assert [match.obj for match in found.referrals] == [earlier]
        assert not services.find_matches(caseworker, given_name="Besa", family_name="Gashi")

    def test_a_visible_case_is_found_among_many_hidden_namesakes(self, caseworker: User, case: Case) -> None:
        # given the case's Ardit Krasniqi, and 300 namesakes in cases the caseworker may not see
        PersonFactory(family=case.family, given_name="Ardit", family_name="Krasniqi", relationship="sibling")
        for hidden in CaseFactory.create_batch(5):
            PersonFactory.create_batch(
                60, family=hidden.family, given_name="Ardit", family_name="Krasniqi", relationship="sibling"
            )
        # then the search finds the visible one
        found = services.find_matches(caseworker, given_name="Ardit", family_name="Krasniqi")
        assert [match.obj for match in found.cases] == [case]


class TestRepeatConcerns:
    def test_a_repeat_joins_the_earlier_record_and_takes_no_triage_of_its_own(
        self, caseworker: User, agency: Agency
    ) -> None:
        first, repeat = record(caseworker, agency), record(caseworker, agency)
        services.add_to_earlier(repeat, primary=first, actor=caseworker)
        repeat.refresh_from_db()
        assert repeat.primary == first and repeat.status == Referral.Status.ADDED
        with pytest.raises(ValidationError, match="added to an earlier record"):
            services.triage_referral(repeat, decision=Decision.GATHER_INFORMATION, actor=caseworker)

    def test_a_closed_record_comes_back_for_triage(self, caseworker: User, agency: Agency) -> None:
        first = record(caseworker, agency)
        services.triage_referral(first, decision=Decision.NO_FURTHER_ACTION, reason="rebellion", actor=caseworker)
        services.add_to_earlier(record(caseworker, agency), primary=first, actor=caseworker)
        first.refresh_from_db()
        assert first.status == Referral.Status.NEW and first.triage_due_at > timezone.now()

    def test_a_concern_added_to_a_case_shows_on_its_timeline(
        self, case: Case, caseworker: User, agency: Agency
    ) -> None:
        referral = record(caseworker, agency)
        services.add_to_earlier(referral, case=case, actor=caseworker)
        assert CaseEvent.objects.filter(
            case=case, kind=CaseEvent.Kind.CONCERN_ADDED, data__referral=referral.pk
        ).exists()

    def test_chains_point_at_the_first_record(self, caseworker: User, agency: Agency) -> None:
        first, second, third = (record(caseworker, agency) for _ in range(3))
        services.add_to_earlier(second, primary=first, actor=caseworker)
        services.add_to_earlier(third, primary=second, actor=caseworker)
        third.refresh_from_db()
        assert third.primary == first

    def test_one_target_only(self, case: Case, caseworker: User, agency: Agency) -> None:
        referral = record(caseworker, agency)
        with pytest.raises(ValidationError, match="Choose one"):
            services.add_to_earlier(referral, primary=record(caseworker, agency), case=case, actor=caseworker)

    def test_a_concern_is_never_added_to_a_record_the_actor_cannot_see(
        self, caseworker: User, agency: Agency, other_agency: Agency
    ) -> None:
        # given A held by the police, B (visible to the social worker) already added to A
        officer = member(other_agency, Role.POLICE_LIAISON)
        a = ReferralFactory(received_by=other_agency)
        b = ReferralFactory(received_by=agency)
        Referral.objects.filter(pk=b.pk).update(primary=a, status=Referral.Status.ADDED)
        services.triage_referral(a, decision=Decision.NO_FURTHER_ACTION, reason="rebellion", actor=officer)
        c = ReferralFactory(received_by=agency)
        # when the social worker joins C to B, then it is refused, and A stays as it was
        with pytest.raises(ValidationError, match="may not see"):
            services.add_to_earlier(c, primary=b, actor=caseworker)
        a.refresh_from_db()
        c.refresh_from_db()
        assert a.status == Referral.Status.CLOSED and c.primary is None


class TestTriage:
    def test_no_further_action_needs_a_reason_and_keeps_who_and_when(self, caseworker: User, agency: Agency) -> None:
        referral = record(caseworker, agency)
        with pytest.raises(ValidationError):
            services.triage_referral(referral, decision=Decision.NO_FURTHER_ACTION, actor=caseworker)
        assert not TriageDecision.objects.exists()
        taken = services.triage_referral(
            referral, decision=Decision.NO_FURTHER_ACTION, reason="new_faith", actor=caseworker
        )
        referral.refresh_from_db()
        assert (taken.decided_by, referral.status) == (caseworker, Referral.Status.CLOSED)
        assert referral.triaged_at == taken.decided_at

    def test_gathering_information_is_followed_by_a_second_decision(self, caseworker: User, agency: Agency) -> None:
        referral = record(caseworker, agency)
        first = services.triage_referral(referral, decision=Decision.GATHER_INFORMATION, actor=caseworker)
        services.triage_referral(referral, decision=Decision.ADVICE_GIVEN, actor=caseworker)
        referral.refresh_from_db()
        assert referral.decisions.count() == 2 and referral.triaged_at == first.decided_at
        with pytest.raises(ValidationError, match="already been decided"):
            services.triage_referral(referral, decision=Decision.GATHER_INFORMATION, actor=caseworker)

    def test_the_panel_agenda_decision_joins_the_next_meeting(
        self, caseworker: User, agency: Agency, panel: Panel, coordinator: User, auditor_readonly: User
    ) -> None:
        from panels import services as panel_services

        meeting = panel_services.schedule_meeting(
            panel, scheduled_for=timezone.now() + datetime.timedelta(days=3), actor=coordinator
        )
        referral = record(caseworker, agency)
        # the police have said whether the person is already under investigation (decision 127)
        services.answer_deconfliction(referral.deconfliction, answer="no", actor=auditor_readonly)
        services.triage_referral(referral, decision=Decision.PANEL_AGENDA, panel=panel, actor=caseworker)
        assert meeting.items.filter(referral=referral).exists()

    def test_opening_a_case_records_the_family_and_the_owner(self, caseworker: User, agency: Agency) -> None:
        referral = record(caseworker, agency, subject_given_name="Arta", subject_family_name="Leka", is_crisis=True,
                          crisis_reason="attack")  # fmt: skip
        services.triage_referral(
            referral, decision=Decision.OPEN_CASE, new_case=services.NewCase(owner=caseworker), actor=caseworker
        )
        referral.refresh_from_db()
        case = referral.case
        assert case is not None and case.family.name == "Leka" and case.index_person.given_name == "Arta"
        assert case.owner == caseworker and case.urgency == Case.Urgency.CRISIS

    def test_an_owner_outside_every_partner_agency_is_refused_and_nothing_is_saved(
        self, caseworker: User, agency: Agency
    ) -> None:
        referral = record(caseworker, agency, subject_family_name="Leka")
        nobody = User.objects.create_user("nobody")
        with pytest.raises(ValidationError, match="no partner agency"):
            services.triage_referral(
                referral, decision=Decision.OPEN_CASE, new_case=services.NewCase(owner=nobody), actor=caseworker
            )
        referral.refresh_from_db()
        assert (
            referral.status == Referral.Status.NEW and not TriageDecision.objects.exists() and not Case.objects.exists()
        )

    def test_a_referral_goes_only_on_a_panel_its_agency_sits_on(self, caseworker: User, agency: Agency) -> None:
        # given a panel far away, which the receiving agency does not sit on
        far = PanelFactory(name="Far panel")
        far.agencies.add(AgencyFactory(name="Far police"))
        referral = ReferralFactory(received_by=agency)
        # then triage refuses to put the referral on it
        with pytest.raises(ValidationError, match="sits on"):
            services.triage_referral(referral, decision=Decision.PANEL_AGENDA, panel=far, actor=caseworker)
        referral.refresh_from_db()
        assert referral.panel is None and referral.status == Referral.Status.NEW
        # and the form does not offer it
        client = Client()
        client.force_login(caseworker)
        page = client.get(reverse("referrals:referral_triage", args=[referral.pk]))
        assert far not in page.context["form"].fields["panel"].queryset

    def test_opening_a_case_that_the_triager_would_lose_sight_of_is_refused(
        self, caseworker: User, agency: Agency, other_agency: Agency
    ) -> None:
        officer = member(other_agency, Role.POLICE_LIAISON)
        referral = ReferralFactory(received_by=agency, subject_family_name="Leka")
        with pytest.raises(ValidationError, match="lose sight"):
            services.triage_referral(
                referral, decision=Decision.OPEN_CASE, new_case=services.NewCase(owner=officer), actor=caseworker
            )
        assert not Case.objects.exists() and not TriageDecision.objects.exists()


class TestFeedback:
    def test_a_professional_reporter_hears_the_outcome(self, caseworker: User, agency: Agency) -> None:
        referral = record(caseworker, agency, reporter_is_professional=True, reporter_name="Teacher")
        with pytest.raises(ValidationError, match="once the referral has been triaged"):
            services.record_feedback(referral, feedback="Thanks", actor=caseworker)
        services.triage_referral(referral, decision=Decision.ADVICE_GIVEN, actor=caseworker)
        services.record_feedback(referral, feedback="We gave advice; the school follows up.", actor=caseworker)
        referral.refresh_from_db()
        assert referral.reporter_feedback.startswith("We gave advice") and referral.reporter_feedback_at

    def test_feedback_is_for_professionals(self, caseworker: User, agency: Agency) -> None:
        referral = record(caseworker, agency, reporter_anonymous=True)
        services.triage_referral(referral, decision=Decision.ADVICE_GIVEN, actor=caseworker)
        with pytest.raises(ValidationError, match="professional"):
            services.record_feedback(referral, feedback="x", actor=caseworker)


def test_referral_visibility(
    caseworker: User, agency: Agency, panel: Panel, panel_member: User, coordinator: User
) -> None:
    own = record(caseworker, agency)
    on_panel = record(caseworker, agency)
    Referral.objects.filter(pk=on_panel.pk).update(panel=panel)
    elsewhere = ReferralFactory(received_by=AgencyFactory())
    for user in (caseworker, panel_member, coordinator):
        forget_access(user)
    assert set(Referral.objects.restrict(caseworker, Action.VIEW)) == {own, on_panel}
    assert set(Referral.objects.restrict(panel_member, Action.VIEW)) == {on_panel}
    assert set(Referral.objects.restrict(panel_member, Action.MANAGE)) == set()
    assert set(Referral.objects.restrict(coordinator, Action.MANAGE)) == {on_panel}
    assert elsewhere not in Referral.objects.restrict(coordinator, Action.VIEW)
