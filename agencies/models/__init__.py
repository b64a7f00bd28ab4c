"""Agencies, people, memberships and panels, each panel's deadlines, its network and duty rota,
experts, two-factor codes, invitations, departures and protocols."""

from .deadlines import *  # noqa: F403
from .joining import *  # noqa: F403
from .kept import *  # noqa: F403
from .network import *  # noqa: F403
from .organisations import *  # noqa: F403
from .requests import *  # noqa: F403
from .two_factor import *  # noqa: F403
