"""Keyset pages of the case list (decision 151): walking the pages forwards or backwards
gives every row exactly once, in the list's order, in every ordering (ties and NULLs included), and
a page deep in the list costs the same queries as the first."""

import base64
import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, User
from cases.keyset import keyset_page, sort_keys
from cases.models import Case
from cases.views import CaseListView
from tests.conftest import member
from tests.factories import CaseFactory, PanelFactory

pytestmark = pytest.mark.django_db

ORDERINGS = [
    ["-opened_at", "-pk"],  # the list's own
    ["opened_at"],
    ["next_review_on"],  # nullable, with ties
    ["-next_review_on", "stage"],
    ["panel", "-opened_at"],  # a nullable foreign key
    ["-stage", "next_review_on", "-pk"],
]


@pytest.fixture
def cases(agency: Agency) -> list[Case]:
    """Eleven cases with ties on every key: three opened at the same instant, reviews on the same
    day or none, a panel on some."""
    owner = member(agency, username="owner")
    panel = PanelFactory()
    same = timezone.now().replace(microsecond=123456)
    made = []
    for i in range(11):
        opened = same if i < 3 else same - datetime.timedelta(days=i, microseconds=i)
        review = None if i % 3 == 0 else datetime.date(2027, 1, 1 + i % 2)
        made.append(
            CaseFactory(
                owning_agency=agency,
                owner=owner,
                opened_at=opened,
                next_review_on=review,
                stage=1 + i % 2,
                panel=panel if i % 4 == 0 else None,
            )
        )
    return made


def walk_forwards(queryset: "object", size: int) -> list[int]:
    seen: list[int] = []
    after = ""
    for _ in range(20):
        page = keyset_page(queryset, size=size, after=after)  # type: ignore[arg-type]
        assert page.has_previous == bool(after)
        seen += [row.pk for row in page.object_list]
        if not page.has_next:
            return seen
        after = page.next_token
    raise AssertionError("the pages never end")


def walk_backwards(queryset: "object", size: int, before: str) -> list[int]:
    seen: list[int] = []
    for _ in range(20):
        page = keyset_page(queryset, size=size, before=before)  # type: ignore[arg-type]
        seen = [row.pk for row in page.object_list] + seen
        if not page.has_previous:
            return seen
        before = page.previous_token
    raise AssertionError("the pages never end")


@pytest.mark.parametrize("ordering", ORDERINGS, ids=",".join)
@pytest.mark.parametrize("size", [1, 2, 4])
def test_every_row_once_in_order_forwards_and_backwards(cases: list[Case], ordering: list[str], size: int) -> None:
    queryset = Case.objects.order_by(*ordering)
    expected = list(queryset.order_by(*(key.order() for key in sort_keys(queryset))).values_list("pk", flat=True))
    assert sorted(expected) == sorted(case.pk for case in cases)
    forwards = walk_forwards(queryset, size)
    assert forwards == expected
    # from the last page back to the first
    last = keyset_page(queryset, size=size, after="")
    while last.has_next:
        last = keyset_page(queryset, size=size, after=last.next_token)
    if last.has_previous:
        earlier = walk_backwards(queryset, size, last.previous_token)
        assert earlier + [row.pk for row in last.object_list] == expected


def test_nulls_come_last_whichever_the_direction(cases: list[Case]) -> None:
    for ordering in ("next_review_on", "-next_review_on"):
        rows = walk_forwards(Case.objects.order_by(ordering), 2)
        reviews = [Case.objects.get(pk=pk).next_review_on for pk in rows]
        nulls = reviews.index(None)
        assert all(review is None for review in reviews[nulls:]) and None not in reviews[:nulls]


def test_a_token_that_is_not_ours_gives_the_first_page(cases: list[Case]) -> None:
    queryset = Case.objects.all()
    first = [row.pk for row in keyset_page(queryset, size=3).object_list]
    for token in ("nonsense", "W10", "WyJ4IiwieSJd", "%%%"):
        assert [row.pk for row in keyset_page(queryset, size=3, after=token).object_list] == first
    # a tampered token of the right ordering: an id of Infinity, NaN or too many digits for a float
    signature = ",".join(f"{'-' if key.descending else ''}{key.name}" for key in sort_keys(queryset))
    for value in ("Infinity", "-Infinity", "NaN", "1e400"):
        carried = '{"o":"' + signature + '","v":[' + value + "]}"
        token = base64.urlsafe_b64encode(carried.encode()).decode().rstrip("=")
        assert [row.pk for row in keyset_page(queryset, size=3, after=token).object_list] == first
        assert [row.pk for row in keyset_page(queryset, size=3, before=token).object_list] == first


