"""List the records due for a retention review (decision 45)."""

from typing import Any

from django.core.management.base import BaseCommand

from privacy.retention import due_records, retention_years


class Command(BaseCommand):
    help = "List closed cases and no-further-action referrals due for a retention review."

    def handle(self, *args: Any, **options: Any) -> None:
        years = ", ".join(f"{name}: {count} years" for name, count in retention_years().items())
        self.stdout.write(f"Retention periods: {years}")
        due = due_records()
        for item in due:
            self.stdout.write(f"{item.record_class}\t{item.label}\tclosed {item.closed_on.isoformat()}")
        self.stdout.write(f"{len(due)} record(s) due for review.")
