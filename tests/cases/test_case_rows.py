"""The case table's rows (`cases.rows`), as the list page shows them: every value a user typed is
escaped, and each cell says what the case is (its family and reference, closed or not, the index
person's age, the stage and risk in the reader's language, the owner and agency, the next step,
the review date and whether it is overdue, the access held)."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from agencies.models import Agency, Membership, User
from cases.models import Case
from interventions import services as plans
from tests.conftest import member
from tests.factories import CaseFactory, share

pytestmark = pytest.mark.django_db

ROW = re.compile(r"<tr>\s*<td>\s*<a href=\"/cases/(\d+)/\".*?</tr>", re.S)
HOSTILE = "<b>&\"'x"


def _rows(user: User, language: str) -> dict[int, str]:
    User.objects.filter(pk=user.pk).update(language=language)
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))
    page = client.get(reverse("cases:case_list"))
    assert page.status_code == 200
    return {int(pk): match.group(0) for match in ROW.finditer(page.content.decode()) for pk in [match.group(1)]}


def test_every_typed_value_in_a_row_is_escaped(caseworker: User, agency: Agency) -> None:
    case = CaseFactory(owner=caseworker, owning_agency=agency, next_step=f"Call {HOSTILE}")
    case.family.name = f"Family {HOSTILE}"
    case.family.save()
    case.index_person.given_name = HOSTILE
    case.index_person.family_name = "Person"
    case.index_person.save()
    Agency.objects.filter(pk=agency.pk).update(name=f"Agency {HOSTILE}")
    User.objects.filter(pk=caseworker.pk).update(first_name=HOSTILE)
    row = _rows(caseworker, "en")[case.pk]
    assert "<b>" not in row
    escaped = "&lt;b&gt;&amp;&quot;&#x27;x"
    assert f"Family {escaped}</a>" in row  # the family, as the link's text
    assert f"Call {escaped}</td>" in row  # the next step
    assert f"Agency {escaped}</div>" in row  # the owning agency under the owner
    assert f'<td>{escaped} Person <span class="text-body-secondary">(' in row  # the index person, their age
    shown = str(User.objects.get(pk=caseworker.pk))  # the owner, as shown to others
    assert HOSTILE in shown and f"<td>{shown.replace(HOSTILE, escaped)}<div" in row


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ("closed", "overdue", "High", "Full")), ("sq", ("mbyllur", "me vonesë", "I lartë", "E plotë"))],
)
def test_a_row_says_what_the_case_is_in_the_readers_language(
    language: str, words: tuple[str, ...], caseworker: User, agency: Agency, other_agency: Agency
) -> None:
    today = timezone.localdate()
    overdue = CaseFactory(
        owner=caseworker, owning_agency=agency, risk_level="high", next_review_on=today - datetime.timedelta(days=3)
    )
    later = CaseFactory(owner=caseworker, owning_agency=agency, next_review_on=today + datetime.timedelta(days=3))
    closed = CaseFactory(owner=caseworker, owning_agency=agency)
    officer = member(other_agency, Membership.Role.POLICE_LIAISON, username="officer")
    share(closed, other_agency)
    agreements = [{"agency": agency, "user": caseworker}, {"agency": other_agency, "user": officer}]
    plans.close_case(closed, decided_on=today, reason="Goals met", agreements=agreements, actor=caseworker)
    rows = _rows(caseworker, language)
    closed_word, overdue_word, high_word, full_word = words
    assert all(case.reference in rows[case.pk] for case in (overdue, later, closed))
    assert closed_word in rows[closed.pk].lower() and closed_word not in rows[later.pk].lower()
    assert overdue_word in rows[overdue.pk] and overdue_word not in rows[later.pk]
    assert high_word in rows[overdue.pk] and 'class="badge risk-badge text-bg-danger"' in rows[overdue.pk]
    assert full_word in rows[later.pk]  # the owner's agency reads it in full
    with translation.override(language):
        stage = str(Case.Stage(later.stage).label)
    assert f"<td>{stage}</td>" in rows[later.pk]  # the stage, in the reader's language
    assert closed.next_review_on is None and "<td>—</td>" in rows[closed.pk]  # no review date: a dash
    assert f"({later.index_person.age()})</span>" in rows[later.pk]  # the factory's person is 15 or 16
