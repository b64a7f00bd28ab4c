"""The case file and everything recorded in it."""

from .agreements import *  # noqa: F403
from .case import *  # noqa: F403
from .entries import *  # noqa: F403
from .jobs import *  # noqa: F403
from .requests import *  # noqa: F403
from .safety import *  # noqa: F403
