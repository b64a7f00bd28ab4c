"""What referrals do when the apps below them say something happened (CONTRIBUTING.md: the floors)."""

from typing import Any

from cases.models import Case

from . import services

__all__ = ["close_receipts"]


def close_receipts(sender: Any, case: Case, **kwargs: Any) -> None:
    """A case closed: the concerns that opened or joined it read "closed" on their receipts."""
    services.close_receipts_of_case(case)
