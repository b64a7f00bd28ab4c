"""The cases a user holds by name (shares, individual grants, break-the-glass accesses) are read
with their memberships and written into restrict() as ids (decision 160): they reach exactly the
cases the subqueries reached, for every kind of user, action and path; a change made in this
process is seen at once, one made elsewhere within two seconds; a break-the-glass record whose case
was deleted breaks nothing."""

import datetime
import itertools

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.access import Action, core, forget_access, held
from agencies.models import Agency, Membership, User
from audit.models import BreakGlassAccess
from cases import services
from cases.models import Case, CaseEvent, CaseShare, CaseUserObjectPermission
from privacy.retention import delete_case
from tests.conftest import member
from tests.factories import AgencyFactory, CaseFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


def _share(case: Case, agency: Agency, scope: str, **more: object) -> CaseShare:
    return CaseShare.objects.create(
        case=case,
        agency=agency,
        scope=scope,
        basis=CaseShare.Basis.CONSENT,
        consent_given_by="The person",
        consent_given_on=timezone.localdate(),
        granted_by=case.owner,
        **more,
    )


def _grant(case: Case, user: User, codename: str, days: int = 3) -> CaseUserObjectPermission:
    permission = Permission.objects.get(codename=codename, content_type__app_label="cases")
    return CaseUserObjectPermission.objects.create(
        content_object=case,
        user=user,
        permission=permission,
        reason="A reason long enough to record",
        ends_at=timezone.now() + datetime.timedelta(days=days),
    )


def _glass(case: Case, user: User, hours: int = 4, starts: int = 0) -> BreakGlassAccess:
    now = timezone.now()
    return BreakGlassAccess.objects.create(
        user=user,
        case=case,
        reason="A child is missing tonight",
        starts_at=now + datetime.timedelta(hours=starts),
        ends_at=now + datetime.timedelta(hours=hours),
    )


def _reached(user: User, action: Action, glass: bool, prefix: str, *, reread: bool = False) -> set[int]:
    """The cases `case_condition` reaches, on cases themselves or through a child's `case__`."""
    forget_access(user)
    if reread:  # the ids read by their own query, as after two seconds or a change in this process
        core.UserAccess.of(user)
        getattr(user, core._CONDITIONS, {}).pop(core._HELD, None)
    condition = core.case_condition(user, action, prefix=prefix, glass=glass)
    if condition is None:
        return set()
    if prefix:
        return set(CaseEvent.objects.filter(condition).values_list("case_id", flat=True))
    return set(Case.objects.filter(condition).values_list("pk", flat=True))


def test_the_ids_reach_exactly_the_cases_the_subqueries_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    owning = AgencyFactory(name="Owner")
    b, c, d = AgencyFactory(name="B"), AgencyFactory(name="C"), AgencyFactory(name="D")
    cases = [CaseFactory(owning_agency=owning) for _ in range(8)]
    for case in cases:
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CONSENT_RECORDED, data={})
    past, future = timezone.now() - datetime.timedelta(hours=1), timezone.now() + datetime.timedelta(days=1)
    _share(cases[0], b, "full")
    _share(cases[1], b, "summary")
    _share(cases[2], b, "full", revoked_at=past)
    _share(cases[3], b, "full", ends_at=future)
    _share(cases[4], c, "summary")
    _share(cases[5], c, "full")
    ended = _share(cases[6], b, "full")
    CaseShare.objects.filter(pk=ended.pk).update(ends_at=past)

    users = {
        "practitioner": member(b),
        "data protection officer": member(b, Role.DATA_PROTECTION_OFFICER),
        "agency administrator": member(b, Role.AGENCY_ADMIN),
        "administrator and practitioner": member(c, Role.AGENCY_ADMIN, Role.PRACTITIONER),
        "coordinator": member(c, Role.COORDINATOR),
        "supervisor": member(d, Role.SUPERVISOR),
        "granted practitioner": member(d),
        "inactive": member(b),
        "no membership": UserFactory(),
        "superuser": User.objects.create_superuser("root", "root@example.org", "x"),
        "superuser with a membership": User.objects.create_superuser("root_b", "root_b@example.org", "x"),
    }
    both = member(b, Role.DATA_PROTECTION_OFFICER)
    Membership.objects.create(user=both, agency=c, role=Role.PRACTITIONER)
    users["officer here, practitioner there"] = both
    Membership.objects.create(user=users["superuser with a membership"], agency=b, role=Role.PRACTITIONER)
    users["inactive"].is_active = False
    users["inactive"].save()
    granted = users["granted practitioner"]
    _grant(cases[7], granted, "view_case")
    _grant(cases[6], granted, "view_case_summary")
    _grant(cases[5], granted, "change_case")
    _grant(cases[4], granted, "view_case", days=-1)
    _grant(cases[3], users["data protection officer"], "view_case")
    _grant(cases[2], users["no membership"], "view_case")
    _glass(cases[7], users["supervisor"])
    _glass(cases[6], users["supervisor"], starts=1)  # not begun
    _glass(cases[5], granted)  # a practitioner cannot break the glass: ignored
    _glass(cases[4], users["superuser"])
    _glass(cases[3], users["superuser with a membership"])
    _glass(cases[2], users["supervisor"], hours=-1)  # ended

    asked = list(itertools.product(Action, (True, False), ("", "case__")))
    with_memberships = {(name, *a): _reached(user, *a) for name, user in users.items() for a in asked}
    read_alone = {(name, *a): _reached(user, *a, reread=True) for name, user in users.items() for a in asked}
    assert read_alone == with_memberships
    for cap in (1, 2, 3):  # too many to write out, for some kinds or all: the subqueries
        monkeypatch.setattr(held, "LITERAL_CAP", cap)
        assert {(name, *a): _reached(user, *a) for name, user in users.items() for a in asked} == with_memberships
    monkeypatch.setattr(held, "LITERAL_CAP", 0)
    subqueries = {(name, *a): _reached(user, *a) for name, user in users.items() for a in asked}
    assert subqueries == with_memberships
    # and something is held at all: a full share reads the file, a summary share does not, the glass
    # reads and never writes
    assert with_memberships[("practitioner", Action.VIEW, True, "")] >= {cases[0].pk, cases[3].pk}
    assert cases[1].pk not in with_memberships[("practitioner", Action.VIEW, True, "")]
    assert cases[7].pk in with_memberships[("supervisor", Action.VIEW, True, "")]
    assert cases[7].pk not in with_memberships[("supervisor", Action.VIEW, False, "")]


