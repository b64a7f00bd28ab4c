"""Words the walk-through found in English on Albanian pages: the retention
page's record classes, the access log's level of a read, a caseload's plural, dates in sentences."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from agencies.models import User
from cases.models import Case, CaseNote
from panels.forms import OwnerChoiceField

pytestmark = pytest.mark.django_db


def in_albanian(user: User) -> Client:
    User.objects.filter(pk=user.pk).update(language="sq")
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))
    return client


def test_the_retention_page_names_the_record_classes_in_albanian(dpo: User) -> None:
    page = in_albanian(dpo).get(reverse("privacy:retention_list")).content.decode()
    sentence = page[page.index("Regjistrimet") :].split("</p>")[0]
    assert "Rast i mbyllur: 5" in sentence and "case:" not in sentence and "referral:" not in sentence


def test_the_access_log_says_what_was_read_in_albanian(case: Case) -> None:
    client = in_albanian(case.owner)
    client.get(case.get_absolute_url())
    page = client.get(reverse("audit:case_access_log", args=[case.pk])).content.decode()
    assert "(dosja e plotë)" in page and "(full)" not in page


def test_one_open_case_is_singular_in_albanian(case: Case) -> None:
    from cases.directory import owner_candidates

    candidates = owner_candidates()
    with translation.override("sq"):
        choices: list[tuple[str, str]] = list(OwnerChoiceField(candidates=candidates).choices)  # type: ignore[arg-type]
        labels = [str(label) for _key, label in choices]
    owner = next(label for label in labels if str(case.owner) in label)
    assert "1 rast i hapur" in owner and "raste të hapura" not in owner


def test_a_title_gives_its_date_in_the_readers_format(case: Case) -> None:
    note = CaseNote(case=case, created_at=datetime.datetime(2026, 3, 7, 10, tzinfo=datetime.UTC))
    with translation.override("sq"):
        title = str(note)
    assert "2026-03-07" not in title and "07.03.2026" in title
