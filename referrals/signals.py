"""What referrals tell the apps above them, without importing them (CONTRIBUTING.md: the floors)."""

from django.dispatch import Signal

__all__ = ["put_to_panel"]

# Sent inside the triage transaction when a referral is put to a panel's agenda, with `referral`
# and `panel`. `panels` adds it to the agenda of the panel's next meeting; a receiver's error rolls
# the triage back, as a direct call would.
put_to_panel = Signal()