def test_a_grant_or_a_glass_made_after_the_ids_were_read_is_seen_at_once(case: Case, other_agency: Agency) -> None:
    reader = member(other_agency, Role.SUPERVISOR)
    assert not Case.objects.restrict(reader, Action.VIEW).filter(pk=case.pk).exists()  # the ids read: none
    grant = _grant(case, reader, "view_case")
    assert Case.objects.restrict(reader, Action.VIEW).filter(pk=case.pk).exists()
    grant.delete()
    assert not Case.objects.restrict(reader, Action.VIEW).filter(pk=case.pk).exists()
    _glass(case, reader)
    assert Case.objects.restrict(reader, Action.VIEW).filter(pk=case.pk).exists()


def test_a_share_revoked_by_another_process_stops_granting_within_two_seconds(case: Case, other_agency: Agency) -> None:
    reader = member(other_agency, username="reader")
    share = _share(case, other_agency, "full")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        forget_access(reader)
        assert Case.objects.restrict(reader, Action.VIEW_SUMMARY).filter(pk=case.pk).exists()  # ids read at 0 s
        clock.shift(0.1)
        CaseShare.objects.filter(pk=share.pk).update(revoked_at=timezone.now())  # elsewhere: no signal here
        clock.shift(1.8)  # 1.9 s: a condition built now from the ids read at 0 s
        assert Case.objects.restrict(reader, Action.VIEW).filter(pk=case.pk).exists()
        clock.shift(0.2)  # 2.1 s after the ids were read: neither they nor the condition are kept
        assert not Case.objects.restrict(reader, Action.VIEW).filter(pk=case.pk).exists()


def test_a_superuser_whose_broken_glass_case_was_deleted_opens_the_case_list(case: Case) -> None:
    root = User.objects.create_superuser("root", "root@example.org", "x")
    deleted = CaseFactory(owning_agency=case.owning_agency)
    _glass(deleted, root)
    delete_case(deleted)
    assert BreakGlassAccess.objects.filter(user=root, case__isnull=True).exists()  # kept for the DPO
    client = Client(raise_request_exception=False)
    client.force_login(root)
    assert client.get(reverse("cases:case_list")).status_code == 200


def test_a_supervisor_whose_broken_glass_case_was_deleted_still_revokes_a_share(
    case: Case, agency: Agency, other_agency: Agency
) -> None:
    supervisor = member(agency, Role.SUPERVISOR)
    deleted = CaseFactory(owning_agency=other_agency)
    _glass(deleted, supervisor)
    delete_case(deleted)
    share = _share(case, other_agency, "full")  # the ids are read again by the next condition
    forget_access(supervisor)
    services.revoke_share(share, reason="No longer needed", actor=supervisor)
    share.refresh_from_db()
    assert share.revoked_at is not None
