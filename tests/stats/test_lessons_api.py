"""The lessons learned through the API (decision 137): the same people read and write them as on
the yearly report's pages, every writing is in the trail, and the list costs the same whatever
the number of panels."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from panels.models import LessonsLearned
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, PanelFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
LIST = reverse("stats-api:lessonslearned-list")


def _detail(lessons: Any) -> str:
    return reverse("stats-api:lessonslearned-detail", args=[lessons if isinstance(lessons, int) else lessons.pk])


def _page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _written(coordinator: User, panel: Panel, year: int, text: str) -> int:
    """The coordinator writes a year's lessons through the API; their id."""
    response = api_as(coordinator).post(LIST, {"panel": panel.pk, "year": year, "text": text}, format="json")
    assert response.status_code == 201, response.data
    return int(response.data["id"])


@pytest.fixture
def year() -> int:
    return timezone.localdate().year - 1


@pytest.fixture
def deputy(coordinator: User) -> User:
    """A second coordinator of the panel's municipality: sits on the panel, does not coordinate it."""
    return member(coordinator.memberships.get().agency, Role.COORDINATOR, username="deputy")


@pytest.fixture
def elsewhere() -> tuple[User, Panel]:
    """The coordinator of another town's panel, with nothing to do with ours."""
    town = AgencyFactory(name="Other town", sector=Agency.Sector.LOCAL_AUTHORITY)
    them = member(town, Role.COORDINATOR, username="elsewhere")
    theirs = PanelFactory(name="Other town table", coordinator=them)
    theirs.agencies.add(town)
    return them, theirs


def test_the_coordinator_writes_the_lessons_and_the_panel_reads_them_as_on_the_report(
    coordinator: User, panel: Panel, panel_member: User, year: int
) -> None:
    # given the coordinator writes the year's lessons through the API, then writes them over
    pk = _written(coordinator, panel, year, "Meet schools earlier.")
    changed = api_as(coordinator).patch(_detail(pk), {"text": "Meet schools earlier.\nCall within a week."})
    assert changed.status_code == 200, changed.data

    # then one text is kept for the year, written by her, and the trail holds both writings
    lessons = LessonsLearned.objects.get()
    assert (lessons.pk, lessons.panel, lessons.year, lessons.written_by) == (pk, panel, year, coordinator)
    assert changed.data["text"] == "Meet schools earlier.\nCall within a week."
    assert changed.data["written_by"] == coordinator.pk and changed.data["panel_name"] == panel.name
    written = AuditEvent.objects.filter(action=AuditEvent.Action.LESSONS_WRITTEN, actor=coordinator)
    assert [event.data["created"] for event in written.order_by("pk")] == [True, False]
    # and a member of the panel reads them in the API as on the printed report
    listed = api_as(panel_member).get(LIST, {"year": year})
    assert [row["id"] for row in listed.data["results"]] == [pk]
    assert api_as(panel_member).get(_detail(pk)).data["text"] == lessons.text
    report = _page(panel_member).get(reverse("stats:year_report"), {"year": year}).content.decode()
    assert "Call within a week." in report
    # and a year with nothing written lists nothing
    assert api_as(panel_member).get(LIST, {"year": year - 1}).data["results"] == []


def test_a_year_already_written_is_changed_not_created_again(coordinator: User, panel: Panel, year: int) -> None:
    _written(coordinator, panel, year, "First thoughts.")
    again = api_as(coordinator).post(LIST, {"panel": panel.pk, "year": year, "text": "Other"}, format="json")
    assert again.status_code == 400
    assert "The panel already has its lessons for this year." in str(again.data)
    assert LessonsLearned.objects.get().text == "First thoughts."


def test_empty_lessons_and_impossible_years_are_refused_in_words(coordinator: User, panel: Panel, year: int) -> None:
    client = api_as(coordinator)
    empty = client.post(LIST, {"panel": panel.pk, "year": year, "text": "   "}, format="json")
    assert empty.status_code == 400 and "text" in empty.data
    ancient = client.post(LIST, {"panel": panel.pk, "year": 1066, "text": "Castles"}, format="json")
    assert ancient.status_code == 400 and "year" in ancient.data
    pk = _written(coordinator, panel, year, "Kept")
    assert client.patch(_detail(pk), {"text": ""}, format="json").status_code == 400
    assert LessonsLearned.objects.get().text == "Kept" and not LessonsLearned.objects.exclude(pk=pk).exists()


def test_who_sits_on_the_panel_without_coordinating_it_is_refused_403(
    coordinator: User, panel: Panel, deputy: User, panel_member: User, year: int
) -> None:
    pk = _written(coordinator, panel, year, "Ours")
    # the deputy may change panels (her role) and reads this one: refused as the lessons' page refuses her
    assert _page(deputy).post(reverse("stats:lessons", args=[panel.pk]), {"year": year, "text": "x"}).status_code == 403
    assert api_as(deputy).patch(_detail(pk), {"text": "Mine now"}, format="json").status_code == 403
    body = {"panel": panel.pk, "year": year - 1, "text": "Mine now"}
    assert api_as(deputy).post(LIST, body, format="json").status_code == 403
    # but she reads them, as on the report
    assert api_as(deputy).get(_detail(pk)).status_code == 200
    # a panel member's role changes no panel: refused before any row is looked at
    assert api_as(panel_member).patch(_detail(pk), {"text": "x"}, format="json").status_code == 403
    assert api_as(panel_member).post(LIST, body, format="json").status_code == 403
    assert LessonsLearned.objects.get().text == "Ours"


