"""Agencies, people, panels and their meetings."""

from .meetings import *  # noqa: F403
from .organisations import *  # noqa: F403
