"""`manage.py verify_audit`: prove the audit trail's hash chain, or name the first broken record."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exits non-zero and names the first broken record."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            help="A head hash printed by an earlier run and kept outside the database: it must still be "
            "in the chain (catches the records up to it removed, or the chain rewritten from before it).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        expect = frozenset(options["head"])
        result = verify_chain(expect=expect)
        if result.broken_id is not None:
            raise CommandError(f"Audit chain broken at record id {result.broken_id}: {result.problem}")
        missing = sorted(expect - result.seen)
        if missing:
            raise CommandError(f"Head {missing[0]} is not in the trail: records after it were removed or rewritten")
        self.stdout.write(
            self.style.SUCCESS(f"OK: {result.count} audit records, chain intact; head {result.head or '-'}")
        )
