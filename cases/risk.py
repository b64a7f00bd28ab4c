"""The common language for risk levels (step 6): one scale for every partner, defined here only."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["RISK_CRITERIA", "RiskLevel"]


class RiskLevel(models.TextChoices):
    NOT_ASSESSED = "not_assessed", _("Not assessed")
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


RISK_CRITERIA = {
    RiskLevel.NOT_ASSESSED: _("No assessment has been recorded yet."),
    RiskLevel.LOW: _(
        "Concerns are present but there are no signs of support for violence; protective factors outweigh them."
    ),
    RiskLevel.MODERATE: _(
        "Growing engagement with an extremist group or ideology, or isolation from family and school; "
        "no known intent to act."
    ),
    RiskLevel.HIGH: _(
        "Expressed support for violence, contact with recruiters, or plans to travel to a conflict zone."
    ),
    RiskLevel.CRITICAL: _(
        "An attack or departure may be imminent, or professionals or family members may be in danger: "
        "the police lead the response now."
    ),
}
