"""What a user types into a list's filter, and names read from the database, come back escaped:
on the case list, a panel's page and the referral list, and as crispy's markup wrote them."""

from typing import Any

import pytest
from django.template import engines
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Panel, User
from tests.factories import CaseFactory, ReferralFactory
from tests.pages.test_list_page_markup import CRISPY_FILTERS, FORM, _norm

pytestmark = pytest.mark.django_db

EVIL = '"><script>alert(1)</script>'


def _as_crispy_wrote_it(page: Any) -> None:
    body = page.content.decode()
    expected = (
        engines["django"]
        .from_string(CRISPY_FILTERS)
        .render({"filter": page.context["filter"], "request": page.wsgi_request})
    )
    assert _norm(FORM.findall(body)[0]) == _norm(expected)


def _get(user: User, url: str, query: dict[str, str]) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(url, query)


@pytest.mark.parametrize("name", ["q", "owner", "agency", "panel", "status", "stage"])
def test_the_case_list_gives_back_what_was_typed_escaped(name: str, caseworker: User, agency: Agency) -> None:
    Agency.objects.filter(pk=agency.pk).update(name="<b>x</b>")
    CaseFactory(owner=caseworker, owning_agency=agency)
    query = {name: EVIL} if name == "agency" else {name: EVIL, "agency": "<b>x</b>"}
    page = _get(caseworker, reverse("cases:case_list"), query)
    body = page.content.decode()
    assert "<script>alert(1)" not in body and "<b>x</b>" not in body
    if name in ("q", "owner", "agency", "panel"):
        assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in FORM.findall(body)[0]
    _as_crispy_wrote_it(page)


def test_a_panels_page_gives_back_what_was_typed_escaped(
    panel: Panel, panel_member: User, caseworker: User, agency: Agency
) -> None:
    Agency.objects.filter(pk=agency.pk).update(name="<b>x</b>")
    Panel.objects.filter(pk=panel.pk).update(name="<b>p</b>")
    CaseFactory(owner=caseworker, owning_agency=agency, panel=panel)
    page = _get(
        panel_member, reverse("panels:panel", args=[panel.pk]), {"q": EVIL, "owner": EVIL, "agency": "<b>x</b>"}
    )
    body = page.content.decode()
    assert "<script>alert(1)" not in body and "<b>x</b>" not in body and "<b>p</b>" not in body
    _as_crispy_wrote_it(page)


def test_the_referral_list_gives_back_what_was_typed_escaped(caseworker: User, agency: Agency) -> None:
    Agency.objects.filter(pk=agency.pk).update(name="<b>x</b>")
    ReferralFactory(received_by=agency)
    query = {"q": EVIL, "urgency": EVIL, "status": EVIL, "is_crisis": EVIL}
    page = _get(caseworker, reverse("referrals:referral_list"), query)
    body = page.content.decode()
    assert "<script>alert(1)" not in body and "<b>x</b>" not in body
    _as_crispy_wrote_it(page)
