"""Small presentation helpers for case pages."""

from django import template
from django.utils import timezone

from ..risk import RISK_CRITERIA, RiskLevel

register = template.Library()

_RISK_CLASSES = {
    RiskLevel.NOT_ASSESSED: "text-bg-secondary",
    RiskLevel.LOW: "text-bg-success",
    RiskLevel.MODERATE: "text-bg-warning",
    RiskLevel.HIGH: "text-bg-danger",
    RiskLevel.CRITICAL: "text-bg-dark",
}


@register.inclusion_tag("cases/_risk_badge.html")
def risk_badge(level: str) -> dict[str, object]:
    """The risk level as a badge: the word is always shown, colour is only a second cue."""
    risk = RiskLevel(level)
    return {"label": risk.label, "css": _RISK_CLASSES[risk], "criteria": RISK_CRITERIA[risk]}


@register.filter
def is_past(value: object) -> bool:
    """Whether a date lies before today (an overdue review)."""
    return value is not None and value < timezone.localdate()  # type: ignore[operator]
