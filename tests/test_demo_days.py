"""The demo loads on any day of the year, the day its people's ages are counted from."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from families.models import Person

pytestmark = pytest.mark.django_db

TIRANA = ZoneInfo("Europe/Tirane")


def test_the_demo_loads_on_29_february() -> None:
    # given a leap day, which the years before it mostly lack
    with time_machine.travel(datetime.datetime(2028, 2, 29, 10, 0, tzinfo=TIRANA), tick=False):
        # when the demo is loaded
        call_command("seed_demo", stdout=io.StringIO())
    # then its people are there with their dates of birth (a year without a 29 February gives the
    # 28th; the load refused the whole scenario before)
    assert Person.objects.exclude(date_of_birth=None).count() >= 8
