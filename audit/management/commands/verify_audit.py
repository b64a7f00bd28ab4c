"""`manage.py verify_audit`: prove the audit trail's hash chain, or name the first broken record."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exits non-zero and names the first broken record."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if result.broken_id is not None:
            raise CommandError(f"Audit chain broken at record id {result.broken_id}: {result.problem}")
        self.stdout.write(self.style.SUCCESS(f"OK: {result.count} audit records, chain intact"))
