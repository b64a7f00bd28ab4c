"""The polish of every form: a failed form opens with an error summary that links to each field at
fault; an empty choice reads "Choose…" in the user's language; dates are written one way per
language, on the page and in the date fields; the favicon is ours."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import get_format

from agencies.models import User
from cases.models import Case

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def client_for(user: User, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def test_a_failed_form_opens_with_a_summary_linking_to_each_field_at_fault(caseworker: User, case: Case) -> None:
    url = reverse("cases:entry_create", args=[case.pk, "contact"])
    response = client_for(caseworker).post(url, {"occurred_at": "not a date"})
    assert response.status_code == 200
    html = response.content.decode()
    summary = html.partition("data-error-summary")[2].partition("</div>")[0]
    assert "There is a problem" in summary
    form = response.context["form"]
    assert form.errors
    for name in form.errors:
        if name != "__all__":
            assert re.search(rf'href="#id_{name}(_0)?"', summary), name
    assert html.index("data-error-summary") < html.index("<h1")  # first thing on the page


def test_a_page_without_a_failed_form_has_no_error_summary(caseworker: User, case: Case) -> None:
    response = client_for(caseworker).get(reverse("cases:entry_create", args=[case.pk, "contact"]))
    assert "data-error-summary" not in response.content.decode()


@pytest.mark.parametrize(("language", "choose"), [("en", "Choose…"), ("sq", "Zgjidhni…")])
def test_an_empty_choice_reads_choose_in_the_users_language(
    caseworker: User, case: Case, language: str, choose: str
) -> None:
    response = client_for(caseworker, language).get(reverse("cases:consent_create", args=[case.pk]))
    html = response.content.decode()
    assert "---------" not in html
    assert f'<option value="" selected>{choose}</option>' in html


@pytest.mark.parametrize(
    ("language", "written", "hint"), [("en", "21/11/2026", "dd/mm/yyyy"), ("sq", "21.11.2026", "dd.mm.vvvv")]
)
def test_a_date_field_shows_and_reads_the_languages_format(
    caseworker: User, case: Case, language: str, written: str, hint: str
) -> None:
    client = client_for(caseworker, language)
    url = reverse("cases:entry_create", args=[case.pk, "contact"])
    html = client.get(url).content.decode()
    assert 'type="date' not in html and "datetime-local" not in html  # no picker in the browser's locale
    assert f'placeholder="{hint}"' in html
    response = client.post(url, {"occurred_at": f"{written} 09:30", "next_contact_on": written})
    form = response.context["form"]
    assert "occurred_at" not in form.errors and "next_contact_on" not in form.errors
    assert form.cleaned_data["next_contact_on"] == datetime.date(2026, 11, 21)
    american = client.post(url, {"next_contact_on": "11/21/2026"}).context["form"]
    assert "next_contact_on" in american.errors  # month before day is not read as a date


@pytest.mark.parametrize("language", ["en", "sq"])
def test_each_language_writes_dates_one_way(language: str) -> None:
    with translation.override(language):
        date = get_format("DATE_FORMAT")
        assert get_format("SHORT_DATE_FORMAT") == date
        assert get_format("DATETIME_FORMAT") == get_format("SHORT_DATETIME_FORMAT") == f"{date} H:i"
        shown = datetime.date(2026, 11, 21).strftime(get_format("DATE_INPUT_FORMATS")[0])
        assert shown == datetime.date(2026, 11, 21).strftime(
            date.replace("d", "%d").replace("m", "%m").replace("Y", "%Y")
        )


def test_templates_name_the_languages_formats_not_their_own() -> None:
    own = []
    for template in TEMPLATES.rglob("*.*"):
        for found in re.findall(r'\|date:"([^"]*)"', template.read_text()):
            if found not in {"DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT", "H:i"}:
                own.append(f"{template.relative_to(TEMPLATES)}: {found}")
    assert not own


def test_every_page_names_our_own_favicon(caseworker: User) -> None:
    html = client_for(caseworker).get(reverse("home")).content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert icon and icon[1].startswith(settings.STATIC_URL)
    assert (Path(settings.BASE_DIR) / "static" / icon[1].removeprefix(settings.STATIC_URL)).is_file()
