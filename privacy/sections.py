"""The case page's notice to a supervisor reading it through break-the-glass (decision 56)."""

from agencies.access import CaseAccess
from agencies.sections import CaseSection

__all__ = ["GlassNotice"]


class GlassNotice(CaseSection):
    """Reading by breaking the glass: until when, and that the owner and coordinator were told."""

    name = "glass"
    template_name = "privacy/sections/glass.html"

    def applies(self, access: CaseAccess) -> bool:
        return access.reads_through_glass
