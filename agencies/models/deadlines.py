"""A panel's deadlines (design.md §4): beside the panel, so that every app that sets a due date
reads them without importing the reminder sweep (decision 48)."""

import dataclasses

from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import deadlines
from ..access import RestrictedQuerySet, rules
from .organisations import Panel

__all__ = ["PanelReminderSettings"]


class PanelReminderSettings(models.Model):
    """A panel's deadlines (design.md §4), set by its coordinator; a panel without a row uses the
    defaults below, and so do cases that sit on no panel."""

    panel = models.OneToOneField(
        Panel, on_delete=models.CASCADE, related_name="reminder_settings", verbose_name=_("panel")
    )
    triage_hours = models.PositiveSmallIntegerField(_("triage a referral within (hours)"), default=24)
    first_contact_days = models.PositiveSmallIntegerField(_("first contact within (days)"), default=7)
    needs_assessment_working_days = models.PositiveSmallIntegerField(
        _("needs assessment within (working days after first contact)"), default=45
    )
    review_months = models.PositiveSmallIntegerField(_("plan review every (months)"), default=3)
    agenda_notice_days = models.PositiveSmallIntegerField(_("send the agenda (days before a meeting)"), default=2)
    due_soon_days = models.PositiveSmallIntegerField(_("remind (days before a deadline)"), default=2)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate to supervisors and the coordinator after (days overdue)"), default=3
    )
    silence_days = models.PositiveSmallIntegerField(
        _("put a case on the next agenda after (days without contact)"), default=42
    )
    # "No contact for N days" by the case's risk level (a case not yet assessed: moderate).
    no_contact_days_critical = models.PositiveSmallIntegerField(
        _("no contact with a family at critical risk for (days)"), default=7
    )
    no_contact_days_high = models.PositiveSmallIntegerField(
        _("no contact with a family at high risk for (days)"), default=14
    )
    no_contact_days_moderate = models.PositiveSmallIntegerField(
        _("no contact with a family at moderate risk for (days)"), default=28
    )
    no_contact_days_low = models.PositiveSmallIntegerField(
        _("no contact with a family at low risk for (days)"), default=56
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.panel_child

    class Meta:
        ordering = ["panel"]
        verbose_name = _("panel reminder settings")
        verbose_name_plural = _("panel reminder settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    triage_hours__gte=1,
                    first_contact_days__gte=1,
                    review_months__gte=1,
                    silence_days__gte=1,
                    no_contact_days_critical__gte=1,
                    no_contact_days_high__gte=1,
                    no_contact_days_moderate__gte=1,
                    no_contact_days_low__gte=1,
                ),
                name="%(app_label)s_%(class)s_positive",
                violation_error_message=_("A deadline is at least one hour or day away."),
            )
        ]

    def __str__(self) -> str:
        return str(self.panel)

    @classmethod
    def timing_for(cls, panel_id: int | None) -> deadlines.Timing:
        """The deadlines of a panel (the defaults for no panel, or a panel that set none)."""
        fields = [f.name for f in dataclasses.fields(deadlines.Timing)]
        row = cls.objects.filter(panel_id=panel_id).values(*fields).first() if panel_id else None
        return deadlines.Timing(**row) if row else deadlines.DEFAULTS
