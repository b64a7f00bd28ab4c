"""Typed offline, then back (decision 89): the visit form knows the last event its author saw, and
what others recorded on the case after it is shown to her, never merged into her note."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from agencies.models import User
from cases import services
from cases.models import Case, CaseEvent, RiskRecord
from cases.risk import RiskLevel
from tests.cases.test_entries import visit

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def changes_url_on_the_form(client: Client, case: Case) -> str:
    body = client.get(reverse("cases:entry_create", args=[case.pk, "contact"])).content.decode()
    found = re.search(r'data-offline-changes="([^"]+)"', body)
    assert found and "data-offline" in body
    return found.group(1).replace("&amp;", "&")


def test_what_others_recorded_after_the_form_was_opened_is_shown(
    case: Case, caseworker: User, police_officer: User
) -> None:
    # given the worker opens the visit form, then goes offline
    worker = client_for(caseworker)
    url = changes_url_on_the_form(worker, case)
    assert url.endswith(f"?after={CaseEvent.objects.filter(case=case).latest('pk').pk}")
    assert worker.get(url).content.decode().strip() == ""
    # when the police officer records a visit meanwhile, and the worker one more change of her own
    services.record_contact(visit(case, discussed="Met the father at the station"), actor=police_officer)
    services.set_risk_level(case, level=RiskLevel.HIGH, source=RiskRecord.Source.MANUAL, actor=caseworker)
    # then, back online, she is shown the officer's visit, not her own change
    body = worker.get(url).content.decode()
    assert "While you were offline, others recorded on this case" in body
    officers = CaseEvent.objects.get(case=case, kind="contact")
    assert officers.describe() in body and str(police_officer) in body
    assert body.count("<li") == 1


def test_a_stranger_and_a_summary_reader_learn_nothing(case: Case, stranger: User, summary_reader: User) -> None:
    url = reverse("cases:changes_since", args=[case.pk]) + "?after=0"
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(summary_reader).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_the_changes_cost_the_same_for_one_and_for_many(
    case: Case, caseworker: User, police_officer: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    worker = client_for(caseworker)
    url = (
        reverse("cases:changes_since", args=[case.pk]) + f"?after={CaseEvent.objects.filter(case=case).latest('pk').pk}"
    )

    def cost() -> int:
        with django_assert_max_num_queries(30) as captured:
            assert worker.get(url).status_code == 200
        return len(captured)

    services.record_contact(visit(case, discussed="One"), actor=police_officer)
    one = cost()
    for number in range(4):
        services.record_contact(visit(case, discussed=f"Visit {number}"), actor=police_officer)
    assert worker.get(url).content.decode().count("<li") == 5
    assert cost() == one
