"""An information-sharing agreement nearing its review date reminds the coordinator, once."""

import datetime

import pytest
import time_machine

from agencies.access import Action
from agencies.models import Agency, Membership, Panel, User
from cases.models import SharingAgreement
from reminders.models import Reminder
from reminders.sweep import sweep
from tests.conftest import member
from tests.factories import agreement

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


def told(user: User) -> list[Reminder]:
    return list(Reminder.objects.restrict(user, Action.VIEW).filter(kind="agreement_review"))


@time_machine.travel(NOW, tick=False)
def test_an_agreement_due_for_review_within_a_month_reminds_the_coordinator_once(
    client: object, panel: Panel, coordinator: User, agency: Agency, other_agency: Agency, caseworker: User
) -> None:
    # given a covenant at the panel, to be reviewed in three weeks
    covenant = agreement(agency, other_agency, panels=(panel,), review_in_days=21)
    # when the sweep runs twice
    sweep()
    sweep()
    # then the coordinator has one reminder, which opens the agreement; the party's worker none
    reminders = told(coordinator)
    assert len(reminders) == 1 and reminders[0].case_id is None
    assert told(caseworker) == []
    from django.test import Client

    browser = Client()
    browser.force_login(coordinator)
    response = browser.get(f"/notifications/{reminders[0].pk}/")
    assert response.status_code == 302 and response.url == covenant.get_absolute_url()


@time_machine.travel(NOW, tick=False)
def test_an_agreement_months_from_its_review_reminds_nobody(
    panel: Panel, coordinator: User, agency: Agency, other_agency: Agency
) -> None:
    agreement(agency, other_agency, panels=(panel,), review_in_days=60)
    sweep()
    assert told(coordinator) == []


@time_machine.travel(NOW, tick=False)
def test_without_a_panel_the_coordinators_of_its_parties_are_told(agency: Agency, other_agency: Agency) -> None:
    municipal = member(agency, Membership.Role.COORDINATOR, username="municipal_coordinator")
    agreement(agency, other_agency, review_in_days=5)
    sweep()
    assert len(told(municipal)) == 1


@time_machine.travel(NOW, tick=False)
def test_a_renewed_agreement_is_no_longer_due(
    panel: Panel, coordinator: User, agency: Agency, other_agency: Agency
) -> None:
    from reminders.kinds import AgreementReview

    covenant = agreement(agency, other_agency, panels=(panel,), review_in_days=21)
    sweep()
    reminder = told(coordinator)[0]
    assert AgreementReview.still_due(reminder)
    SharingAgreement.objects.filter(pk=covenant.pk).update(review_on=covenant.review_on + datetime.timedelta(days=365))
    assert not AgreementReview.still_due(reminder)
