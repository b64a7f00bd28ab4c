"""Individual grants: one named person reads one case, for a reason, until an end date (decision 96)."""

import datetime
from typing import Any

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.access import Action, CaseAccess, Level, forget_access
from agencies.models import Agency, Panel, User
from agencies.models.organisations import Membership
from audit.models import AuditEvent
from cases import services
from cases.admin import CaseGrantAdmin
from cases.models import Case, CaseUserObjectPermission
from tests.conftest import member
from tests.factories import AgencyFactory, CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "A second opinion on the safety plan, asked by the panel."
Role = Membership.Role


@pytest.fixture
def expert(db: None) -> User:
    """A psychologist of an agency that does not otherwise reach the case."""
    return member(AgencyFactory(name="Child psychology service", sector=Agency.Sector.HEALTH), username="expert")


def grant(case: Case, user: User, *, days: int = 7, scope: str = "view_case", actor: User | None = None) -> Any:
    ends_at = timezone.now() + datetime.timedelta(days=days)
    return services.grant_access(
        case, user=user, scope=scope, reason=REASON, ends_at=ends_at, actor=actor or case.owner
    )


def reads(user: User, case: Case, action: Action = Action.VIEW) -> bool:
    forget_access(user)
    return Case.objects.restrict(user, action).filter(pk=case.pk).exists()


class TestGrant:
    def test_it_gives_access_and_is_recorded_in_the_chain(self, case: Case, expert: User) -> None:
        assert not reads(expert, case)
        made = grant(case, expert)
        assert reads(expert, case) and reads(expert, case, Action.VIEW_SUMMARY)
        assert not reads(expert, case, Action.CHANGE)
        assert expert.has_perm("cases.view_case", case)
        assert CaseAccess.fetch(case, expert).level == Level.FULL
        event = AuditEvent.objects.get(action=AuditEvent.Action.ACCESS_GRANTED)
        assert (event.case_id, event.actor_id, event.reason) == (case.pk, case.owner_id, REASON)
        assert event.data["user"] == expert.pk and event.data["scope"] == "view_case"
        assert event.object_id == str(made.pk)

    def test_a_summary_grant_gives_the_summary_only(self, case: Case, expert: User) -> None:
        grant(case, expert, scope="view_case_summary")
        assert reads(expert, case, Action.VIEW_SUMMARY) and not reads(expert, case, Action.VIEW)
        assert not expert.has_perm("cases.view_case", case)

    def test_it_shows_in_the_access_log(self, case: Case, expert: User, client: Client) -> None:
        grant(case, expert)
        client.force_login(case.owner)
        page = client.get(reverse("audit:case_access_log", args=[case.pk])).content.decode()
        assert "Individual access granted" in page and "expert" in page and REASON in page

    def test_granting_again_replaces_the_grant(self, case: Case, expert: User) -> None:
        grant(case, expert, days=2)
        again = grant(case, expert, days=30)
        assert list(CaseUserObjectPermission.objects.values_list("pk", flat=True)) == [again.pk]
        events = AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_GRANTED).order_by("pk")
        assert [event.data["replaced"] for event in events] == [False, True]

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"reason": "needs it"}, "at least 20 characters"),
            ({"ends_at": -1}, "must be in the future"),
            ({"ends_at": 400}, "within a year"),
            ({"scope": "change_case"}, "Choose what the person may read"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_saved(
        self, case: Case, expert: User, changes: dict[str, Any], message: str
    ) -> None:
        data: dict[str, Any] = {"scope": "view_case", "reason": REASON, "ends_at": 7, **changes}
        data["ends_at"] = timezone.now() + datetime.timedelta(days=data["ends_at"])
        with pytest.raises(ValidationError, match=message):
            services.grant_access(case, user=expert, actor=case.owner, **data)
        assert not CaseUserObjectPermission.objects.exists()
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_GRANTED).exists()

    def test_only_someone_working_cases_for_an_agency_is_granted(self, case: Case) -> None:
        nobody = UserFactory()
        admin = member(AgencyFactory(), Role.AGENCY_ADMIN)
        for user in (nobody, admin, case.owner):
            with pytest.raises(ValidationError):
                grant(case, user)
        assert not CaseUserObjectPermission.objects.exists()

    def test_only_who_manages_the_case_grants(
        self, case: Case, expert: User, colleague: User, supervisor: User, auditor_readonly: User, other_agency: Agency
    ) -> None:
        for reader in (colleague, expert):
            with pytest.raises(ValidationError, match="no longer manage"):
                grant(case, UserFactory(), actor=reader)
        assert grant(case, expert, actor=supervisor).granted_by == supervisor

    def test_a_coordinator_who_reads_the_summary_grants_the_summary_only(
        self, case: Case, panel: Panel, coordinator: User, expert: User
    ) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        with pytest.raises(ValidationError, match="reads the full file"):
            grant(case, expert, actor=coordinator)
        assert not CaseUserObjectPermission.objects.exists()
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_GRANTED).exists()
        assert grant(case, expert, scope="view_case_summary", actor=coordinator).granted_by == coordinator


