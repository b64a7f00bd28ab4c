"""The safety of the professionals in the field (seed 000: "guarantee the safety of
professionals"): a visit planned with the time the visitor expects to be back, and their check-in.
A visit not checked in by then alerts the visitor, then their supervisor (reminders.kinds.MissedCheckIn).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from agencies.access import Action, RestrictedQuerySet, rules

from .case import Case

__all__ = ["PlannedVisit"]


class PlannedVisit(models.Model):
    """A worker going out to a family: where to (the case), when they expect to be back, and
    when they said they were back. Read by the case team; checked in by the visitor."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="planned_visits", verbose_name=_("case"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("visitor")
    )
    # The agency the visitor went for: its supervisors are alerted when no check-in comes.
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    leaves_at = models.DateTimeField(_("leaving at"), default=timezone.now)
    expected_back_at = models.DateTimeField(_("expected back by"))
    with_colleague = models.CharField(
        _("with whom"), max_length=200, blank=True, help_text=_("The colleague or police officer going too, if any.")
    )
    checked_in_at = models.DateTimeField(_("back safe at"), null=True, blank=True)
    created_at = models.DateTimeField(_("planned at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.case_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["-expected_back_at", "-pk"]
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        indexes = [
            models.Index(
                fields=["expected_back_at"], name="cases_visit_back_idx", condition=models.Q(checked_in_at=None)
            ),
            models.Index(fields=["visitor", "checked_in_at"], name="cases_visit_visitor_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expected_back_at__gt=models.F("leaves_at")),
                name="%(app_label)s_%(class)s_back_after_leaving",
                violation_error_message=_("The time you expect to be back must come after you leave."),
            )
        ]

    def __str__(self) -> str:
        back = date_format(timezone.localtime(self.expected_back_at), "SHORT_DATETIME_FORMAT")
        return str(_("Visit, back by %(time)s") % {"time": back})

    def get_absolute_url(self) -> str:
        return reverse("cases:case", kwargs={"pk": self.case_id})

    @property
    def is_out(self) -> bool:
        return self.checked_in_at is None
