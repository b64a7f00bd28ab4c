"""English and Albanian ship together: the catalogue is complete, compiled, and chosen per user."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from agencies.models import User

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "sq" / "LC_MESSAGES"


def test_every_albanian_string_is_translated() -> None:
    po = polib.pofile(str(CATALOGUE / "django.po"))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_the_compiled_catalogue_matches_the_source() -> None:
    po = {(e.msgid, e.msgctxt): (e.msgstr, e.msgstr_plural) for e in polib.pofile(str(CATALOGUE / "django.po"))}
    mo = {(e.msgid, e.msgctxt): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(CATALOGUE / "django.mo"))}
    stale = {key for key in po if po[key] != mo.get(key)}
    assert stale == set(), "run `make messages` to recompile locale/sq"


def test_placeholders_survive_translation() -> None:
    import re

    placeholder = re.compile(r"%\(\w+\)s")
    for entry in polib.pofile(str(CATALOGUE / "django.po")):
        if not entry.msgid_plural:
            assert sorted(placeholder.findall(entry.msgid)) == sorted(placeholder.findall(entry.msgstr)), entry.msgid


@pytest.mark.django_db
def test_a_user_sees_their_chosen_language(caseworker: User) -> None:
    client = Client()
    client.force_login(caseworker)
    assert "My cases" in client.get(reverse("home")).content.decode()
    # when they choose Albanian
    response = client.post(reverse("set_language"), {"language": "sq", "next": reverse("home")})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.language == "sq"
    # then every page follows, whatever the browser asks for
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Rastet e mia" in page.content.decode()
    assert page.headers["Content-Language"] == "sq"


@pytest.mark.django_db
def test_the_sign_in_page_follows_the_browser() -> None:
    page = Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="sq")
    assert "Hyni në Ura" in page.content.decode()
