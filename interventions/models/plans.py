"""The intervention plan (step 7): goals, and the actions of three kinds that serve them."""

import operator
from functools import reduce

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agencies.access import Action, rules

from ..querysets import InterventionQuerySet, PlanActionQuerySet, PlanQuerySet

__all__ = ["MEASURES", "OPEN_STATUSES", "ActionType", "Goal", "InterventionPlan", "Measure", "PlanAction"]


class ActionType(models.TextChoices):
    PRAGMATIC = "pragmatic", _("Pragmatic")
    EMOTIONAL = "emotional_psychological", _("Emotional and psychological")
    IDEOLOGICAL = "ideological", _("Ideological")


class Measure(models.TextChoices):
    HOUSING = "housing", _("Housing")
    EMPLOYMENT = "employment", _("Employment")
    SCHOOL = "school", _("School")
    YOUTH_WELFARE = "youth_welfare", _("Mediation with youth welfare")
    SPORTS = "sports", _("Sports club")
    PARENT_CHILD = "parent_child_communication", _("Parent–child communication training")  # noqa: RUF001
    RELATIVES_GROUP = "relatives_support_group", _("Support group of close relatives")
    CREATIVE = "creative_activity", _("Creative activity")
    POSITIVE_INFLUENCER = "positive_influencer", _("Positive influencer (imam, teacher, mentor)")
    PSYCHOLOGICAL_CARE = "psychological_care", _("Psychological or psychiatric care")
    TRAUMA_CARE = "trauma_care", _("Trauma care")
    ACCEPTANCE = "acceptance_conversation", _("Acceptance-based conversation")
    IDEOLOGICAL_EXPERT = "ideological_expert", _("Theological or ideological expert")
    FORMER_EXTREMIST = "former_extremist", _("Former extremist")
    EXIT_PROGRAMME = "exit_programme", _("Exit programme")


# The measures of each kind (guidance, step 7, after Rabasa as used by Hayat).
MEASURES: dict[str, tuple[str, ...]] = {
    ActionType.PRAGMATIC: (Measure.HOUSING, Measure.EMPLOYMENT, Measure.SCHOOL, Measure.YOUTH_WELFARE, Measure.SPORTS),
    ActionType.EMOTIONAL: (
        Measure.PARENT_CHILD,
        Measure.RELATIVES_GROUP,
        Measure.CREATIVE,
        Measure.POSITIVE_INFLUENCER,
        Measure.PSYCHOLOGICAL_CARE,
        Measure.TRAUMA_CARE,
    ),
    ActionType.IDEOLOGICAL: (
        Measure.ACCEPTANCE,
        Measure.IDEOLOGICAL_EXPERT,
        Measure.FORMER_EXTREMIST,
        Measure.EXIT_PROGRAMME,
    ),
}
OPEN_STATUSES = ("planned", "in_progress")


