"""`manage.py restore FOLDER --yes`: put a backup back, then prove the audit chain against its head."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup folder over the configured database and uploads, then verify the audit chain."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--yes", action="store_true", help="replace the current database and uploads")
        parser.add_argument(
            "--head", action="append", default=[], help="a head hash kept outside the database (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("This replaces the database and the uploads: add --yes to go on.")
        try:
            manifest = restore(options["folder"], expect=frozenset(options["head"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"OK: restored; {manifest.count} audit records up to head {manifest.head or '-'}")
        )
