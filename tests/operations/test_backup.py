"""Backup and restore: the database, the uploads and the audit head kept outside the database."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from agencies.models import User
from audit.models import AuditEvent
from audit.services import record

pytestmark = pytest.mark.django_db(transaction=True)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_restored_backup_proves_its_audit_chain_against_the_head_kept_outside(tmp_path: Path) -> None:
    # given a trail, an upload, and a backup with its head logged elsewhere
    media = tmp_path / "media"
    (media / "attachments").mkdir(parents=True)
    (media / "attachments" / "visit.txt").write_text("home visit notes")
    User.objects.create_user("kept.user")
    for n in range(5):
        record(AuditEvent.Action.SIGN_IN_FAILED, username=f"u{n}")
    head_log = tmp_path / "elsewhere" / "heads.log"
    head_log.parent.mkdir()
    with override_settings(MEDIA_ROOT=str(media)):
        folder = Path(_run("backup", str(tmp_path / "backups"), "--head-log", str(head_log)).splitlines()[0])
    manifest = json.loads((folder / "manifest.json").read_text())
    kept_head = head_log.read_text().split()[2]
    assert kept_head == manifest["head"] and manifest["count"] == AuditEvent.objects.count()

    # when things go wrong after it: more records, a lost person, a changed upload
    for n in range(3):
        record(AuditEvent.Action.SIGN_IN_FAILED, username=f"later{n}")
    User.objects.filter(username="kept.user").delete()
    (media / "attachments" / "visit.txt").write_text("overwritten")
    # and the backup is restored
    with override_settings(MEDIA_ROOT=str(media)):
        answer = _run("restore", str(folder), "--yes", "--head", kept_head)

    # then the database, the uploads and the chain are as they were, proved against the kept head
    assert "OK: restored" in answer
    assert User.objects.filter(username="kept.user").exists()
    assert AuditEvent.objects.count() == manifest["count"]
    assert (media / "attachments" / "visit.txt").read_text() == "home visit notes"
    assert f"head {kept_head}" in _run("verify_audit", "--head", kept_head)


def test_a_damaged_backup_is_refused(tmp_path: Path) -> None:
    record(AuditEvent.Action.SIGN_IN_FAILED, username="u")
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        folder = Path(_run("backup", str(tmp_path)).splitlines()[0])
    dump = next(path for path in folder.iterdir() if path.name.startswith("database"))
    dump.write_bytes(dump.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(CommandError, match="checksum"):
        _run("restore", str(folder), "--yes")


def test_restore_asks_to_be_sure(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--yes"):
        _run("restore", str(tmp_path))
