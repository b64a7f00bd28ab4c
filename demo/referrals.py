"""Demo referrals (issues #2 and #3): one waiting for triage for 30 hours, one closed at triage."""

import datetime

from django.utils import timezone

from referrals.models import Referral, ReferralIndicator, TriageDecision

from .organisations import DemoOrg

__all__ = ["seed_referrals"]

UNTRIAGED = (
    "Anonymous caller: a neighbour's son, about 17, has stopped going to school, spends nights online "
    "and talks about joining a group abroad."
)
NO_FURTHER_ACTION = "Teacher reports a pupil wearing a political symbol and arguing loudly with staff about religion."


def seed_referrals(org: DemoOrg) -> None:
    now = timezone.now()
    social = org.agencies["social"]
    untriaged, created = Referral.objects.get_or_create(
        concern=UNTRIAGED,
        defaults={
            "channel": Referral.Channel.DEDICATED_HOTLINE,
            "received_at": now - datetime.timedelta(hours=30),
            "received_by": social,
            "recorded_by": org.users["sw.dritan"],
            "reporter_anonymous": True,
            "reporter_relationship": "neighbour",
            # Spelt as the caller spelt it: matching finds the Krasniqi case for those who may see it.
            "subject_given_name": "Ardit",
            "subject_family_name": "Krasnici",
            "subject_age": 17,
            "subject_area": "Qyteti i Ri",
            "ideology": Referral.Ideology.RELIGIOUS,
            "urgency": Referral.Urgency.URGENT,
            "person_told": Referral.Told.NO,
            "child_involved": True,
        },
    )
    if created:
        for kind in ("isolation", "online", "intent_to_travel"):
            ReferralIndicator.objects.create(referral=untriaged, kind=kind)
    closed, created = Referral.objects.get_or_create(
        concern=NO_FURTHER_ACTION,
        defaults={
            "channel": Referral.Channel.PROFESSIONAL,
            "received_at": now - datetime.timedelta(days=10),
            "received_by": social,
            "recorded_by": org.users["sw.blerina"],
            "reporter_name": "Mirela Dedja",
            "reporter_contact": 'Shkolla e Mesme "Drita", +355 4 000 0000',
            "reporter_relationship": "teacher",
            "reporter_is_professional": True,
            "subject_given_name": "Erion",
            "subject_family_name": "Tafa",
            "subject_age": 15,
            "ideology": Referral.Ideology.UNCLEAR,
            "status": Referral.Status.CLOSED,
            "triaged_at": now - datetime.timedelta(days=9, hours=20),
            "reporter_feedback": "Told the teacher no referral was needed; the school follows up as usual.",
            "reporter_feedback_at": now - datetime.timedelta(days=9),
        },
    )
    if created:
        ReferralIndicator.objects.create(referral=closed, kind="symbols")
        TriageDecision.objects.create(
            referral=closed,
            decision=TriageDecision.Decision.NO_FURTHER_ACTION,
            reason=TriageDecision.Reason.REBELLION,
            notes="Rebellious behaviour, not radicalisation: the school follows up as usual.",
            decided_by=org.users["sup.elira"],
            decided_at=now - datetime.timedelta(days=9, hours=20),
        )
