"""Reducing involvement (step 9): the multi-agency decision to close, the post-exit follow-ups,
and reopening (the door stays open)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from agencies.access import Action, rules

from ..querysets import FollowUpQuerySet, InterventionQuerySet

__all__ = ["Closure", "ClosureAgreement", "FollowUp", "GoalOutcome", "Typology"]


class Typology(models.TextChoices):
    """What the case turned out to be, said when it closes or the family withdraws: many concerns
    turn out to be rebellion, provocation or a sincere new faith, and that outcome counts too
    (domain, step 1; the evaluation of step 10)."""

    NOT_RADICALISATION = "not_radicalisation", _("Not radicalisation: rebellion, provocation or a new faith")
    VULNERABLE = "vulnerable", _("Vulnerable to radicalisation")
    RADICALISED = "radicalised", _("Radicalised")
    ACTED = "acted", _("Acted on extremist views: left to join a group, violence, an offence")
    RETURNEE = "returnee", _("Returnee, or a family back from a conflict area")
    OTHER = "other", _("Other")


class KeepsCasePanel(models.Model):
    """A row that keeps its case's panel beside it, so that the panel's board counts these rows by
    their own index (decision 172): taken from the case whenever a row is added through `save()`
    (the services, `objects.create`, a test's helper), as a case keeps its index person's keys;
    `loaddata` and `bulk_create` pass it by, and nothing makes these rows so. A case's panel is set
    when it opens and never moved, and a panel deleted empties both."""

    panel = models.ForeignKey(
        "agencies.Panel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        db_index=False,
        related_name="+",
        verbose_name=_("panel"),
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:
            self.panel_id = self.case.panel_id  # type: ignore[attr-defined]
        super().save(*args, **kwargs)


class Closure(KeepsCasePanel):
    """The decision to close a case (step 9): the goals are met and the family can go on alone,
    judged by several agencies together. Kept when the case is reopened, with why."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="closures", verbose_name=_("case"))
    decided_on = models.DateField(_("decided on"))
    reason = models.TextField(
        _("why the case closes"), help_text=_("The goals met; why the family can go on alone; what stays in place.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    reopen_reason = models.TextField(_("why the case was reopened"), blank=True)
    typology = models.CharField(
        _("what the case turned out to be"), max_length=32, choices=Typology.choices, blank=True
    )
    family_feedback = models.TextField(
        _("the family's own feedback"), blank=True, help_text=_("In the family's words, if they gave any.")
    )

    objects = InterventionQuerySet.as_manager()
    access_rule = rules.case_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        # The panel's board: closures decided, and reopened, in its quarters (decision 172).
        indexes = [
            models.Index(fields=["panel", "decided_on"], name="interventions_closed_panel_idx"),
            models.Index(
                fields=["panel", "reopened_at"],
                condition=models.Q(reopened_at__isnull=False),
                name="interventions_reopen_panel_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(reopened_at__isnull=True),
                name="%(app_label)s_%(class)s_one_standing_per_case",
                violation_error_message=_("The case is already closed."),
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="%(app_label)s_%(class)s_reason_given",
                violation_error_message=_("Say why the case closes."),
            ),
            models.CheckConstraint(
                condition=models.Q(reopened_at__isnull=True) | ~models.Q(reopen_reason=""),
                name="%(app_label)s_%(class)s_reopen_reason_given",
                violation_error_message=_("Say why the case is reopened."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Closure of %(date)s") % {"date": date_format(self.decided_on, "SHORT_DATE_FORMAT")})

    def get_absolute_url(self) -> str:
        return reverse("interventions:entry", args=[self.case_id, "closure", self.pk])

    @property
    def stands(self) -> bool:
        """Whether the case is still closed by this decision (not reopened since)."""
        return self.reopened_at is None


class ClosureAgreement(models.Model):
    """One agency's agreement to a closure, given by one of its people: a closure needs at least
    two agencies, the owning agency among them."""

    closure = models.ForeignKey(Closure, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("closure"))
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("agreed by")
    )
    agreed_on = models.DateField(_("agreed on"))

    objects = InterventionQuerySet.as_manager()
    access_rule = rules.case_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["closure", "agency__name", "pk"]
        verbose_name = _("agreement to close")
        verbose_name_plural = _("agreements to close")
        constraints = [
            models.UniqueConstraint(
                fields=["closure", "user"],
                name="%(app_label)s_%(class)s_once_per_person",
                violation_error_message=_("Each person agrees to a closure once."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency}"


class FollowUp(models.Model):
    """A post-exit follow-up contact, 6 and 12 months after closure (design.md §4): the door stays
    open, and a person who said what professionals wanted to hear is seen again."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("case"))
    closure = models.ForeignKey(Closure, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("closure"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    contact = models.ForeignKey(
        "cases.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact recorded"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()
    access_rule = rules.case_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("post-exit follow-up")
        verbose_name_plural = _("post-exit follow-ups")
        # The reminder sweep (design.md §4): follow-ups still to make, by due date.
        indexes = [
            models.Index(
                fields=["due_on"], condition=models.Q(done_on__isnull=True), name="interventions_followup_due_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["closure", "due_on"],
                name="%(app_label)s_%(class)s_unique_due",
                violation_error_message=_("This follow-up is already scheduled."),
            ),
            models.CheckConstraint(
                condition=models.Q(done_on__isnull=True) | models.Q(done_by__isnull=False),
                name="%(app_label)s_%(class)s_done_by_someone",
                violation_error_message=_("Say who made the follow-up."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Follow-up due %(date)s") % {"date": date_format(self.due_on, "SHORT_DATE_FORMAT")})

    def get_absolute_url(self) -> str:
        return reverse("interventions:entry", args=[self.case_id, "followup", self.pk])

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class GoalOutcome(models.Model):
    """How far one goal of the plan was reached when the case closed or the family withdrew. The
    outcome is counted for the evaluation; the note is the file's content."""

    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", _("Achieved")
        PARTLY = "partly", _("Partly achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    goal = models.ForeignKey(
        "interventions.Goal", on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("goal")
    )
    closure = models.ForeignKey(
        Closure, on_delete=models.CASCADE, null=True, blank=True, related_name="outcomes", verbose_name=_("closure")
    )
    withdrawal = models.ForeignKey(
        "interventions.Withdrawal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name=_("withdrawal"),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = InterventionQuerySet.as_manager()
    access_rule = rules.case_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["goal__position", "pk"]
        verbose_name = _("outcome of a goal")
        verbose_name_plural = _("outcomes of goals")
        indexes = [models.Index(fields=["case", "outcome"], name="interventions_outcome_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closure__isnull=True, withdrawal__isnull=False)
                | models.Q(closure__isnull=False, withdrawal__isnull=True),
                name="%(app_label)s_%(class)s_closure_or_withdrawal",
                violation_error_message=_("An outcome is recorded at a closure or at a withdrawal."),
            ),
            models.UniqueConstraint(
                fields=["closure", "goal"],
                name="%(app_label)s_%(class)s_unique_closure_goal",
                violation_error_message=_("Each goal's outcome is recorded once."),
            ),
            models.UniqueConstraint(
                fields=["withdrawal", "goal"],
                name="%(app_label)s_%(class)s_unique_withdrawal_goal",
                violation_error_message=_("Each goal's outcome is recorded once."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.get_outcome_display()}"