class InterventionPlan(models.Model):
    """The plan of support for a family (step 7), tailored to the assessed risks and needs and run
    with the family's agreement: participation is voluntary.

    One plan per case is active; a new plan replaces it, and the old one is kept.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft: waiting for the family's agreement")
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("The family withdrew")
        COMPLETED = "completed", _("Completed")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="intervention_plans", verbose_name=_("case")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(
        _("what the plan is for"),
        blank=True,
        help_text=_("The risks and needs it answers, in a few words."),
    )
    agreed_by_family = models.BooleanField(_("the family agreed"), default=False)
    agreed_by = models.CharField(
        _("agreed by"), max_length=200, blank=True, help_text=_("Who in the family agreed: for example, the mother.")
    )
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("replaced by")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PlanQuerySet.as_manager()
    access_rule = rules.case_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("intervention plan")
        verbose_name_plural = _("intervention plans")
        indexes = [models.Index(fields=["case", "status"], name="interventions_plan_case_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="active"),
                name="%(app_label)s_%(class)s_one_active_per_case",
                violation_error_message=_("The case already has an active plan."),
            ),
            models.CheckConstraint(
                condition=models.Q(agreed_by_family=False)
                | (~models.Q(agreed_by="") & models.Q(agreed_on__isnull=False)),
                name="%(app_label)s_%(class)s_agreement_recorded",
                violation_error_message=_("Say who in the family agreed to the plan, and when."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(agreed_by_family=True),
                name="%(app_label)s_%(class)s_runs_with_agreement",
                violation_error_message=_("A plan runs only with the family's agreement."),
            ),
        ]

    def __str__(self) -> str:
        when = self.started_on or (timezone.localtime(self.created_at).date() if self.created_at else None)
        day = date_format(when, "SHORT_DATE_FORMAT") if when else "—"
        return str(_("Intervention plan of %(date)s") % {"date": day})

    def get_absolute_url(self) -> str:
        return reverse("interventions:entry", args=[self.case_id, "interventionplan", self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Goal(models.Model):
    """One goal of a plan, in the words agreed with the family."""

    plan = models.ForeignKey(InterventionPlan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan"))
    # The plan's case, repeated so that the goal is reached through its case (access rule "case_child").
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    text = models.CharField(_("goal"), max_length=500)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    objects = InterventionQuerySet.as_manager()
    access_rule = rules.case_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["plan", "position", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"],
                name="%(app_label)s_%(class)s_unique_position",
                violation_error_message=_("Two goals of a plan cannot share a position."),
            )
        ]

    def __str__(self) -> str:
        return self.text


class PlanAction(models.Model):
    """An action serving a goal: one of the three kinds of tools of step 7, provided by a partner
    agency (and a person there, or someone it names) between two dates.

    An action past its due date and neither done nor cancelled shows as lapsed.
    """

    Type = ActionType
    Measure = Measure

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", pgettext_lazy("plan action status", "Cancelled")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions", verbose_name=_("goal"))
    # Set by the service from the goal: the access rule reads the case (and the provider agency).
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    type = models.CharField(_("kind"), max_length=32, choices=Type.choices)
    measure = models.CharField(_("measure"), max_length=32, choices=Measure.choices)
    provider_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("provided by")
    )
    provider_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person at the agency"),
    )
    provider_note = models.CharField(
        _("who else"),
        max_length=200,
        blank=True,
        help_text=_("Someone the agency works with: a theological expert, a mentor, a trauma therapist."),
    )
    provider_expert = models.ForeignKey(
        "agencies.Expert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("expert"),
        help_text=_("An expert of the register who provides the action."),
    )
    # The family member the action is for (a child's schooling, a mother's support group).
    beneficiary = models.ForeignKey(
        "families.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for whom in the family"),
    )
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    due_on = models.DateField(_("due on"))
    intended_outcome = models.TextField(_("intended outcome"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status changed by"),
    )

    objects = PlanActionQuerySet.as_manager()
    access_rule = rules.plan_action
    read_action = Action.VIEW

    class Meta:
        ordering = ["goal", "starts_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [
            models.Index(fields=["case", "status", "due_on"], name="interventions_action_due_idx"),
            # The reminder sweep's date range over every open action (reminders.kinds.PlanActionDue).
            models.Index(
                fields=["due_on"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="interventions_action_open_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("starts_on")),
                name="%(app_label)s_%(class)s_due_after_start",
                violation_error_message=_("An action is due on or after the day it starts."),
            ),
            models.CheckConstraint(
                condition=reduce(
                    operator.or_,
                    (models.Q(type=kind, measure__in=measures) for kind, measures in MEASURES.items()),
                ),
                name="%(app_label)s_%(class)s_measure_fits_type",
                violation_error_message=_("This measure is not of the kind chosen."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} · {self.provider_agency}"

    def get_absolute_url(self) -> str:
        return reverse("interventions:entry", args=[self.case_id, "planaction", self.pk])

    @property
    def is_open(self) -> bool:
        """Still to be carried out: planned or under way."""
        return self.status in OPEN_STATUSES

    @property
    def is_lapsed(self) -> bool:
        """Past its due date and neither done nor cancelled (the queryset's `.lapsed()`)."""
        return self.status in OPEN_STATUSES and self.due_on < timezone.localdate()
