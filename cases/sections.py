"""The case page's sections and the home page's that show the case file's own data (decision 56).

Each reads through `restrict()` for the reader and asks the page's `CaseAccess` what it may show;
the pages that list them are in `pages/views.py`."""

from typing import Any

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Exists, Model, OuterRef, Q
from django.http import Http404, HttpRequest

from agencies.access import Action, CaseAccess
from agencies.joined import with_joined
from agencies.models import Agency, User
from agencies.sections import CaseSection, HomeSection
from agencies.together import later
from audit.reads import note_list
from families.sections import members_of

from .children import children_of, drafts_of
from .continuity import people_met
from .involvement import involvement
from .models import (
    Case,
    CaseEvent,
    CaseShare,
    ChildNeeds,
    Contact,
    DisclosureCheck,
    ExpertConsultation,
    InformationRequest,
    OwnerQuestion,
    PlannedVisit,
    PoliceAction,
    RiskRecord,
)
from .services import next_contact, next_contact_columns, next_contact_from, refusals, refusals_column

__all__ = [
    "Checks",
    "Children",
    "ClosedCases",
    "Drafts",
    "ExpertConsultations",
    "FieldSafety",
    "Header",
    "History",
    "InformationRequests",
    "Involvement",
    "MyCases",
    "MyVisitsOut",
    "OwnerQuestions",
    "QuestionsForMyAgency",
    "Refusals",
    "RiskHistory",
    "Shares",
    "Summary",
]


SHARES_ATTR = "_ura_current_shares"


def _current_shares(case: Case, user: User, access: CaseAccess) -> list[CaseShare]:
    """The case's current shares, fetched once per page (who is involved, and the shares).

    Everyone who knows the case learns which agencies are involved; the particulars of each share
    are for full readers only (CaseAccess.reads_share_particulars, in the partials). A summary
    reader's page is not even handed the consent record a share rests on."""
    particulars = access.reads_share_particulars
    cached: tuple[int, bool, list[CaseShare]] | None = getattr(case, SHARES_ATTR, None)
    if cached is None or cached[:2] != (user.pk, particulars):
        shares = CaseShare.objects.restrict_to(case, user, Action.VIEW_SUMMARY).current()
        # The agreement a share cites is not case content: every reader of the shares sees it.
        related = ("agency", "granted_by", "agreement", *(("consent",) if particulars else ()))
        cached = (user.pk, particulars, list(shares.select_related(*related)))
        setattr(case, SHARES_ATTR, cached)
    return cached[2]


class Header(CaseSection):
    """The case's name and what the reader may do with it: record, change, share, who looked."""

    name = "header"
    template_name = "cases/sections/header.html"


class Refusals(CaseSection):
    """Repeated refusals of contact, with the guidance's options (full readers)."""

    name = "refusals"
    template_name = "cases/sections/refusals.html"

    def applies(self, access: CaseAccess) -> bool:
        return access.full

    def read_with_case(self, cases: Any, user: User) -> Any:
        return cases.annotate(refusals_since_cooperation=refusals_column(user))

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        counted = getattr(case, "refusals_since_cooperation", None)
        return {"refusals": refusals(case, user) if counted is None else counted}


class Summary(CaseSection):
    """What every reader of the case knows; for full readers, the next contact agreed at a visit."""

    name = "summary"
    template_name = "cases/sections/summary.html"

    def read_with_case(self, cases: Any, user: User) -> Any:
        return cases.annotate(**next_contact_columns(user))

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        if not access.full:
            return {}
        # The next contact agreed at the latest visit that agreed one (decision 75).
        if not hasattr(case, "agreed_contact_id"):
            return {"next_contact": next_contact(case, user)}
        return {"next_contact": next_contact_from(case)}


class OwnerQuestions(CaseSection):
    """Questions to the case's owner (decision 91): a summary reader asks and reads the answers to
    their own; the owner (or a supervisor) reads the questions put to them and answers. Full
    readers who do not change the case see nothing here (the rows are not theirs)."""

    name = "owner_questions"
    template_name = "cases/sections/owner_questions.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (OwnerQuestion,)

    def applies(self, access: CaseAccess) -> bool:
        return access.knows and (not access.full or access.change)

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        questions = OwnerQuestion.objects.restrict_to(case, user, Action.VIEW)
        return {"owner_questions": later(case, questions.select_related("asked_by", "answered_by")[:20])}


