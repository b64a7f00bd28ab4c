"""Load the demo scenario: agencies, people, a panel, five family cases and two referrals."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.agreements import seed_agreements
from demo.cases import seed_cases
from demo.directory import seed_directory
from demo.family_work import seed_family_work
from demo.front_door import seed_front_door
from demo.interventions import seed_interventions
from demo.learning import seed_learning
from demo.meetings import seed_lessons, seed_meetings
from demo.organisations import DEMO_PASSWORD, seed_agencies
from demo.privacy import seed_privacy
from demo.referrals import seed_referrals
from demo.reminders import seed_reminders
from demo.structure import seed_structure
from demo.trail import seed_audit


class Command(BaseCommand):
    help = "Create the demo scenario (idempotent: running it again changes nothing). Refused in production."

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "URA_DEMO_DATA_ALLOWED", False):
            raise CommandError("Demo data is refused under these settings (production).")
        with transaction.atomic():
            org = seed_agencies()
            seed_agreements(org)
            seed_cases(org)
            seed_family_work(org)
            seed_referrals(org)
            seed_front_door(org)
            seed_meetings(org)
            seed_lessons(org)
            seed_structure(org)
            seed_interventions(org)
            seed_directory(org)
            seed_reminders()
            seed_privacy(org)
            seed_audit(org)
            seed_learning(org)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Every demo user signs in with the password {DEMO_PASSWORD!r}.")
        )
