"""The case list at scale: the same few queries for every data shape (owners who show a
short name, many owners, many shares), an owner filter that suggests instead of listing every
owner, and a count that stops at a cap unless the user asks for the exact figure."""

from collections.abc import Callable
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, User
from cases import pagination
from cases.models import Case, CaseShare
from tests.conftest import member
from tests.factories import AgencyFactory, CaseFactory, share

pytestmark = pytest.mark.django_db
# The whole page, the ceiling: its reads (session, user, role permissions, memberships,
# count, rows, the header's unread count, the named people's agencies) and the list read's audit
# record (one insert).
LIST_BUDGET = 10
SERIAL = count()


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.get(reverse("cases:case_list"))  # the session's first write is not the page's cost
    return client


def owners_of_other_agencies(viewer_agency: Agency, n: int, shown: str) -> list[User]:
    """`n` cases, each owned by someone of another agency showing `shown`, shared with the viewer."""
    owners = []
    for i in range(n):
        serial = next(SERIAL)
        owner = member(AgencyFactory(name=f"Agency {shown} {serial}"), username=f"{shown}.{serial}")
        User.objects.filter(pk=owner.pk).update(name_shown_to_others=shown, first_name=f"Ana{i}", last_name="Zog")
        owner.refresh_from_db()
        case = CaseFactory(owner=owner, owning_agency=owner.memberships.get().agency)
        share(case, viewer_agency, scope=CaseShare.Scope.SUMMARY)
        owners.append(owner)
    return owners


Shape = Callable[[Agency, int], object]
SHAPES: dict[str, Shape] = {
    "full names": lambda agency, n: owners_of_other_agencies(agency, n, User.NameShown.FULL_NAME),
    "short names": lambda agency, n: owners_of_other_agencies(agency, n, User.NameShown.FIRST_NAME_INITIAL),
    "role and agency only": lambda agency, n: owners_of_other_agencies(agency, n, User.NameShown.ROLE_AND_AGENCY),
}


def list_queries(user: User) -> int:
    client = signed_in(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cases:case_list")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("shape", SHAPES)
def test_the_case_list_costs_the_same_few_queries_for_every_shape(shape: str, agency: Agency) -> None:
    viewer = member(agency, username="viewer")
    SHAPES[shape](agency, 1)
    one = list_queries(viewer)
    SHAPES[shape](agency, 6)
    assert list_queries(viewer) == one <= LIST_BUDGET


def test_the_owner_filter_suggests_only_names_the_user_may_see(agency: Agency) -> None:
    viewer = member(agency, username="viewer")
    [full] = owners_of_other_agencies(agency, 1, User.NameShown.FULL_NAME)
    [short] = owners_of_other_agencies(agency, 1, User.NameShown.FIRST_NAME_INITIAL)
    [hidden] = owners_of_other_agencies(agency, 1, User.NameShown.ROLE_AND_AGENCY)
    stranger = member(AgencyFactory(name="Elsewhere"), username="stranger")
    client = signed_in(viewer)
    url = reverse("cases:owner_suggestions")
    # the full name and the first name are found by what is shown; the hidden name not at all
    found = client.get(url, {"q": "Ana"}).json()["results"]
    assert {row["value"] for row in found} == {f"{full.full_name} #{full.pk}", f"Ana0 Z. #{short.pk}"}
    assert client.get(url, {"q": "Zog"}).json()["results"] == [
        {"value": f"{full.full_name} #{full.pk}", "label": full.full_name}
    ]
    assert hidden.pk not in {row["value"] for row in found}
    # a stranger, who sees none of the cases, is suggested nobody
    assert signed_in(stranger).get(url, {"q": "Ana"}).json() == {"results": []}
    # htmx asks for the datalist's options
    options = client.get(url, {"owner": "Ana"}, headers={"HX-Request": "true"}).content.decode()
    assert f'<option value="Ana0 Z. #{short.pk}">' in options


def test_the_owner_filter_takes_a_suggestion_a_username_or_a_shown_name(agency: Agency) -> None:
    viewer = member(agency, username="viewer")
    full, other = owners_of_other_agencies(agency, 2, User.NameShown.FULL_NAME)
    [hidden] = owners_of_other_agencies(agency, 1, User.NameShown.ROLE_AND_AGENCY)
    User.objects.filter(pk=hidden.pk).update(first_name="Dafina")
    hidden.refresh_from_db()
    client = signed_in(viewer)

    def shown(owner: str) -> set[int]:
        page = client.get(reverse("cases:case_list"), {"owner": owner})
        return {case.owner_id for case in page.context["cases"]}

    assert shown(f"{full.full_name} #{full.pk}") == {full.pk}
    assert shown(other.username) == {other.pk}
    assert shown(f"  {full.full_name.upper()} ") == {full.pk}  # typed without JavaScript
    assert shown(hidden.full_name) == set()  # a name the owner hides finds nothing
    assert shown(str(hidden.pk)) == {hidden.pk}  # the API's ?owner=<id>
    # the page renders a text input and an empty datalist, never an option per owner
    body = client.get(reverse("cases:case_list")).content.decode()
    assert 'list="owner-suggestions"' in body and full.full_name not in body.split("<table")[0]


def test_the_count_stops_at_the_cap_unless_asked(monkeypatch: pytest.MonkeyPatch, agency: Agency) -> None:
    monkeypatch.setattr(pagination, "CAP", 3)
    caseworker = member(agency, username="worker")
    CaseFactory.create_batch(5, owner=caseworker, owning_agency=agency)
    client = signed_in(caseworker)
    capped = client.get(reverse("cases:case_list"))
    assert capped.context["paginator"].capped and capped.context["paginator"].count == 4
    assert "count=exact" in capped.content.decode()
    exact = client.get(reverse("cases:case_list"), {"count": "exact"})
    assert not exact.context["paginator"].capped and exact.context["paginator"].count == 5
    assert "5 cases" in exact.content.decode()


def case_page_queries(user: User, url: str) -> int:
    client = Client()
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_case_page_costs_the_same_for_many_shares_and_short_names(agency: Agency) -> None:
    # given a case whose owner shows only a short name, read by a colleague, shared once, then with
    # five more agencies whose people show short names too
    [owner] = owners_of_other_agencies(agency, 1, User.NameShown.FIRST_NAME_INITIAL)
    case = Case.objects.get(owner=owner)
    url = case.get_absolute_url()
    one = case_page_queries(owner, url)
    for i in range(5):
        other = AgencyFactory(name=f"Sharing {i}")
        member(other, username=f"short.{i}")
        User.objects.filter(username=f"short.{i}").update(name_shown_to_others=User.NameShown.FIRST_NAME_INITIAL)
        share(case, other, scope=CaseShare.Scope.SUMMARY)
    assert case_page_queries(owner, url) == one
