"""Where the work is: the case page shows the ten steps with the step the case has reached,
the days since referral and, to full readers only, the days since the last contact that took place."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from agencies.models import Panel, User
from cases import services
from cases.models import Case, Contact
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def page(user: User, case: Case) -> str:
    client = Client()
    client.force_login(user)
    return client.get(case.get_absolute_url()).content.decode()


def days(body: str, which: str) -> str:
    found = re.search(rf'data-days="{which}">([^<]*)<', body)
    return found.group(1).strip() if found else ""


def test_the_owner_sees_the_step_reached_and_the_days_since_referral_and_contact(case: Case) -> None:
    # given a case at step 4, referred ten days ago, with a visit held three days ago and a later
    # visit at which nobody was home
    services.move_stage(case, stage=Case.Stage.ASSESS, actor=case.owner)
    ReferralFactory(case=case, received_by=case.owning_agency, received_at=timezone.now() - datetime.timedelta(days=10))
    for outcome, ago in (("held", 3), ("nobody_home", 1)):
        services.record_contact(
            Contact(case=case, outcome=outcome, occurred_at=timezone.now() - datetime.timedelta(days=ago)),
            actor=case.owner,
        )
    # when the owner opens the case
    body = page(case.owner, case)
    # then the ten steps show, the fourth as the step reached
    assert body.count('aria-current="step"') == 1
    assert re.search(r'aria-current="step">4\. Assess risks and needs', body)
    assert "10. Build family-support capacity" in body
    # and the days count from the referral and from the last contact that took place
    assert days(body, "referral") == "10 days"
    assert days(body, "contact") == "3 days"


def test_a_case_without_a_contact_says_so(case: Case) -> None:
    assert days(page(case.owner, case), "contact") == "No contact has taken place yet"


def test_a_summary_reader_sees_the_steps_but_not_the_days_since_contact(
    case: Case, panel: Panel, panel_member: User
) -> None:
    # given a panel case with a visit held yesterday
    Case.objects.filter(pk=case.pk).update(panel=panel, opened_at=timezone.now() - datetime.timedelta(days=1))
    services.record_contact(
        Contact(case=case, outcome="held", occurred_at=timezone.now() - datetime.timedelta(days=1)), actor=case.owner
    )
    # when a panel member, who reads the summary, opens it
    body = page(panel_member, case)
    # then the steps and the days since the case was referred show, the contacts' dates do not
    assert 'aria-current="step">1. Identify a possible case' in body
    assert days(body, "referral") == "1 day"
    assert 'data-days="contact"' not in body


def test_the_days_read_in_albanian(case: Case) -> None:
    User.objects.filter(pk=case.owner.pk).update(language="sq")
    body = page(User.objects.get(pk=case.owner.pk), case)
    assert "Where the work is" not in body and "No contact has taken place yet" not in body
