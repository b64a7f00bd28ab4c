"""A panel's front door: a partner sends a concern, the coordinator and the single point of contact
receive and triage it, and the sender sees its stage and the feedback given, never the referral or
the case it joined (decision 125)."""

import pytest
from django.test import Client
from django.urls import reverse

from agencies.access import Action, sees_reporter
from agencies.models import Agency, Panel, User
from cases.models import Case
from referrals import services
from referrals.models import ConcernReceipt, DeconflictionCheck, Referral
from tests.conftest import api_as, member

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def concern_form(panel: Panel) -> dict[str, str]:
    return {
        "panel": str(panel.pk),
        "reporter_relationship": "Class teacher",
        "subject_given_name": "Drilon",
        "subject_family_name": "Berisha",
        "subject_age": "15",
        "person_told": "no",
        "concern": "Shows classmates videos of an armed group and says he will join them.",
        "indicators": ["online", "statements"],
        "ideology": "unclear",
        "urgency": "routine",
    }


def answer_as_police(referral: Referral, officer: User) -> None:
    check = DeconflictionCheck.objects.get(referral=referral)
    response = client_for(officer).post(reverse("referrals:deconfliction", args=[check.pk]), {"answer": "no"})
    assert response.status_code == 302


def test_the_school_sends_a_concern_and_sees_its_status_but_not_the_case_it_joined(
    teacher: User,
    school: Agency,
    panel: Panel,
    coordinator: User,
    caseworker: User,
    agency: Agency,
    auditor_readonly: User,
) -> None:
    # given the teacher sends a concern to the panel's front door
    response = client_for(teacher).post(reverse("referrals:front_door"), concern_form(panel))
    receipt = ConcernReceipt.objects.get()
    referral = receipt.referral
    assert response.status_code == 302 and response.url == receipt.get_absolute_url()
    assert referral.front_door == panel and referral.received_by is None and referral.triage_due_at
    assert receipt.sent_by == teacher and receipt.sent_by_agency == school
    page = client_for(teacher).get(receipt.get_absolute_url()).content.decode()
    assert "Received" in page and "Berisha" not in page
    # and the coordinator receives it, with who sent it
    detail = client_for(coordinator).get(referral.get_absolute_url()).content.decode()
    assert "Shows classmates videos" in detail and teacher.full_name in detail
    # when the police have answered, the coordinator opens a case and gives the school feedback
    answer_as_police(referral, auditor_readonly)
    services.triage_referral(
        referral,
        decision="open_case",
        new_case=services.NewCase(owner=caseworker, owner_agency=agency, panel=panel),
        actor=coordinator,
    )
    case = Case.objects.get()
    feedback = client_for(coordinator).post(
        reverse("referrals:referral_feedback", args=[referral.pk]), {"feedback": "Thank you: a worker will follow up."}
    )
    assert feedback.status_code == 302
    # then the school sees the stage and the feedback, and nothing of the case
    page = client_for(teacher).get(receipt.get_absolute_url()).content.decode()
    assert "Being looked at" in page and "Thank you: a worker will follow up." in page
    assert case.reference not in page and "Berisha" not in page
    assert client_for(teacher).get(referral.get_absolute_url()).status_code == 404
    assert client_for(teacher).get(reverse("cases:case", args=[case.pk])).status_code == 404
    assert referral.pk not in [
        r.pk for r in client_for(teacher).get(reverse("referrals:referral_list")).context["referrals"]
    ]
    # and the API says the same, and no more
    api = api_as(teacher)
    answer = api.get(reverse("referrals-api:concern-detail", args=[receipt.pk])).json()
    assert answer["stage"] == "looked_at" and answer["feedback"] == "Thank you: a worker will follow up."
    assert not {"referral", "case", "concern"} & set(answer)
    assert api.get(reverse("referrals-api:referral-detail", args=[referral.pk])).status_code == 404


