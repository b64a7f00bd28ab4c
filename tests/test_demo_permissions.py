"""The permission matrix over the demo scenario: for every demo user, exactly the cases
the access model gives, at the right level, through the browser and the API; 404 for the rest."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from agencies.models import Panel, User
from cases.models import Case
from tests.conftest import api_as

pytestmark = pytest.mark.django_db

PANEL_CASES = {"Krasniqi", "Berisha", "Gashi", "Shala"}
SOCIAL_CARE_CASES = {"Krasniqi", "Berisha", "Gashi", "Dervishi", "Kelmendi"}
ALL_CASES = PANEL_CASES | SOCIAL_CARE_CASES

# username: (families seen in full, families seen as a summary only)
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "coord.arta": (set(), PANEL_CASES),
    "sw.blerina": (SOCIAL_CARE_CASES, set()),
    "sw.dritan": (SOCIAL_CARE_CASES, set()),
    "sup.elira": (SOCIAL_CARE_CASES, set()),
    "police.fatos": ({"Krasniqi"}, {"Berisha", "Gashi", "Shala"}),
    "mh.gentiana": (set(), PANEL_CASES),
    # answers the referrals to the mental-health centre; the centre holds Krasniqi's summary
    "mh.dafina": (set(), {"Krasniqi"}),
    "school.ilir": (set(), {"Shala"}),
    "ngo.klea": ({"Berisha", "Shala"}, set()),
    "emp.luan": (set(), set()),
    "dpo.mira": (set(), set()),
    "admin": (set(), set()),
}
PANEL_SEATS = {"coord.arta", "police.fatos", "mh.gentiana"}
# Kelmendi closed six years ago: due for its retention review
CLOSED = {"Dervishi", "Kelmendi"}


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def without_tokens(content: bytes) -> bytes:
    """A page with what differs by request alone (CSRF tokens, the path the language switch
    returns to) blanked, to compare two answers."""
    tokens = (
        rb'(csrfmiddlewaretoken" value="|X-CSRFToken": "|name="next" value="|name="idempotency_key" value="'
        rb'|data-idle-seconds-left=")'
    )
    return re.sub(tokens + rb'[^"]+', rb"\1", content)


def families_in(html: str, cases: dict[str, Case]) -> set[str]:
    return {name for name, case in cases.items() if re.search(rf'href="{case.get_absolute_url()}"', html)}


@pytest.fixture
def cases(demo: dict[str, User]) -> dict[str, Case]:
    return {case.family.name: case for case in Case.objects.select_related("family")}


def test_the_expectations_cover_every_demo_user(demo: dict[str, User]) -> None:
    assert set(EXPECTED) == set(demo)


@pytest.mark.parametrize("username", sorted(EXPECTED))
class TestMatrix:
    def test_my_cases_lists_exactly_the_open_cases_they_own(
        self, username: str, demo: dict[str, User], cases: dict[str, Case]
    ) -> None:
        full, _summary = EXPECTED[username]
        owned = {name for name, case in cases.items() if case.owner == demo[username]}
        response = browser(demo[username]).get(reverse("home"))
        assert response.status_code == 200
        # the case table; the deadline lists above it may name summary-level cases of a panel
        table = response.content.decode().partition("<table")[2]
        assert families_in(table, cases) == owned - CLOSED
        assert response.context["closed_count"] == len(owned & CLOSED)
        assert owned <= full

    def test_the_case_list_shows_each_case_at_its_level(
        self, username: str, demo: dict[str, User], cases: dict[str, Case]
    ) -> None:
        full, summary = EXPECTED[username]
        response = browser(demo[username]).get(reverse("cases:case_list"))
        if not (full or summary) and not demo[username].has_perm("cases.view_case_summary"):
            assert response.status_code == 403
            return
        assert response.status_code == 200
        rows = {case.family.name: case.access_full for case in response.context["cases"]}
        assert rows == {**dict.fromkeys(full, True), **dict.fromkeys(summary, False)}
        assert response.context["paginator"].count == len(full | summary)

    def test_every_case_page_answers_at_the_right_level_or_404(
        self, username: str, demo: dict[str, User], cases: dict[str, Case]
    ) -> None:
        full, summary = EXPECTED[username]
        client = browser(demo[username])
        missing = client.get(reverse("cases:case", args=[987654]))
        for name, case in cases.items():
            response = client.get(case.get_absolute_url())
            if name in full | summary:
                assert response.status_code == 200, name
                assert response.context["case"].access_full is (name in full), name
            else:
                # exactly what a case that does not exist gets (403 for every id alike when the
                # role reads no case at all)
                refused = 404 if demo[username].has_perm("cases.view_case_summary") else 403
                assert response.status_code == missing.status_code == refused, name
                assert without_tokens(response.content) == without_tokens(missing.content), name

    def test_the_api_lists_and_details_the_same(
        self, username: str, demo: dict[str, User], cases: dict[str, Case]
    ) -> None:
        full, summary = EXPECTED[username]
        client = api_as(demo[username])
        response = client.get(reverse("cases-api:case-list"))
        if not (full or summary) and not demo[username].has_perm("cases.view_case_summary"):
            assert response.status_code == 403
        else:
            assert response.status_code == 200
            assert response.data["count"] == len(full | summary)
            listed = {row["family"]: row["access"] for row in response.data["results"]}
            assert listed == {**dict.fromkeys(full, "full"), **dict.fromkeys(summary, "summary")}
        missing = client.get(reverse("cases-api:case-detail", args=[987654]))
        for name, case in cases.items():
            answer = client.get(reverse("cases-api:case-detail", args=[case.pk]))
            if name in full | summary:
                assert answer.status_code == 200 and answer.data["access"] == ("full" if name in full else "summary")
            else:
                refused = 404 if demo[username].has_perm("cases.view_case_summary") else 403
                assert answer.status_code == missing.status_code == refused, name
                assert answer.data == missing.data, name

    def test_the_panel_page_opens_only_to_its_members(self, username: str, demo: dict[str, User]) -> None:
        panel = Panel.objects.get()
        client = browser(demo[username])
        response = client.get(reverse("panels:panel", args=[panel.pk]))
        if username in PANEL_SEATS:
            assert response.status_code == 200
            assert {case.family.name for case in response.context["cases"]} == PANEL_CASES
        else:
            # 403 when the role has no panel pages at all (for every id alike), else the 404 of
            # a panel that does not exist
            missing = client.get(reverse("panels:panel", args=[987654]))
            assert response.status_code == missing.status_code and response.status_code in (403, 404)
            assert without_tokens(response.content) == without_tokens(missing.content)


def test_the_demo_loads_twice_without_duplicates(demo: dict[str, User]) -> None:
    from django.core.management import call_command

    from agencies.models import Agency, Membership
    from cases.models import CaseEvent, CaseShare
    from families.models import Family, Person
    from panels.models import AgendaItem, MeetingAttendance, PanelMeeting
    from referrals.models import Referral, TriageDecision

    models = (User, Agency, Membership, Panel, Family, Person, Case, CaseShare, CaseEvent, Referral, TriageDecision)
    models += (PanelMeeting, AgendaItem, MeetingAttendance)
    before = {model: model.objects.count() for model in models}
    call_command("seed_demo", stdout=__import__("io").StringIO())
    assert {model: model.objects.count() for model in models} == before
    # two referrals received by social services, and two at the panel's front door (the school's, the public's)
    assert before[Case] == 6 and before[Referral] == 4 and before[CaseShare] == 5 and before[PanelMeeting] == 2


def test_the_demo_scenario_details(demo: dict[str, User], cases: dict[str, Case]) -> None:
    from django.utils import timezone

    from referrals.models import Referral

    krasniqi = cases["Krasniqi"]
    birthday = krasniqi.index_person.eighteenth_birthday()
    assert birthday is not None and 0 < (birthday - timezone.localdate()).days <= 183
    assert cases["Gashi"].next_review_on < timezone.localdate()
    assert cases["Dervishi"].closed_at is not None and cases["Dervishi"].panel is None
    children = [person.age() for person in cases["Berisha"].family.members.filter(relationship="child")]
    assert len(children) == 2 and all(age is not None and age < 5 for age in children)
    untriaged = Referral.objects.get(triaged_at__isnull=True, front_door__isnull=True)
    assert untriaged.reporter_anonymous and untriaged.triage_due_at < timezone.now()
    school, public = Referral.objects.filter(front_door__isnull=False).order_by("pk")
    assert school.receipt.sent_by == demo["school.ilir"] and school.deconfliction.answer == "no"
    assert public.recorded_by is None and public.reporter_anonymous and public.receipt.code_hash
    closed = Referral.objects.get(triaged_at__isnull=False)
    assert closed.status == Referral.Status.CLOSED
    assert closed.decisions.get().decision == "no_further_action" and closed.decisions.get().reason == "rebellion"


def test_seed_demo_is_refused_in_production(settings: Settings, db: None) -> None:
    from django.core.management import CommandError, call_command

    settings.URA_DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="refused"):
        call_command("seed_demo")
    assert not User.objects.exists()


SOCIAL_CARE = {"sw.blerina", "sw.dritan", "sup.elira"}


OVERDUE_FOR_TRIAGE = {"coord.arta": 1}
# The panel's front door: its coordinator receives the school's concern and the public's (decision 125).
FRONT_DOOR = {"coord.arta": 2}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_demo_referrals_are_seen_by_the_receiving_agency_only(username: str, demo: dict[str, User]) -> None:
    from referrals.models import Referral

    user = demo[username]
    browser_rows = browser(user).get(reverse("referrals:referral_list"))
    api_rows = api_as(user).get(reverse("referrals-api:referral-list"))
    # The urgent anonymous referral is past its triage deadline: the panel's coordinator sees it
    # too, to triage it herself (decision 75); nobody else outside the receiving agency does.
    expected = 2 if username in SOCIAL_CARE else OVERDUE_FOR_TRIAGE.get(username, 0) + FRONT_DOOR.get(username, 0)
    if user.has_perm("referrals.view_referral"):
        assert browser_rows.context["paginator"].count == expected
        assert api_rows.data["count"] == expected
    else:
        assert browser_rows.status_code == api_rows.status_code == 403
    for referral in Referral.objects.all():
        answer = browser(user).get(referral.get_absolute_url())
        overdue = username in OVERDUE_FOR_TRIAGE and referral.urgency == Referral.Urgency.URGENT
        door = username in FRONT_DOOR and referral.front_door_id is not None
        social = username in SOCIAL_CARE and referral.received_by_id is not None
        assert answer.status_code == (200 if social or overdue or door else answer.status_code)
        if not (social or overdue or door):
            assert answer.status_code in (403, 404) and referral.concern.encode() not in answer.content


def test_the_demo_panel_met_two_weeks_ago_and_meets_in_twelve_days(demo: dict[str, User]) -> None:
    import datetime

    from django.utils import timezone

    from panels.models import PanelMeeting

    today = timezone.localdate()
    held, upcoming = PanelMeeting.objects.order_by("scheduled_for")
    assert timezone.localtime(held.scheduled_for).date() == today - datetime.timedelta(days=14)
    assert held.status == PanelMeeting.Status.HELD
    assert {item.case.family.name for item in held.items.all()} == PANEL_CASES
    assert all(item.is_decided and item.owner and item.first_contact_agency for item in held.items.all())
    assert held.attendance.filter(confidentiality_acknowledged_at__isnull=False).count() == held.attendance.count() >= 4
    assert timezone.localtime(upcoming.scheduled_for).date() == today + datetime.timedelta(days=12)
    assert upcoming.status == PanelMeeting.Status.SCHEDULED
    # its agenda: the overdue Gashi review, and the reviews falling due by then
    assert {item.case.family.name for item in upcoming.items.all()} == {"Gashi", "Krasniqi", "Shala"}


def test_the_anonymous_referral_matches_the_krasniqi_case_for_those_who_may_know_it(demo: dict[str, User]) -> None:
    from referrals import services
    from referrals.models import Referral

    untriaged = Referral.objects.get(reporter_anonymous=True, front_door__isnull=True)
    for username, sees in (("sw.blerina", True), ("police.fatos", True), ("emp.luan", False), ("admin", False)):
        found = services.find_matches(
            demo[username],
            given_name=untriaged.subject_given_name,
            family_name=untriaged.subject_family_name,
            exclude=untriaged,
        )
        assert ([match.obj.family.name for match in found.cases] == ["Krasniqi"]) is sees, username