class Involvement(CaseSection):
    """Which agencies work the case, why, and at which level (step 6)."""

    name = "involvement"
    template_name = "cases/sections/involvement.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (CaseShare,)

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        shares = _current_shares(case, user, access)
        return {"involvement": involvement(case, shares, with_reasons=access.reads_share_particulars)}


class Shares(CaseSection):
    """The current shares, for full readers and for managers, who revoke them from the summary."""

    name = "shares"
    template_name = "cases/sections/shares.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (CaseShare,)

    def applies(self, access: CaseAccess) -> bool:
        return access.sees_shares

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        return {"shares": _current_shares(case, user, access)}


class Children(CaseSection):
    """The family's children and young adults, their needs records and the approach of 18."""

    name = "children"
    template_name = "cases/sections/children.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (ChildNeeds,)

    def applies(self, access: CaseAccess) -> bool:
        return access.full

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        return {"children": children_of(members_of(case, user), case, user)}


class RiskHistory(CaseSection):
    name = "risk"
    template_name = "cases/sections/risk.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (RiskRecord,)

    def applies(self, access: CaseAccess) -> bool:
        return access.full

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        changes = RiskRecord.objects.restrict_to(case, user, Action.VIEW)
        return {"risk_history": later(case, changes.select_related("recorded_by", "agency")[:5])}


class ExpertConsultations(CaseSection):
    """Experts outside Ura consulted on the case: who, when, what was shared and on which basis
    (decision 123). Full readers only: the fact of a consultation is case content."""

    name = "experts"
    template_name = "cases/sections/experts.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (ExpertConsultation,)

    def applies(self, access: CaseAccess) -> bool:
        return access.full

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        rows = ExpertConsultation.objects.restrict_to(case, user, Action.VIEW).final()
        return {"consultations": later(case, rows.annotate_content(user).select_related("expert", "author")[:10])}


class InformationRequests(CaseSection):
    """Questions put to partners about the case, and "Ask a partner" for who runs it."""

    name = "information_requests"
    template_name = "cases/sections/information_requests.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (InformationRequest,)

    def applies(self, access: CaseAccess) -> bool:
        return access.full

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        asked = InformationRequest.objects.restrict_to(case, user, Action.VIEW)
        return {"information_requests": later(case, asked.select_related("to_agency", "asked_by", "answered_by")[:20])}


class Drafts(CaseSection):
    """The reader's own unfinished entries on the case."""

    name = "drafts"
    template_name = "cases/sections/drafts.html"

    def reads(self) -> tuple[type[Model], ...]:
        from .entry_kinds import entry_kinds  # the kinds are declared once the models are loaded

        return tuple(kind.model for kind in entry_kinds() if kind.drafts)

    def applies(self, access: CaseAccess) -> bool:
        return access.full

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        return {"drafts": drafts_of(user, case)}


class Checks(CaseSection):
    """The six checks a health or social-care agency records before it shares (its own only)."""

    name = "checks"
    template_name = "cases/sections/checks.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (DisclosureCheck,)

    def applies(self, access: CaseAccess) -> bool:
        return access.full

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        checks = DisclosureCheck.objects.restrict_to(case, user, Action.VIEW)
        checks = checks.select_related("agency", "recorded_by")
        # The partners each check was shared with, by name, in the same query (decision 149).
        return {"checks": with_joined(case, checks, "shared_with", ("pk", "name"), _agency, _by_name)}


def _agency(pk: int, name: str) -> Agency:
    return Agency(pk=pk, name=name)


def _by_name(agency: Agency) -> str:
    return agency.name


class History(CaseSection):
    """The latest events of the timeline, each as the reader may read it."""

    name = "history"
    template_name = "cases/sections/history.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (CaseEvent,)

    def applies(self, access: CaseAccess) -> bool:
        return access.full

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        events = CaseEvent.objects.restrict_to(case, user, Action.VIEW)
        return {"events": later(case, events.select_related("actor", "author_agency").annotate_content(user)[:15])}


# --- The home page ---------------------------------------------------------------------------------


