"""An entry kind is one declaration (decision 54): its page, its API, its menu item and its
timeline event all come from it."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from agencies.models import Agency, Membership, User
from cases.api.entries import ENTRY_VIEWSETS
from cases.entry_kinds import EntryKind, entry_kind, entry_kinds
from cases.models import Case, event_choices
from tests.conftest import api_as, member
from tests.factories import share

pytestmark = pytest.mark.django_db
KINDS = entry_kinds()


def _writer(kind: EntryKind, case: Case, owner: User, other_agency: Agency) -> User:
    if kind.sector == Agency.Sector.POLICE:
        share(case, other_agency)
        return member(other_agency, Membership.Role.POLICE_LIAISON, username="officer")
    return owner


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.slug)
def test_a_declared_kind_has_its_page_its_api_its_menu_and_its_event(
    kind: EntryKind, case: Case, caseworker: User, other_agency: Agency
) -> None:
    writer = _writer(kind, case, caseworker, other_agency)
    client = Client()
    client.force_login(writer)
    form = client.get(reverse("cases:entry_create", args=[case.pk, kind.slug]))
    assert form.status_code == 200
    for name in kind.form.base_fields:
        assert f'name="{name}"' in form.content.decode() or name == "visitors", name
    assert escape(str(kind.menu_label)) in client.get(case.get_absolute_url()).content.decode()
    api = api_as(writer).get(reverse(f"cases-api:{kind.slug}-list"))
    assert api.status_code == 200 and api.data["count"] == 0
    assert ENTRY_VIEWSETS[kind.slug].serializer_class is kind.serializer
    assert (kind.event, kind.event_label) in event_choices()


def test_a_kind_for_one_sector_is_offered_to_it_alone(case: Case, caseworker: User) -> None:
    security = entry_kind("securityassessment")
    client = Client()
    client.force_login(caseworker)
    assert str(security.menu_label) not in client.get(case.get_absolute_url()).content.decode()
    assert client.get(reverse("cases:entry_create", args=[case.pk, security.slug])).status_code == 403


def test_an_unknown_kind_does_not_exist(case: Case, caseworker: User) -> None:
    client = Client()
    client.force_login(caseworker)
    assert client.get(reverse("cases:entry_create", args=[case.pk, "diary"])).status_code == 404


def test_a_plain_kind_is_made_from_its_fields() -> None:
    note = entry_kind("casenote")
    assert note.form.__name__ == "CaseNoteForm" and list(note.form.base_fields) == ["text", "visibility", "abstract"]
    assert note.serializer.__name__ == "CaseNoteSerializer" and "text" in note.serializer.Meta.fields