def test_a_tampered_token_gives_the_first_page_not_an_error(cases: list[Case], agency: Agency) -> None:
    user = member(agency, username="reader")
    client = Client()
    client.force_login(user)
    carried = '{"o":"-opened_at,-id","v":["2024-01-01T00:00:00+00:00",Infinity]}'
    token = base64.urlsafe_b64encode(carried.encode()).decode().rstrip("=")
    for url in (reverse("cases:case_list"), "/api/v1/cases/"):
        assert client.get(url, {"after": token}).status_code == 200
        assert client.get(url, {"before": token}).status_code == 200


def list_page(client: Client, query: str = "") -> tuple[list[str], str, str, int]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("cases:case_list") + query)
    assert page.status_code == 200
    body = page.content.decode()
    after = re.search(r'rel="next" href="\?([^"]*)"', body)
    before = re.search(r'rel="prev" href="\?([^"]*)"', body)
    rows = [case.reference for case in page.context["cases"]]
    unescape = lambda found: "?" + found.group(1).replace("&amp;", "&") if found else ""  # noqa: E731
    return rows, unescape(after), unescape(before), len(queries)


def test_the_list_pages_by_its_links_every_case_once_in_constant_queries(
    monkeypatch: pytest.MonkeyPatch, cases: list[Case], agency: Agency
) -> None:
    monkeypatch.setattr(CaseListView, "paginate_by", 3)
    owner = User.objects.get(username="owner")
    client = Client()
    client.force_login(owner)
    client.get(reverse("cases:case_list"))  # the session's first write is not the page's cost
    seen: list[str] = []
    costs = set()
    query = "?stage=1&count=exact"
    while query:
        rows, query, _, cost = list_page(client, query)
        seen += rows
        costs.add(cost)
    expected = list(Case.objects.filter(stage=1).values_list("reference", flat=True))  # the list's own order
    assert seen == expected
    assert len(costs) == 1  # the last page costs what the first did
    # going back from the last page gives the page before it
    first, after, _, _ = list_page(client, "?stage=1")
    second, _, before, _ = list_page(client, after)
    assert "after=" not in before and list_page(client, before)[0] == first
    assert second == expected[3:6]


@pytest.mark.parametrize("ordering", ["", "opened_at", "-id", "updated_at"])
def test_the_api_links_walk_every_case_once_with_the_documented_page_numbers_kept(
    monkeypatch: pytest.MonkeyPatch, cases: list[Case], ordering: str
) -> None:
    from cases.api.pagination import CasePagination
    from tests.conftest import api_as

    monkeypatch.setattr(CasePagination, "page_size", 4)
    client = api_as(User.objects.get(username="owner"))
    url: str | None = reverse("cases-api:case-list") + (f"?ordering={ordering}" if ordering else "")
    seen: list[int] = []
    while url:
        answer = client.get(url).json()
        assert answer["count"] == len(cases)  # exact, as documented
        seen += [row["id"] for row in answer["results"]]
        url = answer["next"]
        assert url is None or ("after=" in url and "page=" not in url)
    # the list's own order (newest opened first), or the one asked for, the id breaking ties
    rows = Case.objects.order_by(ordering, "pk") if ordering else Case.objects.all()
    expected = list(rows.values_list("pk", flat=True))
    assert seen == expected
    # a page number still answers its page, and its links are cursors around it
    second = client.get(reverse("cases-api:case-list"), {"page": 2, **({"ordering": ordering} if ordering else {})})
    assert [row["id"] for row in second.json()["results"]] == expected[4:8]
    back = client.get(second.json()["previous"]).json()
    assert [row["id"] for row in back["results"]] == expected[:4] and back["previous"] is None
    onwards = client.get(second.json()["next"]).json()
    assert [row["id"] for row in onwards["results"]] == expected[8:12]


def test_deeper_api_pages_carry_the_count_instead_of_counting_again(
    monkeypatch: pytest.MonkeyPatch, cases: list[Case]
) -> None:
    from cases.api.pagination import CasePagination
    from tests.conftest import api_as

    monkeypatch.setattr(CasePagination, "page_size", 4)
    client = api_as(User.objects.get(username="owner"))
    first = client.get(reverse("cases-api:case-list")).json()
    assert f"total={len(cases)}" in first["next"]

    def counts(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return sum("COUNT(" in query["sql"].upper() for query in queries.captured_queries)

    assert counts(first["next"]) == 0  # the count came with the link
    bare = first["next"].replace(f"total={len(cases)}", "")
    assert counts(bare) == 1  # a page asked without it counts
    assert client.get(bare).json()["count"] == len(cases)
    assert counts(first["next"].replace(f"total={len(cases)}", "total=Infinity")) == 1  # not a count: counted