class QuestionsForMyAgency(HomeSection):
    """Questions put to the user's agency, to answer within 24 hours."""

    name = "questions"
    template_name = "cases/sections/questions.html"

    def context(self, user: User, request: HttpRequest) -> dict[str, Any]:
        asked = InformationRequest.objects.restrict(user, Action.CHANGE).open()
        return {"information_requests": asked.select_related("case__family", "to_agency").order_by("due_at")[:20]}


OWNED_COUNTS_ATTR = "_ura_owned_counts"


def owned_counts(user: User, request: HttpRequest) -> tuple[int, int]:
    """How many of the cases the user owns, and reads in full, are open and how many closed: one
    query for both home sections (My cases pages through the first, Closed cases shows the second),
    kept on the request for the second to ask (decision 150)."""
    kept: dict[int, tuple[int, int]] = getattr(request, OWNED_COUNTS_ATTR, {})
    if user.pk not in kept:
        counts = (
            Case.objects.restrict(user, Action.VIEW)
            .filter(owner=user)
            .aggregate(
                open=Count("pk", filter=Q(closed_at__isnull=True)),
                closed=Count("pk", filter=Q(closed_at__isnull=False)),
            )
        )
        kept[user.pk] = (counts["open"], counts["closed"])
        setattr(request, OWNED_COUNTS_ATTR, kept)
    return kept[user.pk]


class MyCases(HomeSection):
    """The open cases the user owns, a page at a time (the cases they only read are under "All
    cases")."""

    name = "my_cases"
    template_name = "cases/sections/my_cases.html"
    per_page = 25

    def context(self, user: User, request: HttpRequest) -> dict[str, Any]:
        cases = Case.objects.open().with_summary().restrict(user, Action.VIEW).filter(owner=user)
        paginator = Paginator(cases, self.per_page)
        # The count is known already, read with the closed ones' (`owned_counts`): the paginator's
        # own count would be a second query over the same rows.
        paginator.__dict__["count"] = owned_counts(user, request)[0]
        wanted = request.GET.get("page") or 1
        try:
            page = paginator.page(paginator.num_pages if wanted == "last" else int(wanted))
        except (ValueError, InvalidPage) as refused:
            raise Http404(str(refused)) from refused
        rows = list(page.object_list)
        note_list(request, rows)  # the trail records which cases the page showed, as for any list
        return {"cases": rows, "page_obj": page, "paginator": paginator, "is_paginated": page.has_other_pages()}


class ClosedCases(HomeSection):
    """How many of the user's cases are closed, a click away."""

    name = "closed_cases"
    template_name = "cases/sections/closed_cases.html"

    def context(self, user: User, request: HttpRequest) -> dict[str, Any]:
        return {"closed_count": owned_counts(user, request)[1]}


class FieldSafety(CaseSection):
    """Safety in the field, for the case team (decisions 134-136): who is out at the family now,
    the follow-up visits police actions call for, and the people the family has met (a new face is
    one the family first met within `URA_NEW_FACE_DAYS`)."""

    name = "field_safety"
    template_name = "cases/sections/field_safety.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (
            PlannedVisit,
            PoliceAction,
        )

    def applies(self, access: CaseAccess) -> bool:
        return access.full

    def context(self, case: Any, user: User, access: CaseAccess) -> dict[str, Any]:
        out = PlannedVisit.objects.restrict_to(case, user, Action.VIEW).filter(checked_in_at__isnull=True)
        visited = Contact.objects.filter(
            case=case, is_draft=False, outcome=Contact.Outcome.HELD, occurred_at__gte=OuterRef("occurred_at")
        )
        aftercare = (
            PoliceAction.objects.restrict_to(case, user, Action.VIEW)
            .final()
            .annotate(followed_up=Exists(visited))
            .order_by("-occurred_at")[:5]
        )
        met = people_met(case, user)
        return {
            "visits_out": later(case, out.select_related("visitor")),
            "aftercare": later(case, aftercare),
            "people_met": met.people,
            "new_faces": met.new_faces,
        }


class MyVisitsOut(HomeSection):
    """The visits the user is out on: one big button to say they are back safe (decision 134)."""

    name = "visits_out"
    template_name = "cases/sections/visits_out.html"

    def context(self, user: User, request: HttpRequest) -> dict[str, Any]:
        visits = PlannedVisit.objects.restrict(user, Action.VIEW).filter(visitor=user, checked_in_at__isnull=True)
        return {"visits": list(visits.select_related("case__family").order_by("expected_back_at")[:10])}
