"""Referrals: a concern about a person, arriving through any channel (step 1)."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import Action, RestrictedQuerySet

__all__ = ["Referral"]

TRIAGE_WITHIN = datetime.timedelta(hours=24)  # seed 001, step 4: be able to respond within 24 hours


class Referral(models.Model):
    """A concern reported about a person; triaged within 24 hours, then closed, put to a panel or
    turned into a case."""

    class Channel(models.TextChoices):
        POLICE = "police", _("Police")
        GENERAL_HOTLINE = "general_hotline", _("General hotline")
        DEDICATED_HOTLINE = "dedicated_hotline", _("Dedicated hotline")
        INFORMAL_NETWORK = "informal_network", _("Informal network (mosque, sports club, online)")
        PROFESSIONAL = "professional", _("Another professional")
        FAMILY_OR_FRIEND = "family_or_friend", _("Family or friend")
        NEIGHBOUR = "neighbour", _("Neighbour")
        SELF = "self", _("The person themself")

    class Ideology(models.TextChoices):
        RELIGIOUS = "religious", _("Religiously inspired")
        RIGHT_WING = "right_wing", _("Right-wing")
        LEFT_WING = "left_wing", _("Left-wing")
        NATIONALIST = "nationalist", _("Nationalist")
        OTHER = "other", _("Other")
        UNCLEAR = "unclear", _("Unclear")

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        URGENT = "urgent", _("Urgent")

    class Decision(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", _("No further action")
        ADVICE_GIVEN = "advice_given", _("Advice given to the reporter")
        SIGNPOSTED = "signposted", _("Signposted to another service")
        GATHER_INFORMATION = "gather_information", _("Gather more information")
        PANEL_AGENDA = "panel_agenda", _("Put on the panel's agenda")
        OPEN_CASE = "open_case", _("Open a case at once")

    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_by = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("received by")
    )
    reporter_anonymous = models.BooleanField(_("reporter stays anonymous"), default=False)
    concern = models.TextField(_("what was observed"))
    ideology = models.CharField(_("ideology"), max_length=32, choices=Ideology.choices, default=Ideology.UNCLEAR)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    family = models.ForeignKey(
        "families.Family", on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    panel = models.ForeignKey(
        "agencies.Panel", on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    triage_due_at = models.DateTimeField(_("triage due at"), db_index=True)
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(_("triage decision"), max_length=32, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = "referral"
    read_action = Action.VIEW

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(triaged_at__isnull=True, decision="")
                | models.Q(triaged_at__isnull=False, triaged_by__isnull=False) & ~models.Q(decision=""),
                name="%(app_label)s_%(class)s_triage_complete",
                violation_error_message=_("A triage records its decision, who took it and when."),
            )
        ]

    def __str__(self) -> str:
        return _("Referral of %(date)s") % {"date": timezone.localtime(self.received_at).strftime("%Y-%m-%d %H:%M")}

    def save(self, *args: object, **kwargs: object) -> None:
        if self.triage_due_at is None:
            self.triage_due_at = self.received_at + TRIAGE_WITHIN
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_triaged(self) -> bool:
        return self.triaged_at is not None
