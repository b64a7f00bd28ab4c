"""Every change to a case and its file goes through these functions (never a bare `save()`).

They take objects that the caller has already fetched through `restrict()`, and a keyword-only
`actor`. Each runs in one transaction with its timeline and audit records.
"""

from .agreements import *  # noqa: F403
from .consent import *  # noqa: F403
from .entries import *  # noqa: F403
from .exports import *  # noqa: F403
from .family import *  # noqa: F403
from .grants import *  # noqa: F403
from .jobs import *  # noqa: F403
from .ownership import *  # noqa: F403
from .questions import *  # noqa: F403
from .requests import *  # noqa: F403
from .safety import *  # noqa: F403
