"""Demo referrals (issue #2's scenario): one waiting for triage, one closed at triage."""

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from .models import Referral

if TYPE_CHECKING:
    from agencies.demo import DemoOrg

__all__ = ["seed_referrals"]

UNTRIAGED = (
    "Anonymous caller: a neighbour's son (about 17) has stopped going to school and talks about joining a group abroad."
)
NO_FURTHER_ACTION = "Teacher reports a pupil wearing a political symbol and arguing loudly with staff about religion."


def seed_referrals(org: "DemoOrg") -> None:
    now = timezone.now()
    social = org.agencies["social"]
    Referral.objects.get_or_create(
        concern=UNTRIAGED,
        defaults={
            "channel": Referral.Channel.DEDICATED_HOTLINE,
            "received_at": now - datetime.timedelta(hours=30),
            "received_by": social,
            "reporter_anonymous": True,
            "ideology": Referral.Ideology.RELIGIOUS,
            "urgency": Referral.Urgency.URGENT,
        },
    )
    Referral.objects.get_or_create(
        concern=NO_FURTHER_ACTION,
        defaults={
            "channel": Referral.Channel.PROFESSIONAL,
            "received_at": now - datetime.timedelta(days=10),
            "received_by": social,
            "ideology": Referral.Ideology.UNCLEAR,
            "urgency": Referral.Urgency.ROUTINE,
            "triaged_at": now - datetime.timedelta(days=9, hours=20),
            "triaged_by": org.users["sup.elira"],
            "decision": Referral.Decision.NO_FURTHER_ACTION,
            "decision_reason": "Rebellious behaviour, not radicalisation: the school follows up as usual.",
        },
    )
