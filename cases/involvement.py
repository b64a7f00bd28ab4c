"""Which agencies are involved in a case, why, and at which level (step 6; seed 001, step 4:
"for each case it must be clear which actors are involved and why")."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .models import Case, CaseShare

__all__ = ["Involvement", "involvement"]

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
    """The owning agency, the panel's agencies and every agency holding a current share.

    `with_reasons` adds what the shares say about why (case content, for full readers and those
    who manage the case); otherwise only the kind of involvement is given.
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
