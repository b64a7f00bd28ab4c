"""A family built on a tablet through the register's pages alone, outside the demo's families: a
case opened with its index person only, then a mother and two children added, a child's needs
recorded, the mother's consent for the child and a home visit with the mother present; the
household page passes axe-core's WCAG 2.1 AA rules."""

import datetime
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import User
from cases import services
from cases.models import Case, ChildNeeds, Contact
from families.models import Consent, Family, Person
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def new_case(demo: dict[str, User]) -> Case:
    """A case as a new referral leaves it: the index person alone, no date of birth."""
    family = Family.objects.create(name="Rama", area="Kombinat")
    index = Person.objects.create(family=family, given_name="Erion", family_name="Rama", relationship="index")
    owner = demo["sw.blerina"]
    return services.open_case(family=family, index_person=index, owner=owner, actor=owner)


def tap(page: Any, choice: str) -> None:
    page.locator("label.btn", has_text=re.compile(f"^{re.escape(choice)}$")).click()


def born(years: int) -> str:
    return factories.born(years, days=40).isoformat()


def add_member(page: Any, given: str, relationship: str, *, date_of_birth: str = "", gender: str = "") -> None:
    page.get_by_role("link", name="Add a family member").click()
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill("Rama")
    page.get_by_label("Relationship to the index person").select_option(label=relationship)
    if date_of_birth:
        page.get_by_label("Date of birth").fill(date_of_birth)
    if gender:
        tap(page, gender)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"{given} Rama is now in the family's register.")).to_be_visible()


def test_a_family_is_built_through_the_register_pages(page: Any, live_server: Any, new_case: Case) -> None:
    sign_in(page, live_server, "sw.blerina")
    page.goto(live_server.url + new_case.get_absolute_url())
    page.get_by_role("link", name="The family: add or change members").click()

    # a mother (a refused first try keeps what was typed) and two children
    page.get_by_role("link", name="Add a family member").click()
    page.get_by_label("Given name").fill("Vjollca")
    page.get_by_label("Family name").fill("Rama")
    page.get_by_label("Telephone").fill("+355 69 123 4567")
    page.get_by_label("Relationship to the index person").select_option(label="Parent")
    tap(page, "Female")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Contact details are kept only where the family agreed.").first).to_be_visible()
    expect(page.get_by_label("Given name")).to_have_value("Vjollca")
    page.get_by_label("the family agreed to keep contact details").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Vjollca Rama is now in the family's register.")).to_be_visible()
    add_member(page, "Lira", "Sibling", date_of_birth=born(7), gender="Female")
    add_member(page, "Dion", "Sibling", date_of_birth=born(10), gender="Male")
    expect(page.get_by_text("Under 12: early intervention")).to_have_count(2)
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()

    # the child's needs, offered the new child at once
    page.goto(live_server.url + new_case.get_absolute_url())
    page.get_by_role("button", name="Record").click()
    page.get_by_role("link", name="A child's needs").click()
    page.locator("select[name=child]").select_option(label="Lira Rama")
    tap(page, "Under 12: early intervention")
    tap(page, "Attends school")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_text("Recorded.", exact=True)).to_be_visible()

    # the mother's consent for the child
    page.goto(live_server.url + new_case.get_absolute_url())
    page.get_by_role("link", name="Record consent").click()
    page.locator("select[name=person]").select_option(label="Lira Rama")
    page.locator("select[name=given_by]").select_option(label="Vjollca Rama")
    page.get_by_label("Given on").fill(timezone.localdate().isoformat())
    page.get_by_label("Support and an intervention plan").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The consent is recorded.")).to_be_visible()

    # a home visit with the mother present
    page.get_by_role("button", name="Record").click()
    page.get_by_role("link", name="A contact or home visit").click()
    page.get_by_label("Date and time").fill(
        (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    tap(page, "Home visit")
    page.get_by_label("Vjollca Rama").check()
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_text("Recorded.", exact=True)).to_be_visible()

    # the household reads on a phone too: nothing wider than the screen
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/cases/{new_case.pk}/family/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # then the register holds them, and every record names them
    family = {p.given_name: p for p in Person.objects.filter(family=new_case.family)}
    assert set(family) == {"Erion", "Vjollca", "Lira", "Dion"}
    assert family["Vjollca"].phone == "+355 69 123 4567" and family["Vjollca"].contact_agreed
    assert ChildNeeds.objects.get(case=new_case).child == family["Lira"]
    consent = Consent.objects.get(family=new_case.family)
    assert (consent.person, consent.given_by) == (family["Lira"], family["Vjollca"])
    assert list(Contact.objects.get(case=new_case).present.all()) == [family["Vjollca"]]
