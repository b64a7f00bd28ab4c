"""Intervention plans, reviews, withdrawal and closure of a case (steps 7, 8 and 9)."""

from .closures import *  # noqa: F403
from .plans import *  # noqa: F403
from .reviews import *  # noqa: F403
