"""Deconfliction at triage: before a referral goes to a panel the police say whether the person is
already under investigation (yes, no, not told); the answer is for those who triage it alone, and a
crisis does not wait while the check still follows (decision 127)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from agencies.access import Action
from agencies.models import Agency, Panel, User
from referrals import services
from referrals.models import DeconflictionCheck
from reminders.models import Reminder
from reminders.sweep import sweep
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _referral(caseworker: User, agency: Agency, **extra: object) -> object:
    return services.record_referral(
        actor=caseworker,
        received_by=agency,
        channel="professional",
        subject_given_name="Besnik",
        subject_family_name="Gashi",
        concern="Secret concern text.",
        **extra,
    )


def test_the_police_answer_and_only_triage_reads_the_answer(
    caseworker: User, agency: Agency, other_agency: Agency, auditor_readonly: User, panel: Panel, panel_member: User
) -> None:
    # given a referral received by social services: the police are asked, with the names alone
    referral = _referral(caseworker, agency)
    check = DeconflictionCheck.objects.get(referral=referral)
    assert check.police_agency == other_agency and check.family_name == "Gashi"
    # when a police liaison opens the check
    page = client_for(auditor_readonly).get(reverse("referrals:deconfliction", args=[check.pk])).content.decode()
    # then they read the names to check, not the concern
    assert "Gashi" in page and "Secret concern text." not in page
    # and the referral cannot go to the panel before they answer
    with pytest.raises(ValidationError, match="not yet said"):
        services.triage_referral(referral, decision="panel_agenda", panel=panel, actor=caseworker)
    # when they answer
    response = client_for(auditor_readonly).post(reverse("referrals:deconfliction", args=[check.pk]), {"answer": "yes"})
    assert response.status_code == 302
    # then those who triage read the answer on the referral
    assert "Already under investigation" in client_for(caseworker).get(referral.get_absolute_url()).content.decode()
    services.triage_referral(referral, decision="panel_agenda", panel=panel, actor=caseworker)
    # and the panel, reading the referral now, does not
    panel_page = client_for(panel_member).get(referral.get_absolute_url())
    assert panel_page.status_code == 200 and "Already under investigation" not in panel_page.content.decode()
    assert not DeconflictionCheck.objects.restrict(panel_member, Action.VIEW).exists()
    assert (
        api_as(panel_member).get(reverse("referrals-api:deconfliction-check-detail", args=[check.pk])).status_code
        == 404
    )


def test_those_who_triage_may_read_the_answer_but_not_give_it(
    caseworker: User, agency: Agency, other_agency: Agency
) -> None:
    referral = _referral(caseworker, agency)
    check = DeconflictionCheck.objects.get(referral=referral)
    assert client_for(caseworker).get(reverse("referrals:deconfliction", args=[check.pk])).status_code == 403
    with pytest.raises(ValidationError):
        services.answer_deconfliction(check, answer="no", actor=caseworker)
    check.refresh_from_db()
    assert check.answer == ""


def test_a_crisis_skips_the_wait_and_the_police_are_reminded_until_they_answer(
    caseworker: User, agency: Agency, other_agency: Agency, auditor_readonly: User, panel: Panel, coordinator: User
) -> None:
    # given a crisis
    referral = _referral(caseworker, agency, is_crisis=True, crisis_reason="attack")
    # when it is put to the panel at once
    services.triage_referral(referral, decision="panel_agenda", panel=panel, actor=auditor_readonly)
    # then the check still waits, and the police liaison is reminded of it
    check = DeconflictionCheck.objects.get(referral=referral)
    assert check.answer == ""
    sweep(check.due_at + datetime.timedelta(minutes=1))
    reminders = Reminder.objects.filter(kind="deconfliction", object_id=check.pk)
    assert {r.recipient for r in reminders} == {auditor_readonly}
    page = client_for(auditor_readonly).get(reverse("reminders:reminder_list")).content.decode()
    assert "is the person already under investigation" in page.lower()
    # when they answer through the API, no further reminder comes
    answered = api_as(auditor_readonly).post(
        reverse("referrals-api:deconfliction-check-answer", args=[check.pk]), {"answer": "no"}, format="json"
    )
    assert answered.status_code == 200 and answered.json()["answer"] == "no"
    Reminder.objects.all().delete()
    sweep(check.due_at + datetime.timedelta(hours=2))
    assert not Reminder.objects.filter(kind="deconfliction").exists()


def test_a_referral_received_by_the_police_asks_no_check(other_agency: Agency, auditor_readonly: User) -> None:
    _referral(auditor_readonly, other_agency)
    assert not DeconflictionCheck.objects.exists()


def test_the_police_may_not_change_their_answer_once_triage_has_acted_on_it(
    caseworker: User, agency: Agency, other_agency: Agency, auditor_readonly: User, panel: Panel
) -> None:
    # given the police answered, and may still correct themselves while the referral waits
    referral = _referral(caseworker, agency)
    check = DeconflictionCheck.objects.get(referral=referral)
    services.answer_deconfliction(check, answer="no", actor=auditor_readonly)
    services.answer_deconfliction(check, answer="not_told", actor=auditor_readonly)
    # when triage puts the referral to the panel on that answer
    services.triage_referral(referral, decision="panel_agenda", panel=panel, actor=caseworker)
    # then the answer can no longer be changed, on the page nor through the API, in the user's language
    with pytest.raises(ValidationError, match="already acted"):
        services.answer_deconfliction(check, answer="yes", actor=auditor_readonly)
    page = client_for(auditor_readonly).post(
        reverse("referrals:deconfliction", args=[check.pk]), {"answer": "yes"}, HTTP_ACCEPT_LANGUAGE="sq"
    )
    assert page.status_code in (200, 400) and "already acted" not in page.content.decode()
    api = api_as(auditor_readonly)
    answered = api.post(
        reverse("referrals-api:deconfliction-check-answer", args=[check.pk]), {"answer": "yes"}, format="json"
    )
    assert answered.status_code == 400 and "already acted" in answered.content.decode()
    check.refresh_from_db()
    assert check.answer == "not_told"


def test_no_reminder_is_due_for_a_check_on_a_referral_closed_or_added_elsewhere(
    caseworker: User, agency: Agency, other_agency: Agency, auditor_readonly: User
) -> None:
    # given two checks the police have not answered
    closed = _referral(caseworker, agency)
    added = _referral(caseworker, agency)
    earlier = _referral(caseworker, agency)
    # when one referral is closed at triage and another added to an earlier record
    services.triage_referral(closed, decision="no_further_action", reason="no_concern", actor=caseworker)
    services.add_to_earlier(added, primary=earlier, actor=caseworker)
    # then the police are reminded only of the check still open
    check = DeconflictionCheck.objects.get(referral=earlier)
    sweep(check.due_at + datetime.timedelta(minutes=1))
    reminded = set(Reminder.objects.filter(kind="deconfliction").values_list("object_id", flat=True))
    assert reminded == {check.pk}
    # and a reminder already given for a check is no longer due once its referral is closed
    from reminders.kinds import Deconfliction

    reminder = Reminder.objects.get(kind="deconfliction", object_id=check.pk)
    assert Deconfliction.still_due(reminder)
    services.triage_referral(earlier, decision="no_further_action", reason="no_concern", actor=caseworker)
    assert not Deconfliction.still_due(reminder)
