"""`manage.py backup DIR`: the database, the uploads and the audit head, in one folder under DIR."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploads into a new folder under DIR, with the audit chain's head."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--head-log",
            type=Path,
            help="append the audit head to this file (keep it away from the database and the backups)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(options["directory"], head_log=options["head_log"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(manifest.folder))
        self.stdout.write(self.style.SUCCESS(f"OK: {manifest.count} audit records; head {manifest.head or '-'}"))