class TestEnd:
    def test_it_ends_by_itself_and_the_sweep_records_it(self, case: Case, expert: User) -> None:
        grant(case, expert, days=1)
        with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
            # the second it ends: nothing waits for the sweep
            assert not reads(expert, case, Action.VIEW_SUMMARY)
            assert not type(expert).objects.get(pk=expert.pk).has_perm("cases.view_case", case)
            assert CaseAccess.fetch(case, expert).level == Level.NONE
            assert services.expire_grants() == 1
            assert services.expire_grants() == 0
        assert not CaseUserObjectPermission.objects.exists()
        ended = AuditEvent.objects.get(action=AuditEvent.Action.GRANT_EXPIRED)
        assert (ended.case_id, ended.actor_id, ended.data["user"]) == (case.pk, None, expert.pk)
        assert AuditEvent.objects.reads_of_case(case.pk).filter(pk=ended.pk).exists()

    def test_the_sweep_runs_on_beat(self, settings: Any) -> None:
        assert settings.CELERY_BEAT_SCHEDULE["expire-grants"]["task"] == "cases.tasks.expire_grants_task"

    def test_the_page_revokes_it(self, case: Case, expert: User, client: Client) -> None:
        made = grant(case, expert)
        client.force_login(case.owner)
        url = reverse("cases:grant_revoke", args=[case.pk, made.pk])
        assert client.post(url, {"reason": ""}).status_code == 200  # the form again, with its error
        assert reads(expert, case)
        response = client.post(url, {"reason": "The opinion is in."})
        assert response.status_code == 302
        assert not reads(expert, case)
        revoked = AuditEvent.objects.get(action=AuditEvent.Action.GRANT_REVOKED)
        assert (revoked.actor_id, revoked.reason, revoked.case_id) == (case.owner_id, "The opinion is in.", case.pk)

    def test_another_cases_grant_is_missing(self, case: Case, expert: User, client: Client) -> None:
        other = CaseFactory(owner=case.owner, owning_agency=case.owning_agency)
        made = grant(other, expert)
        client.force_login(case.owner)
        assert client.get(reverse("cases:grant_revoke", args=[case.pk, made.pk])).status_code == 404

    def test_the_admin_revokes_through_the_service(self, case: Case, expert: User, admin_user: User) -> None:
        made = grant(case, expert)
        request = RequestFactory().post("/")
        request.user = admin_user
        request._messages = type("Messages", (), {"add": lambda *args, **kwargs: None})()  # type: ignore[attr-defined]
        CaseGrantAdmin(CaseUserObjectPermission, site).revoke(request, CaseUserObjectPermission.objects.all())
        assert not CaseUserObjectPermission.objects.filter(pk=made.pk).exists()
        revoked = AuditEvent.objects.get(action=AuditEvent.Action.GRANT_REVOKED)
        assert revoked.actor_id == admin_user.pk and "administration" in revoked.reason

    def test_the_admin_shows_the_case_by_reference_without_family_or_reason(
        self, case: Case, expert: User, admin_user: User, client: Client
    ) -> None:
        made = grant(case, expert)
        client.force_login(admin_user)
        for url in (
            reverse("admin:cases_caseuserobjectpermission_changelist"),
            reverse("admin:cases_caseuserobjectpermission_change", args=[made.pk]),
        ):
            page = client.get(url).content.decode()
            assert case.reference in page, url
            assert str(case.family) not in page and REASON not in page, url


