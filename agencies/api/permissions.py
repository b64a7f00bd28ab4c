"""The API's default permissions (decision 118): a signed-in caller who has acknowledged the
protocols their roles call for. Every API view has them unless it says otherwise, and only the
sign-in, the induction endpoints and the public front door say otherwise.

This module is read when DRF builds `APIView` (settings `DEFAULT_PERMISSION_CLASSES`): it imports
no model at the top.
"""

from typing import Any

from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request

__all__ = ["MEMBER_PERMISSIONS", "InductionCleared"]


class InductionCleared(BasePermission):
    """Refuses (403 `induction_required`) a caller with protocols still to acknowledge, whether
    signed with a session or a token; the anonymous are `IsAuthenticated`'s to turn away."""

    code = "induction_required"
    message: Any = None

    def has_permission(self, request: Request, view: Any) -> bool:
        from ..induction import cleared, refusal_message

        if cleared(request.user):
            return True
        self.message = refusal_message()
        return False


# The defaults, for a view that names its permissions and still wants them.
MEMBER_PERMISSIONS: list[type[BasePermission]] = [IsAuthenticated, InductionCleared]
