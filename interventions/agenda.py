"""Cases that put themselves on the panel's next agenda (decision 102): an open case of a panel
whose running plan has lapsed actions, or whose family nobody has seen for the panel's silence
days (42 by default), joins the agenda of the panel's next scheduled meeting, once, with the counts
that put it there.

Run by the reminder sweep (every few minutes: idempotent, a second run adds nothing) and whenever
a meeting's agenda is built (`panels.services.agenda_built`).
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from cases.models import Case
from panels.models import PanelMeeting
from panels.services import Flag, agenda_built, flag_on_agenda

from .progress import Timings, timings, with_progress

__all__ = ["flag_stalled_cases", "stalled_cases"]


def stalled_cases(panel_ids: Iterable[int], timing: Timings, today: datetime.date | None = None) -> dict[int, Flag]:
    """The open cases of these panels with lapsed actions or a long silence, by id (one query)."""
    today = today or timezone.localdate()
    panel_ids = list(panel_ids)
    if not panel_ids:
        return {}
    shortest = min(timing.get(panel, timing[None]).silence_days for panel in panel_ids)
    quiet_since = today - datetime.timedelta(days=shortest)
    # Silence counts from the last contact that took place, else from the first contact: a family
    # never reached is the first contact's deadline (reminders), not a silence.
    lapsed_, quiet, never = (
        Q(progress_actions_lapsed__gt=0),
        Q(progress_last_contact_at__date__lt=quiet_since),
        Q(progress_last_contact_at__isnull=True, first_contact_on__lt=quiet_since),
    )
    cases = with_progress(Case._base_manager.filter(panel_id__in=panel_ids, closed_at__isnull=True), today)
    columns = ("pk", "panel_id", "progress_actions_lapsed", "progress_last_contact_at", "first_contact_on")
    found: dict[int, Flag] = {}
    for pk, panel_id, lapsed, last_contact, first_contact in cases.filter(lapsed_ | quiet | never).values_list(
        *columns
    ):
        since = timezone.localtime(last_contact).date() if last_contact else first_contact
        silent = (today - since).days if since else None
        limit = timing.get(panel_id, timing[None]).silence_days
        silent = silent if silent is not None and silent > limit else None
        if lapsed or silent:
            found[pk] = Flag(lapsed_actions=lapsed, days_without_contact=silent)
    return found


def _next_meetings(panel_ids: Iterable[int] | None = None) -> list[PanelMeeting]:
    """Each panel's next scheduled meeting (one query)."""
    meetings = PanelMeeting._base_manager.filter(
        status=PanelMeeting.Status.SCHEDULED, scheduled_for__gte=timezone.now()
    ).order_by("panel_id", "scheduled_for", "pk")
    if panel_ids is not None:
        meetings = meetings.filter(panel_id__in=list(panel_ids))
    nexts: dict[int, PanelMeeting] = {}
    for meeting in meetings.only("pk", "panel_id", "scheduled_for", "status"):
        nexts.setdefault(meeting.panel_id, meeting)
    return list(nexts.values())


def flag_stalled_cases(meetings: list[PanelMeeting] | None = None) -> int:
    """Put the stalled cases of each panel on its next meeting's agenda; return how many items
    were added (none on a second run)."""
    meetings = _next_meetings() if meetings is None else meetings
    if not meetings:
        return 0
    timing = timings()
    flags = stalled_cases({meeting.panel_id for meeting in meetings}, timing)
    if not flags:
        return 0
    panels = dict(Case._base_manager.filter(pk__in=flags).values_list("pk", "panel_id"))
    added = 0
    for meeting in meetings:
        mine = {pk: flag for pk, flag in flags.items() if panels.get(pk) == meeting.panel_id}
        added += flag_on_agenda(meeting, mine)
    return added


@receiver(agenda_built, dispatch_uid="interventions.stalled_cases_on_agenda")
def stalled_cases_on_agenda(sender: type[PanelMeeting], meeting: PanelMeeting, **_: Any) -> None:
    """A meeting whose agenda is built (planned, or rebuilt) takes the panel's stalled cases, if it
    is the panel's next one."""
    if meeting in _next_meetings([meeting.panel_id]):
        flag_stalled_cases([meeting])
