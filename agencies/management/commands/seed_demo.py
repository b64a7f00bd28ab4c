"""Load the demo scenario: agencies, people, a panel, five family cases and two referrals."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.demo import DEMO_PASSWORD, seed_agencies, seed_meetings
from audit.demo import seed_privacy
from audit.demo_trail import seed_audit
from cases.demo import seed_cases
from cases.demo_work import seed_family_work
from interventions.demo import seed_interventions
from referrals.demo import seed_referrals
from reminders.demo import seed_reminders


class Command(BaseCommand):
    help = "Create the demo scenario (idempotent: running it again changes nothing). Refused in production."

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "URA_DEMO_DATA_ALLOWED", False):
            raise CommandError("Demo data is refused under these settings (production).")
        with transaction.atomic():
            org = seed_agencies()
            seed_cases(org)
            seed_family_work(org)
            seed_referrals(org)
            seed_meetings(org)
            seed_interventions(org)
            seed_reminders(org)
            seed_privacy(org)
            seed_audit(org)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Every demo user signs in with the password {DEMO_PASSWORD!r}.")
        )