def test_another_towns_coordinator_learns_nothing_of_our_lessons(
    coordinator: User, panel: Panel, elsewhere: tuple[User, Panel], year: int
) -> None:
    them, theirs = elsewhere
    pk = _written(coordinator, panel, year, "Ours alone")
    mine = _written(them, theirs, year, "Theirs")
    client = api_as(them)
    # our panel's lessons are missing to them, as our panel's pages are
    assert _page(them).get(reverse("stats:lessons", args=[panel.pk])).status_code == 404
    assert client.get(_detail(pk)).status_code == 404
    assert client.patch(_detail(pk), {"text": "x"}, format="json").status_code == 404
    assert client.patch(_detail(987654), {"text": "x"}, format="json").status_code == 404
    # our panel named in a body is refused exactly like a panel that does not exist
    ours = client.post(LIST, {"panel": panel.pk, "year": year - 1, "text": "x"}, format="json")
    missing = client.post(LIST, {"panel": 987654, "year": year - 1, "text": "x"}, format="json")
    assert ours.status_code == missing.status_code == 400
    assert str(ours.data["panel"]).replace(str(panel.pk), "N") == str(missing.data["panel"]).replace("987654", "N")
    # and the list and its filter show them their own panel's alone
    assert [row["id"] for row in client.get(LIST).data["results"]] == [mine]
    assert client.get(LIST, {"panel": panel.pk}).status_code == client.get(LIST, {"panel": 987654}).status_code == 400
    assert LessonsLearned.objects.get(pk=pk).text == "Ours alone"


def test_a_caseworker_without_a_panel_seat_gets_no_lessons(
    coordinator: User, panel: Panel, caseworker: User, year: int
) -> None:
    pk = _written(coordinator, panel, year, "Ours")
    # as the report is refused to her
    assert _page(caseworker).get(reverse("stats:year_report")).status_code == 403
    assert api_as(caseworker).get(LIST).status_code == 403
    assert api_as(caseworker).get(_detail(pk)).status_code == 403


@pytest.mark.parametrize("who", ["coordinator", "deputy", "panel_member", "caseworker", "elsewhere"])
def test_the_api_and_the_pages_agree_on_who_reads_and_who_writes(
    who: str, coordinator: User, panel: Panel, year: int, request: pytest.FixtureRequest
) -> None:
    # given the lessons of a year, written on the report's page
    _page(coordinator).post(reverse("stats:lessons", args=[panel.pk]), {"year": year, "text": "Shared words"})
    lessons = LessonsLearned.objects.get()
    user = request.getfixturevalue(who)
    user = user[0] if isinstance(user, tuple) else user
    # when the user reads the report and opens the lessons' form, and asks the API the same
    report = _page(user).get(reverse("stats:year_report"), {"year": year})
    form = _page(user).get(reverse("stats:lessons", args=[panel.pk]), {"year": year})
    listed = api_as(user).get(LIST, {"year": year})
    patched = api_as(user).patch(_detail(lessons), {"text": "Shared words"}, format="json")
    # then they read the text in both or in neither, and are let write, refused or not told alike
    reads_page = report.status_code == 200 and "Shared words" in report.content.decode()
    reads_api = listed.status_code == 200 and [row["text"] for row in listed.data["results"]] == ["Shared words"]
    assert reads_page == reads_api
    assert form.status_code == patched.status_code
    assert (form.status_code == 200) == (who == "coordinator")


def test_the_list_costs_the_same_whatever_the_number_of_panels(
    coordinator: User, panel: Panel, panel_member: User, year: int
) -> None:
    # given a partner who sits on one panel, then on three, each panel's lessons written by its own
    # coordinator, whose name is shown to others by role and agency only (a lookup of their agencies)
    User.objects.filter(pk=coordinator.pk).update(name_shown_to_others=User.NameShown.ROLE_AND_AGENCY)
    _written(coordinator, panel, year, "First table")

    def counted() -> int:
        reader = User.objects.get(pk=panel_member.pk)  # as a new request would: her panels read afresh
        with CaptureQueriesContext(connection) as queries:
            response = api_as(reader).get(LIST)
        assert response.status_code == 200
        return len(queries)

    one = counted()
    for number in range(2):
        town = AgencyFactory(name=f"Town {number}", sector=Agency.Sector.LOCAL_AUTHORITY)
        chief = member(town, Role.COORDINATOR, username=f"chief{number}")
        User.objects.filter(pk=chief.pk).update(name_shown_to_others=User.NameShown.ROLE_AND_AGENCY)
        chief.refresh_from_db()
        table = PanelFactory(name=f"Table {number}", coordinator=chief)
        table.agencies.set([town, panel_member.memberships.get().agency])
        _written(chief, table, year, f"Lessons of table {number}")
    # then the list holds the three, named as she may see them, in as many queries as the one
    rows = api_as(User.objects.get(pk=panel_member.pk)).get(LIST).data["results"]
    assert len(rows) == 3 and "Coordinator, Town 0" in {row["written_by_name"] for row in rows}
    assert counted() == one <= 10


def test_the_schema_describes_the_lessons_with_their_serializers() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert set(paths["/api/v1/lessons-learned/"]) == {"get", "post"}
    assert set(paths["/api/v1/lessons-learned/{id}/"]) == {"get", "patch"}
    patch = paths["/api/v1/lessons-learned/{id}/"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("PatchedLessonsTextRequest")
    assert patch["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/LessonsLearned")
    fields = schema["components"]["schemas"]["LessonsLearned"]["properties"]
    assert {"id", "panel", "panel_name", "year", "text", "written_by", "written_by_name", "updated_at"} == set(fields)
