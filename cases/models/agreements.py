"""Information-sharing agreements between partner agencies (issue 13; seed 001, step 3: "brenda
një kuadri të rënë dakord"). A share, a panel's involvement or the six checks on a safeguarding or
legal-duty basis name the current agreement covering both agencies (decision 113)."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import Action, RestrictedQuerySet, rules

__all__ = ["SharingAgreement"]


def agreement_path(instance: "SharingAgreement", filename: str) -> str:
    # Stored under a random name: the original is kept in the row, never used as a path.
    return f"agreements/{instance.stored_name}"


class SharingAgreementQuerySet(RestrictedQuerySet):
    def current(self, on: datetime.date | None = None) -> "SharingAgreementQuerySet":
        """Signed, not ended, and not past its review date on `on` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(status=SharingAgreement.Status.CURRENT, review_on__gte=on)

    def covering(self, agencies: Iterable[Any], *, panel_id: int | None) -> "SharingAgreementQuerySet":
        """Those to which every one of `agencies` is a party (one join per agency: no duplicates),
        and which hold at the case's panel: an agreement that names panels covers only the cases
        on one of them (`panel_id`: the case's panel, or None for a case on no panel)."""
        qs = self
        for agency in {getattr(agency, "pk", agency) for agency in agencies}:
            qs = qs.filter(parties=agency)
        named = SharingAgreement.panels.through.objects.filter(sharingagreement_id=models.OuterRef("pk"))
        at_panel = models.Q(~models.Exists(named))
        if panel_id is not None:
            at_panel |= models.Q(models.Exists(named.filter(panel_id=panel_id)))
        return qs.filter(at_panel)


class SharingAgreement(models.Model):
    """An agreement under which partner agencies exchange information: its parties, its instrument,
    what for, which data, at which panels, signed by whom and when, reviewed when, and the document.

    Not case data: its register is read by the members of its parties and the coordinators of its
    panels (rule `sharing_agreement`), and changed by a coordinator or an agency administrator of a
    party. "Expired" is not stored: a current agreement past its review date is expired (`state`).
    """

    class Instrument(models.TextChoices):
        COVENANT = "covenant", _("Covenant")
        LETTER_OF_INTENT = "letter_of_intent", _("Letter of intent")
        STATUTORY_DUTY = "statutory_duty", _("Statutory duty")
        DATA_PROCESSING = "data_processing", _("Data-processing agreement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CURRENT = "current", _("Current")
        EXPIRED = "expired", _("Expired")
        ENDED = "ended", _("Ended")

    # What a coordinator sets; "expired" follows from the review date.
    SETTABLE = (Status.DRAFT, Status.CURRENT, Status.ENDED)
    # An agreement this close to its review date reminds the coordinator (reminders.kinds).
    REVIEW_NOTICE_DAYS = 30

    title = models.CharField(_("title"), max_length=200)
    instrument = models.CharField(_("instrument"), max_length=32, choices=Instrument.choices)
    parties = models.ManyToManyField("agencies.Agency", related_name="sharing_agreements", verbose_name=_("parties"))
    panels = models.ManyToManyField(
        "agencies.Panel",
        blank=True,
        related_name="sharing_agreements",
        verbose_name=_("panels"),
        help_text=_("The panels at whose table information is exchanged under this agreement."),
    )
    purpose = models.TextField(_("purpose"))
    data_categories = models.TextField(
        _("categories of data"),
        help_text=_("For example: identity and contact details; risk assessments; health information with consent."),
    )
    sharing_rules = models.TextField(
        _("rules for exchanging information"),
        blank=True,
        help_text=_("What may be shared, with whom, how, and how it is kept: readable by every party's staff."),
    )
    signatories = models.TextField(_("signatories"), blank=True, help_text=_("One per line: name, role and agency."))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    review_on = models.DateField(_("review by"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    document = models.FileField(_("document"), upload_to=agreement_path, max_length=300, blank=True)
    document_name = models.CharField(_("file name"), max_length=255, blank=True)
    stored_name = models.CharField(max_length=64, blank=True, editable=False)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SharingAgreementQuerySet.as_manager()
    access_rule = rules.sharing_agreement
    read_action = Action.VIEW

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("information-sharing agreement")
        verbose_name_plural = _("information-sharing agreements")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="current") | models.Q(signed_on__isnull=False),
                name="%(app_label)s_%(class)s_current_is_signed",
                violation_error_message=_("A current agreement has been signed: give the date."),
            ),
            models.CheckConstraint(
                condition=models.Q(signed_on__isnull=True) | models.Q(review_on__gt=models.F("signed_on")),
                name="%(app_label)s_%(class)s_review_after_signing",
                violation_error_message=_("The review date comes after the signing date."),
            ),
        ]
        indexes = [
            # The review reminders' sweep: current agreements by review date.
            models.Index(fields=["review_on"], condition=models.Q(status="current"), name="cases_agreement_review_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:agreement", kwargs={"pk": self.pk})

    @property
    def state(self) -> str:
        """The status as it stands today: a current agreement past its review date has expired."""
        if self.status == self.Status.CURRENT and self.review_on < timezone.localdate():
            return self.Status.EXPIRED
        return self.status

    @property
    def state_label(self) -> str:
        return str(self.Status(self.state).label)

    @property
    def is_current(self) -> bool:
        return self.state == self.Status.CURRENT

    @property
    def is_expired(self) -> bool:
        return self.state == self.Status.EXPIRED

    @property
    def review_due_soon(self) -> bool:
        days = (self.review_on - timezone.localdate()).days
        return self.is_current and days <= self.REVIEW_NOTICE_DAYS
