"""The referral list's search meets names as matching does (decision 69), among the referrals the
user may read."""

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, User
from referrals.models import Referral
from tests.factories import AgencyFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def found(user: User, q: str) -> set[int]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("referrals:referral_list"), {"q": q})
    assert response.status_code == 200
    return {referral.pk for referral in response.context["referrals"]}


@pytest.mark.parametrize("typed", ["Krasniqi", "Krasnici", "Karsniqi", "Grasniqi"])
def test_a_referral_is_found_across_spellings_and_slips(typed: str, caseworker: User, agency: Agency) -> None:
    mine = ReferralFactory(received_by=agency, subject_given_name="Ardit", subject_family_name="Krasnici")
    ReferralFactory(received_by=agency, subject_given_name="Besnik", subject_family_name="Gashi")
    hidden = ReferralFactory(
        received_by=AgencyFactory(name="Far away"), subject_given_name="Ardit", subject_family_name="Krasniqi"
    )
    result = found(caseworker, typed)
    assert mine.pk in result and hidden.pk not in result and len(result) == 1
    assert Referral.objects.count() == 3
