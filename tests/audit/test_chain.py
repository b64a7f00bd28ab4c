"""The hash chain: every record chained to the one before, verified, and refusing change."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from agencies.models import User
from audit.chain import verify_chain
from audit.models import AppendOnlyError, AuditEvent
from audit.services import chain_waiting, record

pytestmark = pytest.mark.django_db


def _three() -> list[AuditEvent]:
    """Three records, given their places by the chaining step (beat's, every few seconds)."""
    events = [record(AuditEvent.Action.SIGN_IN_FAILED, ip_address="10.0.0.1", username=f"u{i}") for i in range(3)]
    chain_waiting()
    return [AuditEvent.objects.get(pk=event.pk) for event in events]


def test_each_record_points_at_the_one_before() -> None:
    # given / when
    first, second, third = _three()
    # then
    assert first.prev_hash == "" or AuditEvent.objects.filter(hash=first.prev_hash).exists()
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert all(event.hash == event.compute_hash() for event in AuditEvent.objects.all())


def test_a_backlog_is_chained_in_steps_in_the_order_written(monkeypatch: pytest.MonkeyPatch) -> None:
    # given: seven records waiting (beat was down), a step taking three
    from audit import services

    monkeypatch.setattr(services, "CHAIN_STEP", 3)
    written = [record(AuditEvent.Action.SIGN_IN_FAILED, username=f"b{i}") for i in range(7)]
    steps = []
    take = services._head_and_waiting
    monkeypatch.setattr(services, "_head_and_waiting", lambda *args: steps.append(args) or take(*args))
    # when
    chained = chain_waiting()
    # then: three steps of at most three, one chain in the order written
    assert chained == 7 and len(steps) == 3
    places = [AuditEvent.objects.get(pk=event.pk).seq for event in written]
    assert places == sorted(places) and None not in places
    assert verify_chain().broken_id is None


def test_verify_audit_says_ok_with_the_count() -> None:
    _three()
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert f"OK: {AuditEvent.objects.count()} audit records" in out.getvalue()


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cursor.execute(sql, params)


def test_verify_audit_names_a_tampered_row() -> None:
    # given
    _, second, _ = _three()
    # when: someone rewrites a record behind the application's back
    _raw("UPDATE audit_auditevent SET ip_address = %s WHERE id = %s", ["10.9.9.9", second.pk])
    # then
    assert verify_chain().broken_id == second.pk
    with pytest.raises(CommandError, match=f"record id {second.pk}"):
        call_command("verify_audit", stdout=io.StringIO())


def test_verify_audit_names_the_record_after_a_removed_one() -> None:
    _, second, third = _three()
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [second.pk])
    assert verify_chain().broken_id == third.pk


def test_records_refuse_update_and_delete() -> None:
    event = _three()[0]
    event.reason = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_raw_updates() -> None:
    from django.db import DatabaseError, transaction

    event = _three()[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [event.pk])


def test_the_admin_offers_no_change_or_delete(admin_client: Client) -> None:
    event = _three()[0]
    assert admin_client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"reason": "x"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_the_demo_has_a_past_break_glass_and_an_intact_chain() -> None:
    # the agencies, people and cases of the demo, then its audit history (not the whole seed_demo,
    # so this test stands apart from the other apps' demo data)
    from audit.models import BreakGlassAccess
    from demo.agreements import seed_agreements
    from demo.cases import seed_cases
    from demo.organisations import seed_agencies
    from demo.trail import seed_audit

    org = seed_agencies()
    seed_agreements(org)  # the cases' safeguarding shares name the partnership's agreement
    seed_cases(org)
    seed_audit(org)
    seed_audit(org)  # idempotent
    access = BreakGlassAccess.objects.get()
    assert access.user.username == "sup.elira" and not access.is_current
    result = verify_chain()
    assert result.broken_id is None and result.count > 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_appends_never_fork_the_chain() -> None:
    import threading

    from django.db import connections

    def write(n: int) -> None:
        try:
            for i in range(25):
                record(AuditEvent.Action.SIGN_IN_FAILED, username=f"t{n}-{i}")
                chain_waiting()  # chaining steps racing each other, as beat's on several workers
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = verify_chain()
    assert result.broken_id is None and result.count == 100
    assert AuditEvent.objects.values("prev_hash").distinct().count() == 100  # no two share a parent


def test_the_admin_shows_the_trail_to_no_one_but_the_dpo(admin_client: Client) -> None:
    # A superuser holds every permission, yet the whole trail is the DPO's alone (decision 34).
    event = _three()[0]
    assert admin_client.get("/admin/audit/auditevent/").status_code == 403
    assert admin_client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 403


def test_the_dpo_reading_the_trail_in_the_admin_is_recorded(client: Client, admin_user: User) -> None:
    from agencies.models import Membership
    from tests.factories import AgencyFactory

    Membership.objects.create(user=admin_user, agency=AgencyFactory(), role=Membership.Role.DATA_PROTECTION_OFFICER)
    event = _three()[0]
    client.force_login(admin_user)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    searched = AuditEvent.objects.filter(action=AuditEvent.Action.AUDIT_SEARCHED, actor=admin_user)
    assert searched.count() == 2


def test_records_are_not_added_beside_the_chain() -> None:
    # Only `append` adds a record (chained); a bulk insert would add unchained rows.
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(action=AuditEvent.Action.CASE_READ)])
    assert not AuditEvent.objects.exists()


def test_verify_audit_catches_a_removed_tail_against_a_kept_head() -> None:
    # Removing the newest records leaves a valid chain: the head printed earlier, kept elsewhere,
    # proves they existed (decision 32's anchor).
    _, second, third = _three()
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert f"head {third.hash}" in out.getvalue()
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [third.pk])
    call_command("verify_audit", "--head", second.hash, stdout=io.StringIO())
    with pytest.raises(CommandError, match="not in the trail"):
        call_command("verify_audit", "--head", third.hash, stdout=io.StringIO())
