"""Backup and restore: the database, the uploads, and the audit head kept outside the database
(decision 81).

A backup is a folder: `database.dump` (PostgreSQL's custom format, from pg_dump) or
`database.sqlite3` (SQLite's online backup), `uploads.tar.gz` (the uploads folder), and
`manifest.json` with the audit chain's head at the time, its record count and each file's sha256.
The head is also printed and, with `--head-log`, appended to a file kept elsewhere: after a
restore, `verify_audit --head <hash>` proves the trail is the one backed up.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from audit.chain import verify_chain
from audit.services import chain_waiting

__all__ = ["BackupError", "Manifest", "backup", "restore"]

# subprocess: pg_dump and pg_restore only, with fixed arguments, never through a shell.

MANIFEST = "manifest.json"
UPLOADS = "uploads.tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot be made as asked."""


@dataclass(frozen=True)
class Manifest:
    folder: Path
    head: str
    count: int
    vendor: str
    files: dict[str, str]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(alias: str) -> tuple[dict[str, str], list[str]]:
    db = settings.DATABASES[alias]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["-h", str(db.get("HOST") or "localhost"), "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return env, args


def _name(alias: str) -> str:
    return str(connections[alias].settings_dict["NAME"])


def _dump_database(alias: str, folder: Path) -> Path:
    connection = connections[alias]
    if connection.vendor == "postgresql":
        target = folder / "database.dump"
        env, args = _pg_env(alias)
        command = ["pg_dump", "--format=custom", "--no-owner", *args, "-f", str(target), _name(alias)]
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=3600)  # noqa: S603  # nosec B603
        return target
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return target
    raise BackupError(f"no backup for the {connection.vendor} database")


def _pack_uploads(folder: Path) -> Path:
    target = folder / UPLOADS
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target, "w:gz") as archive:
        if media.is_dir():
            archive.add(media, arcname="uploads")
    return target


def backup(to: Path, *, alias: str = "default", head_log: Path | None = None) -> Manifest:
    """Write a backup folder under `to`; returns its manifest."""
    chain_waiting(alias)  # the head written is the newest record, not one still waiting
    result = verify_chain()
    if result.broken_id is not None:
        raise BackupError(f"the audit chain is broken at record id {result.broken_id}: back up nothing over it")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(to) / f"ura-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    files = [_dump_database(alias, folder), _pack_uploads(folder)]
    manifest = Manifest(
        folder=folder,
        head=result.head,
        count=result.count,
        vendor=connections[alias].vendor,
        files={path.name: _sha256(path) for path in files},
    )
    body = {"created_at": stamp, "head": manifest.head, "count": manifest.count, "vendor": manifest.vendor}
    (folder / MANIFEST).write_text(json.dumps({**body, "files": manifest.files}, indent=2))
    if head_log is not None:
        with Path(head_log).open("a") as log:
            log.write(f"{stamp} {manifest.count} {manifest.head} {folder}\n")
    return manifest


def read_manifest(folder: Path) -> Manifest:
    data: dict[str, Any] = json.loads((Path(folder) / MANIFEST).read_text())
    manifest = Manifest(Path(folder), data["head"], data["count"], data["vendor"], data["files"])
    for name, digest in manifest.files.items():
        if _sha256(Path(folder) / name) != digest:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged")
    return manifest


def _restore_database(alias: str, manifest: Manifest) -> None:
    connection = connections[alias]
    if connection.vendor != manifest.vendor:
        raise BackupError(f"a {manifest.vendor} backup cannot be restored into {connection.vendor}")
    if connection.vendor == "postgresql":
        connection.close()
        env, args = _pg_env(alias)
        command = [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *args,
            "-d",
            _name(alias),
            str(manifest.folder / "database.dump"),
        ]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)  # noqa: S603  # nosec B603
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()[-2000:]}")
        return
    connection.ensure_connection()
    with sqlite3.connect(manifest.folder / "database.sqlite3") as source:
        source.backup(connection.connection)
    source.close()


def _restore_uploads(manifest: Manifest) -> None:
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(manifest.folder / UPLOADS, "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name == "uploads" or m.name.startswith("uploads/")]
        if not members:
            return
        staging = media.parent / f".{media.name}.restoring"
        shutil.rmtree(staging, ignore_errors=True)
        archive.extractall(staging, members=members, filter="data")
    if media.exists():
        shutil.rmtree(media)
    (staging / "uploads").rename(media)
    shutil.rmtree(staging, ignore_errors=True)


def restore(folder: Path, *, alias: str = "default", expect: frozenset[str] = frozenset()) -> Manifest:
    """Restore a backup folder over the configured database and uploads, then prove the audit chain
    against the head in the manifest and any kept elsewhere (`expect`)."""
    manifest = read_manifest(folder)
    _restore_database(alias, manifest)
    _restore_uploads(manifest)
    heads = frozenset({manifest.head, *expect} - {""})
    result = verify_chain(expect=heads)
    if result.broken_id is not None:
        raise BackupError(f"restored, but the audit chain is broken at record id {result.broken_id}")
    missing = sorted(heads - result.seen)
    if missing:
        raise BackupError(f"restored, but head {missing[0]} is not in the trail")
    return manifest
