"""A worker's calendar (issue 17, decision 92): the next contacts agreed on the cases they own or
visit, and the panel meetings they sit on, from today on; and the same as an iCal feed.

Calendars leak (shared with a phone, synced to a provider), so the feed names no family: a visit is
"Visit, <case reference>", a meeting "Panel meeting, <panel>". Each list is one query, restricted
for the user, whatever its length."""

import dataclasses
import datetime
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import Action
from agencies.models import User
from cases.models import Contact
from panels.models import PanelMeeting

from .models import CalendarFeed

__all__ = ["Event", "events_of", "feed_user", "ical", "new_feed_secret"]

HORIZON_DAYS = 120


@dataclasses.dataclass(frozen=True)
class Event:
    uid: str
    title: str  # never a family's name
    day: datetime.date
    at: datetime.datetime | None  # a meeting's time; a visit agreed for a day has none
    url: str


def events_of(user: User, today: datetime.date | None = None) -> list[Event]:
    """The user's planned visits and meetings from `today` on (two queries)."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=HORIZON_DAYS)
    contacts = (
        Contact.objects.restrict(user, Action.VIEW)
        .final()
        .filter(Q(case__owner=user) | Q(visitors=user), case__closed_at__isnull=True)
        .filter(next_contact_on__isnull=False)
        .select_related("case")
        .order_by("case_id", "-occurred_at", "-pk")
        .distinct()
    )
    # The next contact is the one agreed at the latest contact that agreed one (decision 75): an
    # earlier agreement on the same case is replaced, even by a date already past.
    latest: dict[int, Contact] = {}
    for contact in contacts.filter(occurred_at__gte=timezone.now() - datetime.timedelta(days=365)):
        latest.setdefault(contact.case_id, contact)
    events = [
        Event(
            uid=f"visit-{contact.case_id}-{contact.pk}",
            title=_("Visit, %(reference)s") % {"reference": contact.case.reference},
            day=contact.next_contact_on,
            at=None,
            url=reverse("cases:case", kwargs={"pk": contact.case_id}),
        )
        for contact in latest.values()
        if contact.next_contact_on is not None and today <= contact.next_contact_on <= until
    ]
    meetings = (
        PanelMeeting.objects.restrict(user, Action.VIEW)
        .filter(status=PanelMeeting.Status.SCHEDULED, scheduled_for__date__range=(today, until))
        .select_related("panel")
    )
    events += [
        Event(
            uid=f"meeting-{meeting.pk}",
            title=_("Panel meeting, %(panel)s") % {"panel": meeting.panel.name},
            day=timezone.localtime(meeting.scheduled_for).date(),
            at=meeting.scheduled_for,
            url=meeting.get_absolute_url(),
        )
        for meeting in meetings
    ]
    return sorted(events, key=lambda event: (event.day, event.at or timezone.now(), event.uid))


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def new_feed_secret(user: User) -> str:
    """A new secret for the user's feed, replacing any earlier one (whose address stops working).
    Returned once: only its hash is kept."""
    secret = secrets.token_urlsafe(32)
    CalendarFeed.objects.restrict(user, Action.CHANGE).delete()
    CalendarFeed.objects.create(user=user, secret_hash=_hash(secret))
    return secret


def feed_user(secret: str) -> User | None:
    """Whose feed the secret opens (an active user's), or None."""
    feed = CalendarFeed.objects.select_related("user").filter(secret_hash=_hash(secret)).first()
    return feed.user if feed is not None and feed.user.is_active else None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ical(events: list[Event], base_url: str) -> str:
    """The events as an iCalendar (RFC 5545) document."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ura//Calendar//EN", "CALSCALE:GREGORIAN"]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}@ura", f"DTSTAMP:{stamp}"]
        if event.at is None:
            lines.append(f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}")
        else:
            start = event.at.astimezone(datetime.UTC)
            lines += [f"DTSTART:{start:%Y%m%dT%H%M%SZ}", f"DTEND:{start + datetime.timedelta(hours=2):%Y%m%dT%H%M%SZ}"]
        lines += [f"SUMMARY:{_escape(event.title)}", f"URL:{base_url}{event.url}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def end_feed_with_the_sign_ins(sender: Any, user: User, event: str, **kwargs: Any) -> None:
    """The feed opens by its secret alone, like a session: "end every sign-in" ends it too
    (agencies.security.account_changed, sent by revoke_sign_ins; decision 92)."""
    if event == "sign_ins_revoked":
        CalendarFeed.objects.filter(user=user).delete()
