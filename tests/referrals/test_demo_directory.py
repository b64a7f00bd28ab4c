"""The demo's services directory: the mental-health centre with a waiting list, Berisha's trauma
care referred to it, and the centre's practitioner who reads those referrals and no case."""

import pytest
from django.test import Client
from django.urls import reverse

from agencies.access import Action
from agencies.models import User
from cases.models import Case
from referrals.models import ServiceReferral, SupportService

pytestmark = pytest.mark.django_db


def test_the_demo_centre_has_a_waiting_list_and_a_measured_wait(demo: dict[str, User]) -> None:
    centre = SupportService.objects.with_waiting().get(name="Psikologu për fëmijë dhe familje")
    assert (centre.median_waited_days, centre.waiting_count) == (40.0, 1)
    client = Client()
    client.force_login(demo["sw.blerina"])
    html = client.get(reverse("referrals:service_list")).content.decode()
    assert "40 days' wait" in html and "1 family waiting" in html


def test_the_demo_trauma_care_of_berisha_is_referred_to_the_centre(demo: dict[str, User]) -> None:
    berisha = Case.objects.get(family__name="Berisha")
    [sent] = ServiceReferral.objects.filter(case=berisha)
    assert (sent.status, sent.waited_days, sent.plan_action.measure) == ("started", 40, "trauma_care")
    # the owner sees it on the case page
    client = Client()
    client.force_login(berisha.owner)
    assert "waited 40 days" in client.get(berisha.get_absolute_url()).content.decode()


def test_the_centres_practitioner_reads_its_referrals_and_not_the_files_they_come_from(
    demo: dict[str, User],
) -> None:
    dafina = demo["mh.dafina"]
    referred = ServiceReferral.objects.restrict(dafina, Action.VIEW)
    assert referred.count() == 2
    # neither the Berisha nor the Gashi file (the centre holds only Krasniqi's summary)
    assert not Case.objects.restrict(dafina, Action.VIEW_SUMMARY).filter(pk__in=referred.values("case_id")).exists()
