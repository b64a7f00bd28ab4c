"""Every change to plans, reviews, withdrawals and closures goes through these functions.

They take objects the caller fetched through `restrict()`, and a keyword-only `actor`. Each runs
in one transaction, re-fetches what it changes through `restrict(actor, ...)` under a row lock,
and writes the case timeline and the audit trail with the change, or nothing at all.
"""

from .closures import *  # noqa: F403
from .plans import *  # noqa: F403
from .reviews import *  # noqa: F403