def test_the_single_point_of_contact_receives_and_triages_the_front_door(
    teacher: User, panel: Panel, spoc: User, panel_member: User, auditor_readonly: User
) -> None:
    # given a concern at the front door
    receipt = services.send_to_front_door(
        actor=teacher, panel=panel, sent_by_agency=teacher.memberships.get().agency, concern="Worrying posts."
    )
    referral = receipt.referral
    # then the single point of contact reads it with its sender; a panel member does not, before triage
    assert client_for(spoc).get(referral.get_absolute_url()).status_code == 200
    assert sees_reporter(spoc, referral)
    assert client_for(panel_member).get(referral.get_absolute_url()).status_code == 404
    # when the police have answered, the single point of contact puts it to the panel
    answer_as_police(referral, auditor_readonly)
    services.triage_referral(referral, decision="panel_agenda", panel=panel, actor=spoc)
    # then the panel reads it, without the sender; the sender reads "being looked at"
    assert client_for(panel_member).get(referral.get_absolute_url()).status_code == 200
    assert not sees_reporter(panel_member, referral)
    receipt.refresh_from_db()
    assert receipt.stage == ConcernReceipt.Stage.LOOKED_AT


def test_a_colleague_of_the_sender_follows_the_receipt_and_a_stranger_does_not(
    teacher: User, school: Agency, panel: Panel
) -> None:
    from tests.factories import AgencyFactory

    receipt = services.send_to_front_door(actor=teacher, panel=panel, sent_by_agency=school, concern="Posts.")
    colleague = member(school, username="headteacher")
    stranger = member(AgencyFactory(name="Housing office"), username="housing")
    assert client_for(colleague).get(receipt.get_absolute_url()).status_code == 200
    assert client_for(stranger).get(receipt.get_absolute_url()).status_code == 404
    assert list(ConcernReceipt.objects.restrict(stranger, Action.VIEW)) == []


def test_a_concern_added_to_an_earlier_record_reads_as_any_other_to_its_sender(
    teacher: User, school: Agency, panel: Panel, coordinator: User
) -> None:
    # given two concerns about the same boy, the second added to the first
    first = services.send_to_front_door(actor=teacher, panel=panel, sent_by_agency=school, concern="One.")
    second = services.send_to_front_door(actor=teacher, panel=panel, sent_by_agency=school, concern="Two.")
    services.add_to_earlier(second.referral, primary=first.referral, actor=coordinator)
    # then the second reads "being looked at", as it would if nothing had been known
    second.refresh_from_db()
    assert second.stage == ConcernReceipt.Stage.LOOKED_AT
    # and when the first is closed, both read "closed"
    services.triage_referral(first.referral, decision="no_further_action", reason="no_concern", actor=coordinator)
    assert set(ConcernReceipt.objects.values_list("stage", flat=True)) == {ConcernReceipt.Stage.CLOSED}


def test_the_front_door_form_shows_no_earlier_records(teacher: User, panel: Panel) -> None:
    page = client_for(teacher).get(reverse("referrals:front_door")).content.decode()
    assert reverse("referrals:matches") not in page and panel.name in page


