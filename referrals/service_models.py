"""Services out (issue 14): the directory of services a family can be referred to, and each referral
to one of them, followed from sent to done.

A plan's action (interventions) or a triage that signposts (referrals) becomes a `ServiceReferral`
to a listed `SupportService`. The referrals app holds both, so that triage, which stands below the
plans, refers too; a plan's action is named by its table (decision 129).
"""

import datetime
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import Action, RestrictedQuerySet, rules

__all__ = [
    "HelpKind",
    "Median",
    "ServiceReferral",
    "ServiceReferralQuerySet",
    "SupportService",
    "SupportServiceQuerySet",
]


class HelpKind(models.TextChoices):
    """The three kinds of tools of step 7, as the plan's actions name them."""

    PRAGMATIC = "pragmatic", _("Pragmatic")
    EMOTIONAL = "emotional_psychological", _("Emotional and psychological")
    IDEOLOGICAL = "ideological", _("Ideological")


class Median(models.Aggregate):
    """The median of a column, computed by the database: PostgreSQL's `percentile_cont`; on SQLite
    the `median` aggregate that `referrals.apps` registers on each connection."""

    function = "median"
    name = "Median"
    output_field = models.FloatField()
    allow_distinct = False

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)",
            **extra_context,
        )


class SupportServiceQuerySet(RestrictedQuerySet):
    def listed(self) -> Self:
        """Services still taking referrals."""
        return self.filter(active=True)

    def with_waiting(self) -> Self:
        """Each service with the median days its referrals waited from sent to started, and how many
        families wait now (sent or accepted, not yet started): one grouped query."""
        waiting = Q(referrals__status__in=ServiceReferral.WAITING_STATUSES)
        # Ordered again: a grouped query drops the model's default ordering.
        return self.annotate(
            median_waited_days=Median("referrals__waited_days"),
            started_count=Count("referrals", filter=Q(referrals__waited_days__isnull=False)),
            waiting_count=Count("referrals", filter=waiting),
        ).order_by("name", "pk")


class SupportService(models.Model):
    """A service a family can be referred to: an agency in Ura (whose members then answer the
    referrals themselves) or an organisation outside it. Listed by a panel's coordinator, read by
    every member of a partner agency.

    The contact point is a desk or a switchboard, never a worker's own phone or e-mail (step 10:
    the safety of the professionals)."""

    panel = models.ForeignKey(
        "agencies.Panel", on_delete=models.CASCADE, related_name="services", verbose_name=_("listed by the panel")
    )
    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("agency in Ura"),
        help_text=_("Its members answer the referrals in Ura. Leave empty for an organisation outside Ura."),
    )
    help_kind = models.CharField(_("kind of help"), max_length=32, choices=HelpKind.choices)
    help_offered = models.CharField(
        _("help offered"), max_length=300, blank=True, help_text=_("For example: trauma care for children.")
    )
    languages = models.CharField(
        _("languages"), max_length=200, blank=True, help_text=_("The languages the service works in.")
    )
    area = models.CharField(_("area served"), max_length=200, blank=True)
    stated_waiting_days = models.PositiveSmallIntegerField(
        _("waiting time it states (days)"), null=True, blank=True, help_text=_("As the service itself states it.")
    )
    contact_point = models.CharField(
        _("contact point"),
        max_length=300,
        blank=True,
        help_text=_("A desk, a switchboard or a shared address: never a worker's own phone or e-mail."),
    )
    active = models.BooleanField(_("takes referrals"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SupportServiceQuerySet.as_manager()
    access_rule = rules.service_directory
    read_action = Action.VIEW

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("The directory already lists a service of this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("referrals:service", args=[self.pk])


class ServiceReferralQuerySet(RestrictedQuerySet):
    def waiting(self) -> Self:
        return self.filter(status__in=ServiceReferral.WAITING_STATUSES)


class ServiceReferral(models.Model):
    """A family referred to a listed service: sent, accepted or declined (and why), waiting, started,
    done. It hangs off a case (a plan's action) or a referral (a triage that signposted).

    What the service reads is this row alone: who it is for and what is asked, written for the
    service by whoever referred; never the case file (the `service_referral` rule)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        STARTED = "started", _("Started")
        DONE = "done", _("Done")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    WAITING_STATUSES = ("sent", "accepted")
    # The moves each status allows (the provider's answer, then its part; the referrer withdraws).
    MOVES: dict[str, tuple[str, ...]] = {
        "sent": ("accepted", "declined", "withdrawn"),
        "accepted": ("started", "declined", "withdrawn"),
        "started": ("done",),
        "declined": (),
        "done": (),
        "withdrawn": (),
    }

    service = models.ForeignKey(
        SupportService, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("service")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_referrals",
        verbose_name=_("referral"),
    )
    plan_action = models.ForeignKey(
        "interventions.PlanAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plan action"),
    )
    for_whom = models.CharField(
        _("for whom"), max_length=200, help_text=_("The name the service needs to reach the person.")
    )
    request = models.TextField(
        _("what the service is asked"),
        help_text=_("Written for the service: it reads this, never the case file."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SENT)
    sent_on = models.DateField(_("sent on"), default=timezone.localdate)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    expected_start_on = models.DateField(_("expected to start on"), null=True, blank=True)
    declined_reason = models.TextField(_("why it was declined"), blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    # Days from sent to started, written when it starts: the directory's median reads it.
    waited_days = models.PositiveIntegerField(_("days waited"), null=True, blank=True, editable=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last updated by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ServiceReferralQuerySet.as_manager()
    access_rule = rules.service_referral
    read_action = Action.VIEW

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = _("referral to a service")
        verbose_name_plural = _("referrals to services")
        indexes = [
            models.Index(fields=["service", "status"], name="referrals_servref_status_idx"),
            models.Index(fields=["case", "-sent_on"], name="referrals_servref_case_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(referral__isnull=False),
                name="%(app_label)s_%(class)s_has_subject",
                violation_error_message=_("A referral to a service comes from a case or a referral."),
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(declined_reason=""),
                name="%(app_label)s_%(class)s_declined_has_reason",
                violation_error_message=_("Say why the service declined."),
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=models.F("sent_on")),
                name="%(app_label)s_%(class)s_starts_after_sent",
                violation_error_message=_("The help cannot start before the referral was sent."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("%(service)s for %(person)s") % {"service": self.service, "person": self.for_whom})

    def get_absolute_url(self) -> str:
        return reverse("referrals:service_referral", args=[self.pk])

    @property
    def is_waiting(self) -> bool:
        return self.status in self.WAITING_STATUSES

    @property
    def waiting_days(self) -> int | None:
        """Days the family waits or waited: sent to started once it started; else sent to the
        expected start the service gave, or to today while nothing is known; None once declined or
        withdrawn before starting."""
        if self.waited_days is not None:
            return self.waited_days
        if not self.is_waiting:
            return None
        until: datetime.date = self.expected_start_on or timezone.localdate()
        return max((until - self.sent_on).days, 0)

    def allows(self, status: str) -> bool:
        return status in self.MOVES.get(self.status, ())
