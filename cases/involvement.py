"""Which agencies are involved in a case, why, and at which level (step 6; seed 001, step 4:
"for each case it must be clear which actors are involved and why")."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from agencies.models import Membership, Panel, User

from .models import Case, CaseShare

__all__ = ["Involvement", "involved_agency_ids", "involved_people", "involvement"]


def involved_agency_ids(case: Case) -> set[int]:
    """The agencies working the case: the owning agency, those holding a current share, and those
    on its panel."""
    agencies = {case.owning_agency_id, *case.shares.current().values_list("agency_id", flat=True)}
    if case.panel_id:
        agencies |= set(
            Panel.agencies.through.objects.filter(panel_id=case.panel_id).values_list("agency_id", flat=True)
        )
    return agencies


def involved_people(case: Case, agencies: set[int] | None = None) -> QuerySet[User]:
    """People who may provide an action or agree to a decision on the case: those with a case or
    panel role in an agency working it (not its administrators or data protection officers)."""
    agencies = involved_agency_ids(case) if agencies is None else agencies
    members = Membership.objects.filter(agency_id__in=agencies).exclude(role__in=Membership.NO_CASE_ROLES)
    return User.objects.filter(is_active=True, pk__in=members.values("user_id")).order_by("last_name", "first_name")


LEVELS = {"summary": 1, "full": 2}


@dataclass
class Involvement:
    agency: Any
    level: str
    why: list[str] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return str(CaseShare.Scope(self.level).label)


def involvement(case: Case, shares: list[CaseShare], *, with_reasons: bool) -> list[Involvement]:
    """The owning agency, the panel's agencies and every agency holding a current share, each
    with its level and why it is involved (owns the case, sits on the panel, shared on a basis).

    `with_reasons` adds each share's purpose, which is case content: for full readers only
    (`CaseAccess.reads_share_particulars`), never a summary-level manager such as the panel's
    coordinator (decision 15). Without it the basis of each share is still given.
    """
    rows: dict[int, Involvement] = {
        case.owning_agency_id: Involvement(
            case.owning_agency, "full", [_("Owns the case (owner: %(owner)s)") % {"owner": case.owner}]
        )
    }
    if case.panel is not None:
        for agency in case.panel.agencies.all():
            row = rows.setdefault(agency.pk, Involvement(agency, "summary"))
            row.why.append(_("Sits on the panel %(panel)s") % {"panel": case.panel})
    for share in shares:
        row = rows.setdefault(share.agency_id, Involvement(share.agency, share.scope))
        if LEVELS[share.scope] > LEVELS[row.level]:
            row.level = share.scope
        reason = _("Shared (%(basis)s)") % {"basis": share.get_basis_display()}
        if with_reasons and share.purpose:
            reason = f"{share.purpose} — {reason}"
        row.why.append(reason)
    owning = rows.pop(case.owning_agency_id)
    return [owning, *sorted(rows.values(), key=lambda row: row.agency.name)]
