"""A panel's case list can reach thousands of cases at a million: it is paged by keyset
(every case once, forwards and back, no OFFSET) and its count stops at the cap unless asked."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Panel, User
from cases import pagination
from panels.views import PanelCaseListView
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _ids(page: object) -> list[int]:
    return [case.pk for case in page.context["cases"]]  # type: ignore[attr-defined]


def _link(body: str, rel: str) -> str:
    found = re.search(rf'rel="{rel}" href="\?([^"]+)"', body)
    assert found, rel
    return found.group(1).replace("&amp;", "&")


def test_a_panels_cases_are_paged_by_keyset_and_counted_up_to_the_cap(
    monkeypatch: pytest.MonkeyPatch, agency: Agency, panel: Panel, panel_member: User
) -> None:
    monkeypatch.setattr(PanelCaseListView, "paginate_by", 2)
    monkeypatch.setattr(pagination, "CAP", 3)
    made = {CaseFactory(owning_agency=agency, panel=panel).pk for _ in range(5)}
    client = Client()
    client.force_login(panel_member)
    url = reverse("panels:panel", args=[panel.pk])

    first = client.get(url)
    assert first.status_code == 200
    assert first.context["paginator"].capped and "count=exact" in first.content.decode()
    seen = _ids(first)
    page = first
    while 'rel="next"' in page.content.decode():
        page = client.get(f"{url}?{_link(page.content.decode(), 'next')}")
        assert "offset" not in page.request["QUERY_STRING"] and "page=" not in page.request["QUERY_STRING"]
        seen += _ids(page)
    assert sorted(seen) == sorted(made) and len(seen) == len(made)  # each case once
    back = client.get(f"{url}?{_link(page.content.decode(), 'prev')}")
    assert _ids(back) == seen[2:4]  # pages of two: the last holds the fifth case alone

    exact = client.get(url, {"count": "exact"})
    assert not exact.context["paginator"].capped and "5 cases" in exact.content.decode()
