"""Information requests in the browser and the API: the same rules as the services, constant
query counts."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, User
from cases import services
from cases.models import Case, InformationRequest
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, share

pytestmark = pytest.mark.django_db
LIST = reverse("cases-api:informationrequest-list")


def school_of(user: User) -> Agency:
    return user.memberships.get().agency


def ask(case: Case, to: Agency, question: str = "Does the boy attend school?") -> InformationRequest:
    return services.ask_information(case, to_agency=to, question=question, actor=case.owner)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries(call: Any) -> int:
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context.captured_queries)


def test_the_owner_asks_from_the_case_page(case: Case, caseworker: User, summary_reader: User) -> None:
    client = signed_in(caseworker)
    page = client.get(case.get_absolute_url())
    assert reverse("cases:information_request_create", args=[case.pk]) in page.content.decode()
    response = client.post(
        reverse("cases:information_request_create", args=[case.pk]),
        {"to_agency": school_of(summary_reader).pk, "question": "Attendance?"},
    )
    assert response.status_code == 302
    info = InformationRequest.objects.get()
    page = client.get(case.get_absolute_url()).content.decode()
    assert info.get_absolute_url() in page and "School" in page


def test_a_refusal_is_a_form_error(case: Case, caseworker: User, summary_reader: User) -> None:
    response = signed_in(caseworker).post(
        reverse("cases:information_request_create", args=[case.pk]),
        {"to_agency": school_of(summary_reader).pk, "question": "  "},
    )
    assert response.status_code == 200 and not InformationRequest.objects.exists()


def test_the_agency_asked_sees_it_at_home_and_answers(case: Case, summary_reader: User) -> None:
    info = ask(case, school_of(summary_reader))
    client = signed_in(summary_reader)
    assert info.get_absolute_url() in client.get(reverse("home")).content.decode()
    page = client.get(info.get_absolute_url())
    assert page.status_code == 200 and "Does the boy attend school?" in page.content.decode()
    answer_url = reverse("cases:information_request_answer", args=[case.pk, info.pk])
    assert answer_url in page.content.decode()
    assert client.post(answer_url, {"answer": "Every day."}).status_code == 302
    info.refresh_from_db()
    assert info.answer == "Every day."
    assert info.get_absolute_url() not in client.get(reverse("home")).content.decode()


def test_a_summary_reader_of_another_agency_gets_404(case: Case, summary_reader: User, stranger: User) -> None:
    info = ask(case, school_of(summary_reader))
    other_school = AgencyFactory(name="Other school", sector=Agency.Sector.EDUCATION)
    share(case, other_school, scope="summary")
    other_teacher = member(other_school, username="other_teacher")
    for outsider in (other_teacher, stranger):
        assert signed_in(outsider).get(info.get_absolute_url()).status_code == 404
        assert api_as(outsider).get(reverse("cases-api:informationrequest-detail", args=[info.pk])).status_code == 404


def test_a_full_reader_reads_but_may_not_answer(case: Case, summary_reader: User, police_officer: User) -> None:
    info = ask(case, school_of(summary_reader))
    client = signed_in(police_officer)
    assert client.get(info.get_absolute_url()).status_code == 200
    answer_url = reverse("cases:information_request_answer", args=[case.pk, info.pk])
    assert client.post(answer_url, {"answer": "x"}).status_code == 403


def test_the_api_asks_lists_and_answers(case: Case, caseworker: User, summary_reader: User) -> None:
    school = school_of(summary_reader)
    created = api_as(caseworker).post(LIST, {"case": case.pk, "to_agency": school.pk, "question": "Attendance?"})
    assert created.status_code == 201, created.data
    assert created.data["due_at"] and created.data["answer"] == ""
    teacher = api_as(summary_reader)
    assert [row["id"] for row in teacher.get(LIST).data["results"]] == [created.data["id"]]
    answer = reverse("cases-api:informationrequest-answer", args=[created.data["id"]])
    answered = teacher.post(answer, {"answer": "Every day."})
    assert answered.status_code == 200 and answered.data["answered_at"]
    again = teacher.post(answer, {"answer": "Again."})
    assert again.status_code == 400


def test_the_api_refuses_who_does_not_run_the_case(case: Case, police_officer: User, summary_reader: User) -> None:
    body = {"case": case.pk, "to_agency": school_of(summary_reader).pk, "question": "?"}
    response = api_as(police_officer).post(LIST, body)
    assert response.status_code == 400 and not InformationRequest.objects.exists()


def test_query_counts_do_not_grow_with_the_requests(case: Case, caseworker: User, summary_reader: User) -> None:
    # given one request, then five more
    school = school_of(summary_reader)
    ask(case, school)
    owner, teacher = signed_in(caseworker), signed_in(summary_reader)
    owner_api, teacher_api = api_as(caseworker), api_as(summary_reader)
    calls = [
        lambda: owner.get(case.get_absolute_url()),
        lambda: teacher.get(reverse("home")),
        lambda: owner_api.get(LIST),
        lambda: teacher_api.get(LIST),
    ]
    before = [queries(call) for call in calls]
    for n in range(5):
        ask(case, school, question=f"Question {n}")
    # then
    assert [queries(call) for call in calls] == before
