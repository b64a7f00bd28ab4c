"""A summary reader asks the case owner a question or for fuller access (decision 91):
recorded, the owner told under the bell, answered once by the owner, the answer shown to the asker
(and the asker told), every step audited; in the browser and through the API."""

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Panel, User
from audit.models import AuditEvent
from cases import services
from cases.models import Case, OwnerQuestion
from reminders.models import Reminder
from tests.conftest import api_as, member

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def panel_case(case: Case, panel: Panel) -> Case:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    return case


def notices(user: User, kind: str) -> list[Reminder]:
    return list(Reminder.objects.restrict(user, "view").filter(kind=kind))


def test_a_panel_member_asks_for_fuller_access_and_reads_the_owners_answer(
    panel_case: Case, panel_member: User
) -> None:
    case, owner = panel_case, panel_case.owner
    asker = client_for(panel_member)
    # the summary reader sees the way to ask on the case page
    page = asker.get(case.get_absolute_url()).content.decode()
    assert reverse("cases:owner_question_create", args=[case.pk]) in page
    # when she asks for fuller access, with her reason
    response = asker.post(
        reverse("cases:owner_question_create", args=[case.pk]),
        {"kind": "access", "question": "Our mentor meets the son weekly; we need the plan."},
    )
    assert response.status_code == 302
    question = OwnerQuestion.objects.get()
    assert (question.kind, question.asked_by, question.case) == ("access", panel_member, case)
    # then the owner is told under the bell, and finds the question on the case page
    assert len(notices(owner, "owner_question")) == 1
    owners_page = client_for(owner).get(case.get_absolute_url()).content.decode()
    assert "Our mentor meets the son weekly" in owners_page and question.get_absolute_url() in owners_page
    # when the owner answers
    answered = client_for(owner).post(question.get_absolute_url(), {"answer": "Shared with your agency for 3 months."})
    assert answered.status_code == 302
    # then the asker is told, and reads the answer on the case page
    assert notices(panel_member, "owner_answer")
    page = asker.get(case.get_absolute_url()).content.decode()
    assert "Shared with your agency for 3 months." in page
    # and both steps are in the audit trail
    kinds = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.ENTRY_RECORDED, case_id=case.pk).values_list(
            "data__kind", flat=True
        )
    )
    assert "owner_access" in kinds and "owner_answer" in kinds


def test_a_question_is_answered_once_and_only_by_whoever_changes_the_case(
    panel_case: Case, panel_member: User, coordinator: User
) -> None:
    question = services.ask_owner(panel_case, kind="question", question="Who visits?", actor=panel_member)
    # the asker, and another summary reader, may not answer (their roles change no case)
    assert client_for(panel_member).post(question.get_absolute_url(), {"answer": "Me"}).status_code == 403
    assert client_for(coordinator).post(question.get_absolute_url(), {"answer": "Me"}).status_code == 403
    assert not OwnerQuestion.objects.get().is_answered
    services.answer_owner_question(question, answer="The social worker.", actor=panel_case.owner)
    # answered: the form is gone
    assert client_for(panel_case.owner).get(question.get_absolute_url()).status_code == 403
    with pytest.raises(Exception, match="answered already"):
        services.answer_owner_question(question, answer="Again", actor=panel_case.owner)


def test_another_summary_reader_does_not_see_someone_elses_question(
    panel_case: Case, panel_member: User, coordinator: User
) -> None:
    services.ask_owner(panel_case, kind="question", question="Xyzzy private question", actor=panel_member)
    assert "Xyzzy private question" not in client_for(coordinator).get(panel_case.get_absolute_url()).content.decode()
    assert not OwnerQuestion.objects.restrict(coordinator, "view").exists()


def test_a_full_reader_does_not_ask_here(case: Case, colleague: User) -> None:
    # the owner's colleague reads the file in full: she asks in the file itself
    assert client_for(colleague).get(reverse("cases:owner_question_create", args=[case.pk])).status_code == 403


def test_an_empty_question_is_refused_in_the_askers_language(panel_case: Case, panel_member: User) -> None:
    User.objects.filter(pk=panel_member.pk).update(language="sq")
    client = client_for(User.objects.get(pk=panel_member.pk))
    response = client.post(reverse("cases:owner_question_create", args=[panel_case.pk]), {"kind": "question"})
    assert response.status_code == 200
    assert "This field is required." not in response.content.decode()
    assert not OwnerQuestion.objects.exists()


def test_the_api_asks_and_answers(panel_case: Case, panel_member: User) -> None:
    asked = api_as(panel_member).post(
        reverse("cases-api:ownerquestion-list"),
        {"case": panel_case.pk, "kind": "question", "question": "Is the family told?"},
        format="json",
    )
    assert asked.status_code == 201, asked.content
    pk = asked.json()["id"]
    answer = api_as(panel_case.owner).post(
        reverse("cases-api:ownerquestion-answer", args=[pk]), {"answer": "Yes, in May."}, format="json"
    )
    assert answer.status_code == 200, answer.content
    mine = api_as(panel_member).get(reverse("cases-api:ownerquestion-detail", args=[pk])).json()
    assert mine["answer"] == "Yes, in May." and mine["answered_by"] is not None
    # a stranger's case is refused as if missing
    stranger = member(panel_case.owning_agency.__class__.objects.create(name="Elsewhere"), "practitioner")
    refused = api_as(stranger).post(
        reverse("cases-api:ownerquestion-list"),
        {"case": panel_case.pk, "kind": "question", "question": "?"},
        format="json",
    )
    assert refused.status_code == 400


def test_the_api_lists_one_cases_questions_and_refuses_a_bad_case_id(panel_case: Case, panel_member: User) -> None:
    services.ask_owner(panel_case, kind="question", question="Is the family told?", actor=panel_member)
    url = reverse("cases-api:ownerquestion-list")
    assert len(api_as(panel_member).get(url, {"case": panel_case.pk}).json()["results"]) == 1
    assert api_as(panel_member).get(url, {"case": panel_case.pk + 1000}).json()["results"] == []
    bad = api_as(panel_member).get(url, {"case": "abc"})
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/json")
    assert "case" in bad.json()
