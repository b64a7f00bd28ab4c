"""The panel pack (decision 110): a meeting's agenda with, for each case on it, the case's summary
and what the panel is asked to decide, to print (A4) or download as a PDF.

Built through `restrict()` only: the agenda items the reader sees (`restrict(user, view)`), each
case's summary read through `restrict(user, view_summary)` (`cases.summaries`: never the file's
content, whatever the reader's level), a referral named only when the reader may read it. A case
or referral the reader may not see is left out, not named.

Each case carries its plan's progress at summary level (decision 101): counts and dates only, read
in the same query through `cases.summaries.with_progress_figures` (interventions answers the hook:
panels cannot read plans), and the counts that put it on the agenda by itself (decision 102).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from agencies.access import Action, acting_agency_id
from agencies.models import User
from agencies.pdf import PdfDocument
from audit.models import AuditEvent
from audit.services import record
from cases.models import Case
from cases.summaries import (
    SUMMARY_RELATED,
    agencies_of,
    current_shares,
    made_by_line,
    progress_figures,
    summary_fields,
    with_progress_figures,
)
from referrals.models import Referral

from .models import AgendaItem, PanelMeeting

__all__ = ["PackItem", "asked_of_the_panel", "pack_items", "pack_pdf", "pack_title", "record_case_reads"]


def asked_of_the_panel(reason: str) -> str:
    """What the panel is asked to decide about an item, by why it is on the agenda."""
    asked = {
        AgendaItem.Reason.NEW_REFERRAL: _(
            "Decide how urgent it is, who makes the first contact and who owns the case."
        ),
        AgendaItem.Reason.REVIEW_DUE: _("Review the progress of the plan and set the next review."),
        AgendaItem.Reason.OVERDUE: _("Agree how to catch up on what is overdue, and who does it."),
        AgendaItem.Reason.ADDED: _("Discuss the case, as the coordinator asked."),
        AgendaItem.Reason.LAPSED_ACTIONS: _(
            "Find out why actions of the plan lapsed, and agree who takes them up again and by when."
        ),
        AgendaItem.Reason.NO_CONTACT: _("Agree who contacts the family and by when, and whether the plan still fits."),
    }
    return str(asked.get(AgendaItem.Reason(reason), ""))


@dataclass
class PackItem:
    number: int
    reason: str
    asked: str
    heading: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    case_id: int | None = None
    progress: list[tuple[str, str]] = field(default_factory=list)
    flags: list[tuple[str, str]] = field(default_factory=list)


def _flags(item: AgendaItem) -> list[tuple[str, str]]:
    """The counts that put a case on the agenda by itself (decision 102): counts, never content."""
    flags = []
    if item.lapsed_actions is not None:
        flags.append((_("Lapsed actions"), str(item.lapsed_actions)))
    if item.days_without_contact is not None:
        flags.append((_("Days without contact"), str(item.days_without_contact)))
    return flags


def pack_title(meeting: PanelMeeting) -> str:
    when = date_format(localtime(meeting.scheduled_for), "DATETIME_FORMAT")
    return _("Panel pack: %(panel)s, %(when)s") % {"panel": meeting.panel, "when": when}


def pack_items(meeting: PanelMeeting, user: User) -> list[PackItem]:
    """The agenda as the reader may see it, each case with its summary."""
    items = list(
        AgendaItem.objects.restrict(user, Action.VIEW)
        .filter(meeting=meeting)
        .only("pk", "reason", "case", "referral", "lapsed_actions", "days_without_contact")
    )
    case_ids = [item.case_id for item in items if item.case_id]
    readable = with_progress_figures(Case.objects.restrict(user, Action.VIEW_SUMMARY).select_related(*SUMMARY_RELATED))
    cases = readable.prefetch_related("panel__agencies").in_bulk(case_ids)
    shares = current_shares(list(cases.values()), user)
    referral_ids = [item.referral_id for item in items if item.referral_id]
    referrals = Referral.objects.restrict(user, Action.VIEW).in_bulk(referral_ids)
    found: list[PackItem] = []
    for item in items:
        number = len(found) + 1
        reason, asked = item.get_reason_display(), asked_of_the_panel(item.reason)
        if item.case_id:
            case = cases.get(item.case_id)
            if case is None:
                continue
            heading = f"{case.family.name} · {case.reference}"
            fields = summary_fields(case, agencies_of(case, user, shares[case.pk]))
            found.append(
                PackItem(number, reason, asked, heading, fields, case.pk, progress_figures(case), _flags(item))
            )
        elif item.referral_id:
            referral = referrals.get(item.referral_id)
            if referral is None:
                continue
            subject = referral.subject or _("person not named")
            heading = _("Referral R-%(number)s: %(subject)s") % {"number": referral.pk, "subject": subject}
            received = date_format(localtime(referral.received_at), "DATETIME_FORMAT")
            found.append(PackItem(number, reason, asked, heading, [(_("Received"), received)]))
    return found


def record_case_reads(meeting: PanelMeeting, user: User, items: list[PackItem], *, fmt: str) -> None:
    """Each case in the pack is in its own access log ("Who looked"): a summary read on paper, one
    record per case, written together (one INSERT each, chained once after the commit). The pack
    itself is recorded by the caller as `panel_pack_exported` with its count and ids."""
    agency_id = acting_agency_id(user)
    with transaction.atomic():
        for item in items:
            if item.case_id:
                record(
                    AuditEvent.Action.EXPORT_READ,
                    actor=user,
                    obj=meeting,
                    case_id=item.case_id,
                    agency_id=agency_id,
                    what="panel_pack",
                    format=fmt,
                )


def pack_pdf(meeting: PanelMeeting, user: User, items: list[PackItem], *, language: str) -> bytes:
    document = PdfDocument(
        pack_title(meeting),
        first_line=made_by_line(user, _("Panel pack")),
        footer=_("Confidential: for the members of the panel"),
        language=language,
    )
    if meeting.location:
        document.paragraph(_("Place: %(place)s") % {"place": meeting.location})
    document.paragraph(
        _(
            "For the members of the panel. What is shared at this table stays here: each professional "
            "handles it by their own profession's code."
        ),
        size=8.5,
    )
    if not items:
        document.paragraph(_("Nothing on the agenda."))
    for item in items:
        document.rule()
        document.heading(f"{item.number}. {item.heading}", level=2)
        document.fields([(_("On the agenda because"), item.reason), *item.flags, (_("Asked of the panel"), item.asked)])
        if item.fields:
            document.fields(item.fields)
        if item.progress:
            document.heading(_("Progress of the plan"), level=3)
            document.fields(item.progress)
    return document.output()
