"""Experts who are not users: the register, and a consultation recorded on the case by its owner,
read by the case's full readers only."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from agencies.access import Action
from agencies.models import Agency, Expert, Membership, User
from audit.models import AuditEvent
from cases import services
from cases.models import Case, ExpertConsultation
from panels import network
from reminders.models import Reminder
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, agreement

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def expert(coordinator: User, agency: Agency) -> Expert:
    """Entered in the register by the coordinator, in the browser, for the owner's agency."""
    client = Client()
    client.force_login(coordinator)
    response = client.post(
        reverse("panels:expert_create"),
        {
            "name": "Prof. Besnik Hoxha",
            "field": "Islamic theology",
            "languages": "Albanian, Arabic",
            "agencies": [agency.pk],
            "agreement_reference": "Confidentiality agreement 2026/4",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Expert.objects.get()


def _record(client: Client, case: Case, expert: Expert) -> None:
    response = client.post(
        reverse("cases:entry_create", args=[case.pk, "expertconsultation"]),
        {
            "expert": expert.pk,
            "consulted_on": "2026-12-01",
            "shared": "The young man's reading list and what he said at school.",
            "basis": ExpertConsultation.Basis.CONSENT,
            "advice": "A mentor of his own faith.",
            "visibility": "case_team",
            "finalise": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def test_an_expert_consultation_shows_on_the_case_to_full_readers_only(
    case: Case, caseworker: User, expert: Expert, police_officer: User, summary_reader: User
) -> None:
    # given the case owner records the consultation in the browser
    owner = Client()
    owner.force_login(caseworker)
    _record(owner, case, expert)
    consultation = ExpertConsultation.objects.get()
    assert not consultation.is_draft and consultation.author == caseworker
    # then a full reader (the police, through a full share) reads it on the case and in the API
    full = Client()
    full.force_login(police_officer)
    assert "Besnik Hoxha" in full.get(case.get_absolute_url()).content.decode()
    assert full.get(consultation.get_absolute_url()).status_code == 200
    assert api_as(police_officer).get(reverse("cases-api:expertconsultation-list")).data["count"] == 1
    # and a reader of the summary does not
    summary = Client()
    summary.force_login(summary_reader)
    page = summary.get(case.get_absolute_url())
    assert page.status_code == 200 and "Besnik Hoxha" not in page.content.decode()
    assert summary.get(consultation.get_absolute_url()).status_code in (403, 404)
    assert api_as(summary_reader).get(reverse("cases-api:expertconsultation-list")).data["count"] == 0


def test_only_who_runs_the_case_records_a_consultation(case: Case, expert: Expert, police_officer: User) -> None:
    consultation = ExpertConsultation(case=case, expert=expert, shared="x", basis=ExpertConsultation.Basis.CONSENT)
    with pytest.raises(ValidationError):
        services.record_expert_consultation(consultation, actor=police_officer)
    assert not ExpertConsultation.objects.exists()


def test_an_expert_the_agency_may_not_consult_is_refused(case: Case, caseworker: User, other_agency: Agency) -> None:
    expert = Expert.objects.create(name="Dr. Other", field="Trauma")
    expert.agencies.set([other_agency])
    consultation = ExpertConsultation(case=case, expert=expert, shared="x", basis=ExpertConsultation.Basis.CONSENT)
    with pytest.raises(ValidationError, match="may not consult"):
        services.record_expert_consultation(consultation, actor=caseworker)


def test_a_practitioner_reads_the_register_but_does_not_keep_it(client: Client, caseworker: User) -> None:
    client.force_login(caseworker)
    assert client.get(reverse("panels:experts")).status_code == 200
    assert client.get(reverse("panels:expert_create")).status_code == 403


def _safeguarding(case: Case, expert: Expert, **extra: object) -> ExpertConsultation:
    return ExpertConsultation(
        case=case, expert=expert, shared="His name and what he said.", basis=ExpertConsultation.Basis.SAFEGUARDING,
        **extra,
    )  # fmt: skip


OVERRIDE = "He spoke of tonight; the expert's agreement is being signed next week."


def test_without_consent_a_consultation_needs_the_experts_current_agreement(
    case: Case, caseworker: User, expert: Expert, agency: Agency, other_agency: Agency
) -> None:
    # given an expert working under no agreement
    with pytest.raises(ValidationError, match="works under no current information-sharing agreement"):
        services.record_expert_consultation(_safeguarding(case, expert), actor=caseworker)
    # nor under one to which the consulting agency is no party
    Expert.objects.filter(pk=expert.pk).update(agreement=agreement(other_agency, AgencyFactory(name="School")))
    expert.refresh_from_db()
    with pytest.raises(ValidationError, match="works under no current"):
        services.record_expert_consultation(_safeguarding(case, expert), actor=caseworker)
    assert not ExpertConsultation.objects.exists()
    # when the expert works under a current agreement of the owner's agency, it is recorded
    Expert.objects.filter(pk=expert.pk).update(agreement=agreement(agency, other_agency))
    expert.refresh_from_db()
    assert services.record_expert_consultation(_safeguarding(case, expert), actor=caseworker).pk


def test_the_emergency_override_of_a_consultation_tells_the_data_protection_officer(
    case: Case, caseworker: User, expert: Expert
) -> None:
    dpo = member(AgencyFactory(name="Municipality DPO"), Role.DATA_PROTECTION_OFFICER, username="dpo")
    with pytest.raises(ValidationError, match="at least 20 characters"):
        services.record_expert_consultation(_safeguarding(case, expert, agreement_override="now"), actor=caseworker)
    made = services.record_expert_consultation(
        _safeguarding(case, expert, agreement_override=OVERRIDE), actor=caseworker
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.AGREEMENT_OVERRIDDEN)
    assert event.case_id == case.pk and event.reason == OVERRIDE and event.object_id == str(made.pk)
    assert Reminder.objects.restrict(dpo, Action.VIEW).filter(kind="agreement_overridden").count() == 1


def test_an_agency_administrator_does_not_change_the_register(
    client: Client, agency: Agency, expert: Expert, other_agency: Agency
) -> None:
    # given the administrator of another agency
    admin = member(other_agency, Role.AGENCY_ADMIN, username="admin")
    client.force_login(admin)
    # then they cannot open an expert's form, nor add their agency in the API
    assert client.get(reverse("panels:expert_edit", args=[expert.pk])).status_code == 404
    response = api_as(admin).patch(f"/api/v1/experts/{expert.pk}/", {"agencies": [other_agency.pk]}, format="json")
    assert response.status_code == 404
    assert api_as(admin).post("/api/v1/experts/", {"name": "X", "field": "Y"}, format="json").status_code == 403
    with pytest.raises(ValidationError, match="Only a coordinator keeps"):
        network.save_expert(actor=admin, expert=expert, agencies=[agency, other_agency], name=expert.name)
    assert list(expert.agencies.all()) == [agency]
