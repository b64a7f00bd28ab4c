"""Panels listen to the apps below them (CONTRIBUTING.md: the floors)."""

from typing import Any

from django.dispatch import receiver

from agencies.models import Panel
from referrals.models import Referral
from referrals.signals import put_to_panel

from .services import put_referral_on_next_agenda


@receiver(put_to_panel, dispatch_uid="panels.referral_to_next_agenda")
def referral_to_next_agenda(sender: type[Referral], referral: Referral, panel: Panel, **_: Any) -> None:
    """A referral put to the panel joins its next meeting's agenda (triage, step 1 → step 2)."""
    put_referral_on_next_agenda(referral, panel)
