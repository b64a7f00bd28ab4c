"""No English on an Albanian page: the main pages, rendered in Albanian for the demo's
users, show no string of the catalogue's English source that has an Albanian translation; and the
catalogue has no empty or fuzzy entry, its plurals in Albanian's two forms."""

import ast
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.access import Action, CaseAccess, is_data_protection_officer
from agencies.models import Panel, User
from audit.models import AuditEvent
from cases.models import Case
from panels.models import PanelMeeting

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "sq" / "LC_MESSAGES" / "django.po"
USERS = ("sw.blerina", "sup.elira", "coord.arta", "police.fatos", "school.ilir", "ngo.klea", "dpo.mira")
# English that is also Albanian, or a name: the same on both pages.
SAME_IN_BOTH = {"Ura", "OK", "Email", "E-mail", "ID", "CSV", "PDF", "iCal", "API", "Shqip", "English"}
WORDS = re.compile(r"[^\W\d_]+")
# A date written for a machine (2026-12-06) inside a sentence, not in the reader's format.
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@cache
def demo_texts() -> tuple[str, ...]:
    """What the demo's families, workers and notes say (in English): data, not the interface."""
    texts = set()
    for module in (Path(settings.BASE_DIR) / "demo").glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) >= 8:
                texts.add(_norm(node.value))
    return tuple(texts)


def _is_data(text: str) -> bool:
    return any(text in data or (data in text and len(data) >= 12) for data in demo_texts())


class _Text(HTMLParser):
    """The text a reader sees or hears: text outside scripts and styles, and the labels of controls."""

    def __init__(self) -> None:
        super().__init__()
        self.skipping = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self.skipping += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.texts.append(data)


def _norm(text: str) -> str:
    return " ".join(text.split())


def english_source() -> tuple[set[str], set[str]]:
    """The English strings Albanian translates differently: whole strings, and the longer ones that
    show inside a sentence of the page (with their placeholders, when they have any, left out)."""
    whole: set[str] = set()
    phrases: set[str] = set()
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or entry.msgid_plural or entry.msgstr in ("", entry.msgid):
            continue
        msgid = _norm(entry.msgid)
        if msgid in SAME_IN_BOTH or not WORDS.search(msgid):
            continue
        for part in re.split(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}", msgid):
            part = part.strip(" .,:;·—-()")
            if part == msgid.strip(" .,:;·—-()"):
                whole.add(part)
            if len(WORDS.findall(part)) >= 3:
                phrases.add(part)
    return whole, phrases


def english_on(html: str, whole: set[str], phrases: set[str]) -> set[str]:
    parser = _Text()
    parser.feed(html)
    found: set[str] = set()
    for text in parser.texts:
        text = _norm(text)
        if _is_data(text):
            continue
        if ISO_DATE.search(text) and len(WORDS.findall(ISO_DATE.sub("", text))) >= 2:
            found.add(text)
        if text.strip(" .,:;·—-()") in whole:
            found.add(text)
        found.update(phrase for phrase in phrases if phrase in text)
    return found


def main_pages(user: User) -> list[str]:
    pages = [reverse("home")]
    if not is_data_protection_officer(user):  # the officer reads no case through an agency (decision 44)
        pages += [reverse("cases:case_list"), reverse("referrals:referral_list")]
    cases = Case.objects.restrict(user, Action.VIEW_SUMMARY).with_access(user).order_by("pk")
    for case in cases[:6]:
        pages.append(case.get_absolute_url())
        if CaseAccess.of(case, user).sees_access_log:  # the owner's and the coordinator's
            pages.append(reverse("audit:case_access_log", args=[case.pk]))
    for case in cases[:1]:  # the printable summary (decision 110)
        pages.append(reverse("cases:case_summary", args=[case.pk]))
    for case in Case.objects.restrict(user, Action.CHANGE).order_by("pk")[:1]:
        forms = ("case_stage", "case_risk", "case_key_worker", "restriction_create")
        pages += [reverse(f"cases:{name}", args=[case.pk]) for name in forms]
    pages.append(reverse("stats:dashboard"))
    if user.has_perm("agencies.view_panel"):
        pages.append(reverse("panels:panel_list"))
        pages += [reverse("stats:evaluation"), reverse("stats:year_report") + f"?year={timezone.localdate().year}"]
        pages += [panel.get_absolute_url() for panel in Panel.objects.restrict(user, Action.VIEW)]
    pages += [meeting.get_absolute_url() for meeting in PanelMeeting.objects.restrict(user, Action.VIEW)[:3]]
    pages += [
        reverse("panels:meeting_pack", args=[meeting.pk])
        for meeting in PanelMeeting.objects.restrict(user, Action.VIEW)[:1]
    ]
    if user.has_perm("audit.view_subjectaccessrequest"):
        pages += [reverse("privacy:retention_list"), reverse("privacy:sar_list"), reverse("audit:auditevent_list")]
        # the trail of the actions that carry particulars, each read in words (decision 86)
        trail = reverse("audit:auditevent_list")
        actions = AuditEvent.objects.exclude(data={}).values_list("action", flat=True).distinct()
        pages += [f"{trail}?action={action}" for action in sorted(set(actions))]
    return pages


@pytest.mark.django_db
def test_no_english_is_left_on_the_main_albanian_pages(demo: dict[str, User]) -> None:
    whole, phrases = english_source()
    left: dict[str, set[str]] = {}
    for username in USERS:
        user = demo[username]
        User.objects.filter(pk=user.pk).update(language="sq")
        client = Client()
        client.force_login(user)
        for url in main_pages(user):
            response = client.get(url)
            assert response.status_code == 200, f"{username} {url}: {response.status_code}"
            assert response.headers["Content-Language"] == "sq"
            found = english_on(response.content.decode(), whole, phrases)
            if found:
                left[f"{username} {url}"] = found
    assert not left, "\n".join(f"{page}: {sorted(found)}" for page, found in sorted(left.items()))


def test_the_detector_finds_english() -> None:
    whole, phrases = english_source()
    assert english_on("<h1>My cases</h1><p>Rastet</p>", whole, phrases) == {"My cases"}
    assert english_on('<button aria-label="Rastet e mia">Rastet e mia</button>', whole, phrases) == set()


def test_the_catalogue_has_no_empty_or_fuzzy_entry_and_two_plural_forms() -> None:
    po = polib.pofile(str(CATALOGUE))
    assert [e.msgid for e in po if not e.obsolete and not e.translated() and not e.fuzzy] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert po.metadata["Plural-Forms"].startswith("nplurals=2;")
    for entry in po:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1] and all(entry.msgstr_plural.values()), entry.msgid
