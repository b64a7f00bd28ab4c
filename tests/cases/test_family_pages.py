"""The family register in the browser and the API (decision 66): the household at a glance, the
member forms (kept on a refusal), known people offered when adding, every downstream form offering
a member at once, and who reads what."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from agencies.forms import model_choice_field
from agencies.models import Agency, Membership, Panel, User
from cases import services
from cases.entry_forms import ChildNeedsForm, ContactForm, RestrictionForm
from cases.forms import ConsentForm
from cases.models import Case, CaseShare
from families.models import MemberChange, Person
from interventions.forms import ActionForm
from tests.conftest import api_as, member
from tests.factories import CaseFactory, born, relative, share

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "given_name": "Mimoza",
        "family_name": "Krasniqi",
        "relationship": "parent",
        "gender": "female",
        "lives_in_household": "on",
        "whereabouts": "at_home",
    }
    return {**data, **overrides}


class TestHousehold:
    def test_the_owner_sees_ages_flags_and_the_key_worker(self, case: Case, caseworker: User) -> None:
        # given a child under 12, a young person turning 18 in two months, and a key worker
        relative(case, "Drita", 8)
        Person.objects.filter(pk=case.index_person_id).update(date_of_birth=born(18, days=-60))
        services.set_key_worker(case, note="The school's counsellor", actor=caseworker)
        # when
        response = client_for(caseworker).get(reverse("cases:family", args=[case.pk]))
        body = response.content.decode()
        # then
        assert response.status_code == 200
        assert "Under 12: early intervention" in body and "Turns 18 on" in body
        assert "The school&#x27;s counsellor" in body

    def test_a_summary_reader_is_refused_and_a_stranger_finds_nothing(
        self, case: Case, panel: Panel, coordinator: User, caseworker_other_agency: User
    ) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        url = reverse("cases:family", args=[case.pk])
        # the coordinator reads the case's summary, not its family (and lacks the role to read files)
        assert client_for(coordinator).get(url).status_code == 403
        assert client_for(caseworker_other_agency).get(url).status_code == 404

    def test_the_page_costs_the_same_whatever_the_family_size(
        self, case: Case, caseworker: User, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        client = client_for(caseworker)
        url = reverse("cases:family", args=[case.pk])
        client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            client.get(url)
        for n in range(8):
            services.add_member(
                case,
                given_name=f"Child{n}",
                family_name="K",
                relationship="sibling",
                relation_kind="sibling",
                relation_to=case.index_person,
                actor=caseworker,
            )
        with django_assert_max_num_queries(len(small)):
            assert client.get(url).status_code == 200

    def test_a_member_page_and_the_api_list_cost_the_same_whatever_the_family_size(
        self, case: Case, caseworker: User, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client, api = client_for(caseworker), api_as(caseworker)
        page = reverse("cases:member", args=[case.pk, case.index_person_id])
        listing = reverse("cases-api:familymember-list")
        client.get(page)
        api.get(listing, {"case": case.pk})
        with CaptureQueriesContext(connection) as small_page:
            client.get(page)
        with CaptureQueriesContext(connection) as small_list:
            api.get(listing, {"case": case.pk})
        for n in range(6):
            child = services.add_member(
                case,
                given_name=f"Child{n}",
                family_name="K",
                relationship="sibling",
                relation_kind="sibling",
                relation_to=case.index_person,
                actor=caseworker,
            )
            services.change_member(
                case, case.index_person, languages=f"Albanian {n}", whereabouts="abroad", actor=caseworker
            )
            services.change_member(case, child, whereabouts="at_home", actor=caseworker)
        with django_assert_max_num_queries(len(small_page)):
            assert client.get(page).status_code == 200
        with django_assert_max_num_queries(len(small_list)):
            assert api.get(listing, {"case": case.pk}).json()["count"] == 7


class TestMemberForms:
    def test_the_owner_adds_a_member_offered_at_once_downstream(
        self, case: Case, caseworker: User, agency: Agency
    ) -> None:
        # when the owner adds a mother and a child through the pages
        client = client_for(caseworker)
        url = reverse("cases:member_add", args=[case.pk])
        response = client.post(url, form_data(relation_kind="parent", relation_to=case.index_person_id))
        assert response.status_code == 302, response.content.decode()[:2000]
        response = client.post(url, form_data(given_name="Drita", relationship="sibling", date_of_birth=born(7)))
        assert response.status_code == 302
        mother, child = Person.objects.get(given_name="Mimoza"), Person.objects.get(given_name="Drita")
        # then every form that names family members offers them at once
        kwargs = {"case": case, "user": caseworker}
        assert mother in model_choice_field(ContactForm(**kwargs), "present").queryset
        assert child in model_choice_field(ChildNeedsForm(**kwargs), "child").queryset
        assert mother in model_choice_field(RestrictionForm(**kwargs), "person").queryset
        consent = ConsentForm(**kwargs)
        assert child in model_choice_field(consent, "person").queryset
        assert mother in model_choice_field(consent, "given_by").queryset
        assert child in model_choice_field(ActionForm(case=case), "beneficiary").queryset
        # and the mother consents for the child (the register says she is a parent)
        services.record_consent(
            case, person=child, given_by=mother, given_on=born(0), purposes=["support_plan"], actor=caseworker
        )

    def test_a_refused_form_keeps_what_was_typed(self, case: Case, caseworker: User) -> None:
        response = client_for(caseworker).post(
            reverse("cases:member_add", args=[case.pk]),
            form_data(given_name="", phone="+355 69 111 2222", address="Rruga e Kavajës 12"),
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "+355 69 111 2222" in body and "Rruga e Kavajës 12" in body
        assert "Contact details are kept only where the family agreed." in body
        assert not Person.objects.filter(family_name="Krasniqi", given_name="").exists()

    def test_known_people_are_offered_across_spellings_among_what_the_user_sees(
        self, case: Case, caseworker: User, agency: Agency
    ) -> None:
        # given the same boy in another family record the owner reads, spelt otherwise, and one hidden
        other = CaseFactory(owner=caseworker, owning_agency=agency)
        Person.objects.filter(pk=other.index_person_id).update(given_name="Ardit", family_name="Krasnići")
        Person.objects.get(pk=other.index_person_id).save()  # the keys
        hidden = _hidden_case()
        Person.objects.filter(pk=hidden.index_person_id).update(given_name="Ardit", family_name="Krasniqi")
        Person.objects.get(pk=hidden.index_person_id).save()
        # when adding "Ardit Krasniqi"
        url = reverse("cases:member_add", args=[case.pk])
        client = client_for(caseworker)
        response = client.post(url, form_data(given_name="Ardit", relationship="sibling"))
        # then the visible record is offered, the hidden one is not, and nothing is added yet
        assert response.status_code == 200
        known = [match.person.pk for match in response.context["known"]]
        assert known == [other.index_person_id]
        assert not Person.objects.filter(family_id=case.family_id, given_name="Ardit").exists()
        # "none of these" adds the new member
        response = client.post(url, {**form_data(given_name="Ardit", relationship="sibling"), "confirm_new": "1"})
        assert response.status_code == 302
        assert Person.objects.filter(family_id=case.family_id, given_name="Ardit").exists()

    def test_an_edit_shows_in_the_history_for_full_readers(
        self, case: Case, caseworker: User, other_agency: Agency, auditor_readonly: User
    ) -> None:
        child = relative(case, "Drita", 8)
        client = client_for(caseworker)
        edit = reverse("cases:member_edit", args=[case.pk, child.pk])
        data = form_data(given_name="Drita", family_name=child.family_name, relationship="sibling")
        response = client.post(edit, {**data, "date_of_birth": born(9).isoformat(), "whereabouts": "in_care"})
        assert response.status_code == 302
        share(case, other_agency, CaseShare.Scope.FULL)
        page = client_for(auditor_readonly).get(reverse("cases:member", args=[case.pk, child.pk]))
        body = page.content.decode()
        assert page.status_code == 200 and "History of this record" in body and "In care" in body
        # the police reader reads it but may not change it
        assert client_for(auditor_readonly).post(edit, data).status_code == 403

    def test_removal_and_merge_through_the_pages(self, case: Case, caseworker: User, supervisor: User) -> None:
        twin = relative(case, "Ardit", 16)
        other = relative(case, "Besa", 12)
        response = client_for(caseworker).post(
            reverse("cases:member_remove", args=[case.pk, other.pk]), {"reason": "Recorded in error"}
        )
        assert response.status_code == 302 and Person.objects.get(pk=other.pk).ended_at is not None
        # the owner may not merge; a supervisor may
        merge = reverse("cases:member_merge", args=[case.pk, case.index_person_id])
        assert client_for(caseworker).post(merge, {"other": twin.pk, "reason": "Same"}).status_code == 403
        response = client_for(supervisor).post(merge, {"other": twin.pk, "reason": "Same boy"})
        assert response.status_code == 302
        assert Person.objects.get(pk=twin.pk).merged_into_id == case.index_person_id
        assert MemberChange.objects.filter(kind="merged").count() == 2


def _hidden_case() -> Case:
    from tests.factories import AgencyFactory

    agency = AgencyFactory(name="Far away")
    return CaseFactory(owner=member(agency, Membership.Role.PRACTITIONER), owning_agency=agency)


class TestMembersApi:
    def test_a_partner_is_added_changed_and_read_through_the_api(self, case: Case, caseworker: User) -> None:
        api = api_as(caseworker)
        url = reverse("cases-api:familymember-list")
        body = {
            "case": case.pk,
            "given_name": "Arben",
            "family_name": "Krasniqi",
            "relationship": "spouse",
            "civil_documents": ["identity_card"],
            "relation_kind": "spouse",
            "relation_to": case.index_person_id,
        }
        created = api.post(url, body, format="json")
        assert created.status_code == 201, created.json()
        assert created.json()["relations"][0]["reads"] == "spouse or partner of"
        pk = created.json()["id"]
        patched = api.patch(
            reverse("cases-api:familymember-detail", args=[pk]), {"whereabouts": "detained"}, format="json"
        )
        assert patched.status_code == 200 and patched.json()["whereabouts"] == "detained"
        history = api.get(reverse("cases-api:familymember-history", args=[pk])).json()
        assert [change["kind"] for change in history["changes"]] == ["changed", "added"]
        listed = api.get(url, {"case": case.pk, "current": True}).json()
        assert {row["given_name"] for row in listed["results"]} == {case.index_person.given_name, "Arben"}

    def test_a_refused_member_is_a_clear_400(self, case: Case, caseworker: User) -> None:
        api = api_as(caseworker)
        body = {"case": case.pk, "given_name": "A", "family_name": "B", "relationship": "sibling", "phone": "1"}
        response = api.post(reverse("cases-api:familymember-list"), body, format="json")
        assert response.status_code == 400 and "agreed" in str(response.json())

    def test_a_summary_reader_lists_nobody(self, case: Case, panel: Panel, panel_member: User) -> None:
        relative(case, "Drita", 8)
        Case.objects.filter(pk=case.pk).update(panel=panel)
        response = api_as(panel_member).get(reverse("cases-api:familymember-list"))
        # a panel member's role reads no case file at all
        assert response.status_code == 403

    def test_known_people_through_the_api(self, case: Case, caseworker: User) -> None:
        Person.objects.filter(pk=case.index_person_id).update(given_name="Ardit", family_name="Krasniqi")
        Person.objects.get(pk=case.index_person_id).save()
        found = api_as(caseworker).get(
            reverse("cases-api:familymember-known"), {"given_name": "Ardit", "family_name": "Krasnici"}
        )
        assert [row["id"] for row in found.json()] == [case.index_person_id]
