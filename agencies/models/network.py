"""The partnership beyond the agencies in Ura (seed 001, steps 1 and 2): the organisations a panel
counts on, has invited or still misses; the experts who are not users; the out-of-hours duty rota
of a panel's emergency plan (decisions 121-124)."""

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..access import RestrictedQuerySet, rules
from .organisations import Agency, Panel

__all__ = ["DutyShift", "Expert", "NetworkOrganisation", "NetworkSector"]


class NetworkSector(models.TextChoices):
    """The checklist of the network map: the document's list of who should take part."""

    POLICE = "police", _("Police")
    SOCIAL_SERVICES = "social_services", _("Social services")
    HEALTH = "health", _("Health")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    SCHOOLS = "schools", _("Schools")
    PRISONS = "prisons", _("Prisons")
    PROBATION = "probation", _("Probation")
    HOUSING = "housing", _("Housing")
    EMPLOYMENT = "employment", _("Employment")
    SPORTS = "sports", _("Sports")
    COUNSELLING = "counselling", _("Counselling")
    RELIGIOUS = "religious", _("Religious bodies")
    COMMUNITY = "community", _("Community bodies")
    YOUTH_WORK = "youth_work", _("Youth work")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    NGO = "ngo", _("NGOs")


# Where an agency in Ura stands on the checklist (an agency of sector "other" stands nowhere).
AGENCY_SECTORS: dict[str, str] = {
    Agency.Sector.POLICE: NetworkSector.POLICE,
    Agency.Sector.SOCIAL_CARE: NetworkSector.SOCIAL_SERVICES,
    Agency.Sector.MENTAL_HEALTH: NetworkSector.MENTAL_HEALTH,
    Agency.Sector.HEALTH: NetworkSector.HEALTH,
    Agency.Sector.EDUCATION: NetworkSector.SCHOOLS,
    Agency.Sector.LOCAL_AUTHORITY: NetworkSector.LOCAL_AUTHORITY,
    Agency.Sector.EMPLOYMENT: NetworkSector.EMPLOYMENT,
    Agency.Sector.HOUSING: NetworkSector.HOUSING,
    Agency.Sector.YOUTH_WORK: NetworkSector.YOUTH_WORK,
    Agency.Sector.NGO: NetworkSector.NGO,
    Agency.Sector.PROBATION: NetworkSector.PROBATION,
}


class NetworkOrganisation(models.Model):
    """An organisation on a panel's network map that is not (or not yet) a core agency of the
    panel: one taking part from outside Ura, one invited, one known to be missing."""

    class Status(models.TextChoices):
        TAKING_PART = "taking_part", _("Taking part")
        INVITED = "invited", _("Invited")
        MISSING = "missing", _("Missing")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="network", verbose_name=_("panel"))
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=32, choices=NetworkSector.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.INVITED)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency in Ura"),
        help_text=_("Only if the organisation already works in Ura."),
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.panel_child

    class Meta:
        ordering = ["panel", "sector", "name"]
        verbose_name = _("organisation of the network")
        verbose_name_plural = _("organisations of the network")
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("This organisation is already on the panel's network map."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class Expert(models.Model):
    """Someone the partners may consult who is not a user of Ura (seed 001: «involve experts when
    needed», a professor of Islamic faith, a trauma therapist). Not case data: what was shared
    with them is recorded on the case, as an expert consultation."""

    name = models.CharField(_("name"), max_length=200)
    field = models.CharField(_("field of expertise"), max_length=200)
    languages = models.CharField(_("languages"), max_length=200, blank=True, help_text=_("Comma-separated."))
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=50, blank=True)
    agencies = models.ManyToManyField(
        Agency,
        related_name="experts",
        blank=True,
        verbose_name=_("agencies that may consult them"),
    )
    # The information-sharing agreement of the register they work under: a consultation on a
    # basis other than consent names it (decision 123). By name: agreements live in `cases`.
    agreement = models.ForeignKey(
        "cases.SharingAgreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="experts",
        verbose_name=_("agreement they work under"),
        help_text=_("The information-sharing agreement of the register that covers their work."),
    )
    agreement_reference = models.CharField(
        _("note on their agreement"),
        max_length=200,
        blank=True,
        help_text=_("For example, the number of their confidentiality undertaking."),
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("available"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self) -> str:
        return f"{self.name} ({self.field})"


class DutyShift(models.Model):
    """Who is on call out of hours for a panel's emergency plan, for which agency, from when to
    when. A crisis referral reaches whoever is on duty at that moment (decision 124)."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="duty_shifts", verbose_name=_("panel"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="duty_shifts", verbose_name=_("on call")
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("for agency"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    phone = models.CharField(_("telephone on call"), max_length=50, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.panel_child

    LONGEST: ClassVar[datetime.timedelta] = datetime.timedelta(days=14)

    class Meta:
        ordering = ["panel", "starts_at", "pk"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="agencies_duty_when_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("A shift ends after it starts."),
            )
        ]

    def __str__(self) -> str:
        start = date_format(timezone.localtime(self.starts_at), "SHORT_DATETIME_FORMAT")
        end = date_format(timezone.localtime(self.ends_at), "SHORT_DATETIME_FORMAT")
        return f"{self.user} ({self.agency}) {start} - {end}"

    @classmethod
    def on_duty(cls, moment: datetime.datetime, panel_ids: "list[int] | None" = None) -> "models.QuerySet[DutyShift]":
        """The shifts running at `moment` (of these panels), for the alert that goes out then."""
        rows = cls.objects.filter(starts_at__lte=moment, ends_at__gt=moment, user__is_active=True)
        return rows.filter(panel_id__in=panel_ids) if panel_ids is not None else rows