class TestPages:
    def test_the_manager_grants_on_the_page(self, case: Case, expert: User, client: Client) -> None:
        client.force_login(case.owner)
        url = reverse("cases:case_grants", args=[case.pk])
        assert "Nobody holds an individual grant" in client.get(url).content.decode()
        ends_on = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
        data = {"username": "expert", "scope": "view_case", "reason": REASON, "ends_on": ends_on}
        assert client.post(url, data).status_code == 302
        page = client.get(url).content.decode()
        assert (
            REASON in page
            and reverse("cases:grant_revoke", args=[case.pk, CaseUserObjectPermission.objects.get().pk]) in page
        )
        assert reads(expert, case)

    def test_the_page_costs_the_same_for_one_grant_or_several(self, case: Case, expert: User, client: Client) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(case.owner)
        url = reverse("cases:case_grants", args=[case.pk])
        grant(case, expert)
        client.get(url)  # warm: sessions, content types
        with CaptureQueriesContext(connection) as one:
            assert client.get(url).status_code == 200
        for number in range(3):
            grant(case, member(AgencyFactory(name=f"Consultancy {number}")))
        with CaptureQueriesContext(connection) as several:
            assert client.get(url).content.decode().count("Revoke") >= 4
        assert len(several) == len(one)

    def test_a_summary_level_coordinator_cannot_grant_the_full_file_on_the_page(
        self, case: Case, panel: Panel, coordinator: User, expert: User, client: Client
    ) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        client.force_login(coordinator)
        ends_on = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
        data = {"username": "expert", "scope": "view_case", "reason": REASON, "ends_on": ends_on}
        response = client.post(reverse("cases:case_grants", args=[case.pk]), data)
        assert response.status_code == 200
        assert "Only someone who reads the full file can give access to it in full." in response.content.decode()
        assert not CaseUserObjectPermission.objects.exists() and not reads(expert, case)

    def test_a_bad_username_is_a_form_error(self, case: Case, client: Client) -> None:
        client.force_login(case.owner)
        response = client.post(reverse("cases:case_grants", args=[case.pk]), {"username": "nobody-here"})
        assert response.status_code == 200 and "Nobody active has this username." in response.content.decode()

    def test_a_reader_who_does_not_manage_gets_403_a_stranger_404(
        self, case: Case, colleague: User, expert: User, client: Client
    ) -> None:
        url = reverse("cases:case_grants", args=[case.pk])
        client.force_login(colleague)
        assert client.get(url).status_code == 403
        client.force_login(expert)
        assert client.get(url).status_code == 404


class TestListQueries:
    def test_a_grant_is_read_with_the_memberships_and_the_list_reads_no_grant_table(
        self, case: Case, expert: User
    ) -> None:
        assert case not in Case.objects.restrict(expert, Action.VIEW)
        grant(case, expert, days=1)
        forget_access(expert)
        with CaptureQueriesContext(connection) as queries:
            assert case in list(Case.objects.restrict(expert, Action.VIEW))
        # the memberships (with the cases held by name), then the list: the grant is an id in it
        assert len(queries) == 2 and "caseuserobjectpermission" in queries[0]["sql"].lower()
        assert "caseuserobjectpermission" not in queries[1]["sql"].lower()
        with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
            forget_access(expert)
            assert case not in Case.objects.restrict(expert, Action.VIEW)
