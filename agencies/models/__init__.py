"""Agencies, people, memberships and panels, and each panel's deadlines."""

from .deadlines import *  # noqa: F403
from .kept import *  # noqa: F403
from .organisations import *  # noqa: F403