def test_a_partner_sends_a_concern_through_the_api(teacher: User, school: Agency, panel: Panel) -> None:
    api = api_as(teacher)
    response = api.post(
        reverse("referrals-api:concern-list"),
        {"panel": panel.pk, "concern": "Talks of travelling.", "subject_family_name": "Berisha"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["stage"] == "received"
    listed = api.get(reverse("referrals-api:concern-list")).json()
    assert [row["id"] for row in listed["results"]] == [response.json()["id"]]


def test_a_closed_concern_stays_closed_for_its_sender_when_another_concern_reopens_its_record(
    teacher: User, school: Agency, panel: Panel, coordinator: User
) -> None:
    # given the school's concern, closed at triage
    first = services.send_to_front_door(actor=teacher, panel=panel, sent_by_agency=school, concern="One.")
    services.triage_referral(first.referral, decision="no_further_action", reason="no_concern", actor=coordinator)
    # when another sender's concern about the same boy is added to it, and reopens it
    neighbour_school = member(school, username="deputy")
    second = services.send_to_front_door(actor=neighbour_school, panel=panel, sent_by_agency=school, concern="Two.")
    services.add_to_earlier(second.referral, primary=first.referral, actor=coordinator)
    first.referral.refresh_from_db()
    assert first.referral.status == Referral.Status.NEW
    # then the first sender still reads "closed": nothing tells them another concern came
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.stage == ConcernReceipt.Stage.CLOSED and second.stage == ConcernReceipt.Stage.LOOKED_AT
    page = client_for(teacher).get(first.get_absolute_url()).content.decode()
    assert "Closed" in page and "Received" not in page
    # and as the reopened record moves on, the first receipt never moves back
    services.triage_referral(first.referral, decision="gather_information", actor=coordinator)
    first.refresh_from_db()
    assert first.stage == ConcernReceipt.Stage.CLOSED
    # while the concern added after the reopening follows it to its close
    services.triage_referral(first.referral, decision="no_further_action", reason="no_concern", actor=coordinator)
    second.refresh_from_db()
    assert second.stage == ConcernReceipt.Stage.CLOSED


def test_a_concern_that_opened_a_case_reads_closed_once_the_case_is_closed(
    teacher: User,
    school: Agency,
    panel: Panel,
    coordinator: User,
    caseworker: User,
    agency: Agency,
    other_agency: Agency,
    auditor_readonly: User,
) -> None:
    from django.utils import timezone

    from interventions.services import close_case
    from tests.factories import share

    # given the school's concern opened a case, and another concern joined that case
    receipt = services.send_to_front_door(
        actor=teacher, panel=panel, sent_by_agency=school, concern="One.", subject_family_name="Berisha"
    )
    answer_as_police(receipt.referral, auditor_readonly)
    services.triage_referral(
        receipt.referral,
        decision="open_case",
        new_case=services.NewCase(owner=caseworker, owner_agency=agency, panel=panel),
        actor=coordinator,
    )
    case = Case.objects.get()
    joined = services.send_to_front_door(actor=teacher, panel=panel, sent_by_agency=school, concern="Two.")
    services.add_to_earlier(joined.referral, case=case, actor=coordinator)
    receipt.refresh_from_db()
    assert receipt.stage == ConcernReceipt.Stage.LOOKED_AT
    # when the case is closed on a multi-agency decision
    share(case, other_agency)
    close_case(
        case,
        decided_on=timezone.localdate(),
        reason="Goals met",
        agreements=[{"agency": agency, "user": caseworker}, {"agency": other_agency, "user": auditor_readonly}],
        actor=caseworker,
    )
    # then both senders read "closed", and nothing more
    receipt.refresh_from_db()
    joined.refresh_from_db()
    assert receipt.stage == ConcernReceipt.Stage.CLOSED and joined.stage == ConcernReceipt.Stage.CLOSED
    page = client_for(teacher).get(receipt.get_absolute_url()).content.decode()
    assert "Closed" in page and case.reference not in page


def test_the_sender_knows_a_concern_by_a_label_of_their_own(teacher: User, school: Agency, panel: Panel) -> None:
    # given the teacher labels her concern as she sends it
    response = client_for(teacher).post(
        reverse("referrals:front_door"), {**concern_form(panel), "label": "Year 9 pupil, after the trip"}
    )
    receipt = ConcernReceipt.objects.get()
    assert response.status_code == 302 and receipt.label == "Year 9 pupil, after the trip"
    # then her list, the receipt and the API show her label, and still not the name
    listing = client_for(teacher).get(reverse("referrals:receipt_list")).content.decode()
    detail = client_for(teacher).get(receipt.get_absolute_url()).content.decode()
    for page in (listing, detail):
        assert "Year 9 pupil, after the trip" in page and "Berisha" not in page
    sent = api_as(teacher).post(
        reverse("referrals-api:concern-list"),
        {"panel": panel.pk, "concern": "Talks of travelling.", "label": "The boy from 9B"},
        format="json",
    )
    assert sent.status_code == 201 and sent.json()["label"] == "The boy from 9B"


def test_the_api_names_the_missing_agency_in_the_users_language(teacher: User, panel: Panel) -> None:
    from tests.factories import AgencyFactory

    other = AgencyFactory(name="Youth club")
    api = api_as(teacher)
    api.credentials(HTTP_ACCEPT_LANGUAGE="sq")
    response = api.post(
        reverse("referrals-api:concern-list"),
        {"panel": panel.pk, "concern": "Talks of travelling.", "sent_by_agency": other.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "Choose the agency of yours" not in response.content.decode()
