"""Subject access: the data protection officer alone opens a request, exports everything held on
the person with third-party data marked, and completes it (decision 44)."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.models import User
from audit.models import AuditEvent, SubjectAccessRequest
from cases.models import Case
from privacy import subject_access

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_for(case: Case, dpo: User, received: datetime.date | None = None) -> SubjectAccessRequest:
    return subject_access.open_request(
        case.index_person, requested_by="The mother", received_on=received or timezone.localdate(), actor=dpo
    )


class TestDueDate:
    @pytest.mark.parametrize(
        ("received", "due"),
        [
            (datetime.date(2026, 1, 15), datetime.date(2026, 2, 15)),
            (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)),
            (datetime.date(2028, 1, 31), datetime.date(2028, 2, 29)),
            (datetime.date(2026, 12, 10), datetime.date(2027, 1, 10)),
        ],
    )
    def test_it_is_one_calendar_month(self, received: datetime.date, due: datetime.date) -> None:
        assert subject_access.add_one_month(received) == due

    def test_an_old_request_shows_overdue(self, case: Case, dpo: User) -> None:
        sar = open_for(case, dpo, received=timezone.localdate() - datetime.timedelta(days=40))
        assert sar.is_overdue
        body = client_for(dpo).get(reverse("privacy:sar_list")).content.decode()
        assert "overdue" in body


class TestExport:
    def test_it_holds_everything_and_marks_third_parties(self, full_case: Case, dpo: User) -> None:
        # given
        sar = open_for(full_case, dpo)
        # when
        data = subject_access.export_request(sar, actor=dpo, fmt="json")
        # then
        sections = data["sections"]
        assert sections["person"][0]["id"] == full_case.index_person_id
        assert [c["id"] for c in sections["cases"]] == [full_case.pk]
        mother = sections["family_members"][0]
        assert mother["fields"]["given_name"] == "Mimoza" and "given_name" in mother["redact"]
        referral = sections["referrals"][0]
        assert referral["fields"]["reporter_name"] == "Reporter Qwerty" and "reporter_name" in referral["redact"]
        notes = [r for r in sections["case_records"] if r["type"] == "cases.casenote"]
        team, police = sorted(notes, key=lambda r: r["id"])
        assert team["redact"] == [] and team["fields"]["text"] == "Team note Asdf"
        assert "text" in police["redact"] and police["redact_reason"] == subject_access.REDACT_OTHER_AGENCY
        assert "must_not_be_told" in sections["restrictions"][0]["redact"]
        assert sections["consents"][0]["redact"] == ["given_by_id"]
        assert sections["audit_events"] and all("actor_username" in e["redact"] for e in sections["audit_events"])

    def test_a_consent_about_another_member_is_a_third_partys(self, full_case: Case, dpo: User) -> None:
        # given the mother asks for what Ura holds on her; the consent on file is about her son
        from families.models import Person

        mother = Person.objects.get(family=full_case.family, given_name="Mimoza")
        sar = subject_access.open_request(mother, requested_by="Herself", received_on=timezone.localdate(), actor=dpo)
        # when
        consents = subject_access.export_request(sar, actor=dpo, fmt="json")["sections"]["consents"]
        # then the son's consent (who, what for, why withdrawn) is marked whole
        assert consents and consents[0]["fields"]["person_id"] == full_case.index_person_id
        assert "purpose_text" in consents[0]["redact"] and "person_id" in consents[0]["redact"]
        assert consents[0]["redact_reason"] == subject_access.REDACT_THIRD_PARTY

    def test_a_referral_matched_by_name_only_is_marked_to_confirm(self, full_case: Case, dpo: User) -> None:
        # given a referral about someone of the same name, linked to no case or family of theirs
        from tests.factories import ReferralFactory

        person = full_case.index_person
        ReferralFactory(
            received_by=full_case.owning_agency, concern="About a namesake Wxyz",
            subject_given_name=person.given_name, subject_family_name=person.family_name,
        )  # fmt: skip
        sar = open_for(full_case, dpo)
        # when
        referrals = subject_access.export_request(sar, actor=dpo, fmt="json")["sections"]["referrals"]
        # then it is there, but marked whole until the DPO confirms it is this person
        namesake = next(r for r in referrals if r["fields"]["concern"] == "About a namesake Wxyz")
        assert "concern" in namesake["redact"] and namesake["redact_reason"] == subject_access.REDACT_NAMESAKE
        linked = next(r for r in referrals if r["fields"]["case_id"] == full_case.pk)
        assert "concern" not in linked["redact"]

    def test_the_export_is_audited(self, full_case: Case, dpo: User) -> None:
        sar = open_for(full_case, dpo)
        response = client_for(dpo).get(reverse("privacy:sar_export", args=[sar.pk]), {"format": "json"})
        assert response.status_code == 200
        assert json.loads(response.content)["subject"]["id"] == full_case.index_person_id
        event = AuditEvent.objects.get(action=AuditEvent.Action.SUBJECT_ACCESS_EXPORTED)
        assert event.actor == dpo and event.data["format"] == "json" and event.object_id == str(sar.pk)

    def test_the_printable_page_marks_redactions(self, full_case: Case, dpo: User) -> None:
        sar = open_for(full_case, dpo)
        body = client_for(dpo).get(reverse("privacy:sar_export", args=[sar.pk])).content.decode()
        assert "Reporter Qwerty" in body and 'class="badge text-bg-danger redact-mark">REDACT' in body

    def test_complete_records_when(self, case: Case, dpo: User) -> None:
        sar = open_for(case, dpo)
        response = client_for(dpo).post(reverse("privacy:sar_complete", args=[sar.pk]))
        assert response.status_code == 302
        sar.refresh_from_db()
        assert sar.completed_at is not None and sar.completed_by == dpo and not sar.is_overdue
        assert AuditEvent.objects.filter(action=AuditEvent.Action.SUBJECT_ACCESS_COMPLETED).count() == 1


class TestOnlyTheDpo:
    @pytest.mark.parametrize("role", ["caseworker", "supervisor", "coordinator", "auditor_readonly"])
    def test_no_other_role_reaches_the_pages(
        self, role: str, case: Case, dpo: User, request: pytest.FixtureRequest
    ) -> None:
        user = request.getfixturevalue(role)
        sar = open_for(case, dpo)
        client = client_for(user)
        for url in (
            reverse("privacy:sar_list"),
            reverse("privacy:sar", args=[sar.pk]),
            reverse("privacy:sar_export", args=[sar.pk]),
            reverse("privacy:sar_create", args=[case.index_person_id]),
            reverse("privacy:retention_list"),
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(reverse("privacy:sar_complete", args=[sar.pk])).status_code == 404
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.SUBJECT_ACCESS_EXPORTED).exists()

    def test_the_service_refuses_anyone_else(self, case: Case, caseworker: User) -> None:
        with pytest.raises(PermissionDenied):
            subject_access.collect(case.index_person, actor=caseworker)

    def test_the_dpo_finds_a_person_and_opens_a_request(self, case: Case, dpo: User) -> None:
        client = client_for(dpo)
        body = client.get(reverse("privacy:sar_list"), {"q": case.index_person.family_name}).content.decode()
        assert reverse("privacy:sar_create", args=[case.index_person_id]) in body
        response = client.post(
            reverse("privacy:sar_create", args=[case.index_person_id]),
            {"requested_by": "Herself", "received_on": timezone.localdate().isoformat()},
        )
        assert response.status_code == 302
        sar = SubjectAccessRequest.objects.get()
        assert sar.due_on == subject_access.add_one_month(timezone.localdate())

    def test_the_people_a_search_showed_are_recorded(self, case: Case, dpo: User) -> None:
        # The DPO's search reads names across every family: which people it showed is recorded.
        client_for(dpo).get(reverse("privacy:sar_list"), {"q": case.index_person.family_name})
        event = AuditEvent.objects.filter(actor=dpo, action=AuditEvent.Action.LIST_READ).latest("pk")
        assert event.data["people"] == [case.index_person_id]
        assert case.index_person.family_name not in str(event.data)  # ids, not the name searched

    def test_the_list_has_constant_queries(
        self,
        case: Case,
        dpo: User,
        django_assert_max_num_queries: DjangoAssertNumQueries,
    ) -> None:
        for _ in range(5):
            open_for(case, dpo)
        client = client_for(dpo)
        with django_assert_max_num_queries(12):
            client.get(reverse("privacy:sar_list"))
