"""Subject access: the data protection officer alone opens a request, exports everything held on
the person with third-party data marked, and completes it (decision 44)."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
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
    def test_it_holds_everything_leaves_out_third_parties_and_marks_what_to_review(
        self, full_case: Case, dpo: User
    ) -> None:
        # given
        sar = open_for(full_case, dpo)
        # when
        data = subject_access.export_request(sar, actor=dpo, fmt="json")
        # then
        sections = data["sections"]
        assert sections["person"][0]["id"] == full_case.index_person_id
        assert [c["id"] for c in sections["cases"]] == [full_case.pk]
        # the mother is another person: her record is left out, and counted
        assert sections["family_members"] == [] and data["withheld_records"]["family_members"] == 1
        assert "Mimoza" not in json.dumps(data)
        # so are the reporter, what someone must not be told, and the practitioners of other agencies
        referral = sections["referrals"][0]
        assert "reporter_name" not in referral["fields"] and "Reporter Qwerty" not in json.dumps(data)
        assert "reporter_name" in referral["withheld"] and referral["redact"] == []
        assert "must_not_be_told" not in sections["restrictions"][0]["fields"]
        assert "given_by_id" not in sections["consents"][0]["fields"]
        assert sections["audit_events"] and all("actor_username" not in e["fields"] for e in sections["audit_events"])
        # what the officer decides on stays, marked: a note the police agency keeps for itself
        notes = [r for r in sections["case_records"] if r["type"] == "cases.casenote"]
        team, police = sorted(notes, key=lambda r: r["id"])
        assert team["redact"] == [] and team["fields"]["text"] == "Team note Asdf"
        assert "text" in police["redact"] and police["redact_reason"] == subject_access.REDACT_OTHER_AGENCY

    def test_a_consent_about_another_member_is_a_third_partys(self, full_case: Case, dpo: User) -> None:
        # given the mother asks for what Ura holds on her; the consent on file is about her son
        from families.models import Person

        mother = Person.objects.get(family=full_case.family, given_name="Mimoza")
        sar = subject_access.open_request(mother, requested_by="Herself", received_on=timezone.localdate(), actor=dpo)
        # when
        consents = subject_access.export_request(sar, actor=dpo, fmt="json")["sections"]["consents"]
        # then the son's consent (who, what for, why withdrawn) is his: left out whole
        assert consents == []

    def test_records_about_a_sibling_are_a_third_partys(self, full_case: Case, dpo: User) -> None:
        # given a sibling's needs and a plan action for the sibling, next to the subject's own needs
        from cases import services
        from cases.models import ChildNeeds
        from interventions import services as plans
        from interventions.models import PlanAction
        from tests.factories import relative

        sibling = relative(full_case, "Arbenita", 9)
        owner = full_case.owner
        services.record_child_needs(
            ChildNeeds(case=full_case, child=sibling, age_band="under_12", schooling="attending", needs="Sibling Mnbv"),
            actor=owner,
        )
        services.record_child_needs(
            ChildNeeds(case=full_case, child=full_case.index_person, age_band="12_17", schooling="attending",
                       needs="Own needs Tyui"),
            actor=owner,
        )  # fmt: skip
        action = {
            "type": "pragmatic", "measure": "housing", "provider_agency": full_case.owning_agency,
            "due_on": timezone.localdate(), "beneficiary": sibling, "intended_outcome": "For sibling Ghjk",
        }  # fmt: skip
        plans.create_plan(full_case, goals=[{"text": "A home", "actions": [action]}], actor=owner)
        assert PlanAction.objects.get().beneficiary == sibling
        sar = open_for(full_case, dpo)
        # when
        data = subject_access.export_request(sar, actor=dpo, fmt="json")
        # then the sibling's record is left out, counted; the subject's own stays
        dump = json.dumps(data)
        assert "Sibling Mnbv" not in dump and "Arbenita" not in dump and "For sibling Ghjk" not in dump
        needs = [r for r in data["sections"]["case_records"] if r["type"] == "cases.childneeds"]
        assert [r["fields"]["needs"] for r in needs] == ["Own needs Tyui"]
        assert data["withheld_records"]["case_records"] >= 2

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

    def test_the_printable_page_is_readable_and_marks_what_to_review(self, full_case: Case, dpo: User) -> None:
        sar = open_for(full_case, dpo)
        client = client_for(dpo)
        body = client.get(reverse("privacy:sar_export", args=[sar.pk])).content.decode()
        # no third party, the other agency's note marked for review
        assert "Reporter Qwerty" not in body and "Mimoza" not in body
        assert 'class="badge text-bg-warning review-mark">To review' in body
        # field labels and values in words, times local, no field names, ids or ISO stamps
        opened = timezone.localtime(full_case.opened_at)
        assert '<dt class="col-sm-3">Opened at</dt>' in body and "opened_at" not in body
        assert date_format(opened, "SHORT_DATETIME_FORMAT") in body
        assert opened.astimezone(datetime.UTC).isoformat() not in body and "owning_agency_id" not in body
        # and in Albanian for an officer who reads Albanian
        User.objects.filter(pk=dpo.pk).update(language="sq")
        body = client.get(reverse("privacy:sar_export", args=[sar.pk])).content.decode()
        assert "Për t\u2019u shqyrtuar" in body and "To review" not in body

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
