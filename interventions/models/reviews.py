"""Monitoring the plan (step 8): reviews with the progress of each goal, and the family's
withdrawal from the plan."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from agencies.access import Action, rules
from cases.risk import RiskLevel

from ..querysets import InterventionQuerySet
from .closures import KeepsCasePanel, Typology
from .plans import Goal, InterventionPlan

__all__ = ["GoalProgress", "Review", "Withdrawal"]


class Review(models.Model):
    """A review of the active plan (step 8): what changed, the risk level on the common scale
    (which becomes the case's), and when the next review is due (which becomes the case's)."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="plan_reviews", verbose_name=_("case")
    )
    plan = models.ForeignKey(InterventionPlan, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("plan"))
    held_on = models.DateField(_("held on"))
    changes_since_last = models.TextField(
        _("what changed since the last review"),
        blank=True,
        help_text=_("In the family, around the person, in the concerns; negative trends too."),
    )
    risk_level = models.CharField(_("risk level"), max_length=16, choices=RiskLevel.choices)
    next_review_on = models.DateField(_("next review"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = InterventionQuerySet.as_manager()
    access_rule = rules.case_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        indexes = [models.Index(fields=["case", "-held_on"], name="interventions_review_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(next_review_on__gt=models.F("held_on")),
                name="%(app_label)s_%(class)s_next_after_held",
                violation_error_message=_("The next review comes after this one."),
            ),
            # One review of a plan a day: a form sent twice records it once.
            models.UniqueConstraint(
                fields=["plan", "held_on"],
                name="%(app_label)s_%(class)s_one_per_day",
                violation_error_message=_("This plan already has a review on that day."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Plan review of %(date)s") % {"date": date_format(self.held_on, "SHORT_DATE_FORMAT")})

    def get_absolute_url(self) -> str:
        return reverse("interventions:entry", args=[self.case_id, "review", self.pk])


class GoalProgress(models.Model):
    """How far one goal of the plan has come, as judged at a review."""

    class Progress(models.TextChoices):
        NONE = "none", _("No progress")
        SOME = "some", _("Some progress")
        GOOD = "good", _("Good progress")
        ACHIEVED = "achieved", _("Achieved")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="progress", verbose_name=_("review"))
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="progress", verbose_name=_("goal"))
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    progress = models.CharField(_("progress"), max_length=16, choices=Progress.choices)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    objects = InterventionQuerySet.as_manager()
    access_rule = rules.case_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["review", "goal__position", "pk"]
        verbose_name = _("progress on a goal")
        verbose_name_plural = _("progress on goals")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "goal"],
                name="%(app_label)s_%(class)s_one_per_goal",
                violation_error_message=_("A review records each goal's progress once."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.get_progress_display()}"


class Withdrawal(KeepsCasePanel):
    """The family withdrew from the plan (step 8): participation is voluntary. It is its own
    outcome, not a closure: the case stays open, the family is told the door stays open, and in
    high-risk cases security checks go on."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="withdrawals", verbose_name=_("case"))
    plan = models.ForeignKey(
        InterventionPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawals",
        verbose_name=_("plan"),
    )
    withdrawn_on = models.DateField(_("withdrew on"))
    reason = models.TextField(_("why the family withdrew"), help_text=_("As the family put it, where possible."))
    open_door_message = models.TextField(
        _("what the family was told"),
        help_text=_("That the door stays open: who they can call, and that help is still there."),
    )
    security_followup = models.BooleanField(
        _("security follow-up continues"),
        default=False,
        help_text=_("Required when the risk is high or critical: the police's security checks go on."),
    )
    typology = models.CharField(
        _("what the case turned out to be"), max_length=32, choices=Typology.choices, blank=True
    )
    family_feedback = models.TextField(
        _("the family's own feedback"), blank=True, help_text=_("In the family's words, if they gave any.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = InterventionQuerySet.as_manager()
    access_rule = rules.case_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["-withdrawn_on", "-pk"]
        verbose_name = _("withdrawal from the plan")
        verbose_name_plural = _("withdrawals from the plan")
        indexes = [models.Index(fields=["panel", "withdrawn_on"], name="interventions_withdrew_pnl_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason="") & ~models.Q(open_door_message=""),
                name="%(app_label)s_%(class)s_reason_and_message",
                violation_error_message=_("Say why the family withdrew and what they were told."),
            )
        ]

    def __str__(self) -> str:
        return str(_("Withdrawal of %(date)s") % {"date": date_format(self.withdrawn_on, "SHORT_DATE_FORMAT")})

    def get_absolute_url(self) -> str:
        return reverse("interventions:entry", args=[self.case_id, "withdrawal", self.pk])
