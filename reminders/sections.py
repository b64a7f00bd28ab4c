"""The home page's deadlines: overdue, due this week, and a coordinator's across the panels
(decision 56; the lists are `reminders.dashboard`)."""

from typing import Any

from django.http import HttpRequest

from agencies.models import User
from agencies.sections import HomeSection

from .dashboard import due_lists

__all__ = ["DueLists"]


class DueLists(HomeSection):
    name = "due"
    template_name = "reminders/sections/due.html"

    def context(self, user: User, request: HttpRequest) -> dict[str, Any]:
        return {"due_lists": due_lists(user)}
