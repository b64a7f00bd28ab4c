"""Referrals: a concern about a person, arriving through any channel (step 1), and its triage."""

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agencies.access import Action, RestrictedQuerySet, rules
from families.matching import name_key

# The directory of services and the referrals to them (decision 129), in a module of their own.
from .service_models import HelpKind, ServiceReferral, SupportService

__all__ = [
    "ConcernReceipt",
    "DeconflictionCheck",
    "HelpKind",
    "Referral",
    "ReferralIndicator",
    "ServiceReferral",
    "SupportService",
    "TriageDecision",
]

TRIAGE_WITHIN = datetime.timedelta(hours=24)  # seed 001, step 4: be able to respond within 24 hours


class ReferralQuerySet(RestrictedQuerySet):
    def open(self) -> "ReferralQuerySet":
        return self.filter(status__in=Referral.OPEN_STATUSES)

    def triage_overdue(self) -> "ReferralQuerySet":
        return self.filter(status=Referral.Status.NEW, triage_due_at__lt=timezone.now())


class Referral(models.Model):
    """A concern reported about a person: triaged within 24 hours, then closed, put to a panel or
    turned into a case. A repeat concern about the same people is added to the first record
    (`primary`) and never closed on its own."""

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

    class Told(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        UNKNOWN = "unknown", _("Not known")

    class CrisisReason(models.TextChoices):
        ATTACK = "attack", _("An attack may be planned")
        TRAVEL = "travel", _("The person may travel to a conflict zone")
        STAFF_AT_RISK = "staff_at_risk", _("Professionals may be at risk")
        OTHER = "other", _("Other immediate danger")

    class Status(models.TextChoices):
        NEW = "new", _("Waiting for triage")
        GATHERING = "gathering", _("Gathering information")
        ON_AGENDA = "on_agenda", _("On the panel's agenda")
        CASE_OPENED = "case_opened", _("Case opened")
        CLOSED = "closed", _("Closed")
        ADDED = "added", _("Added to an earlier record")

    OPEN_STATUSES = (Status.NEW, Status.GATHERING, Status.ON_AGENDA)

    # Intake: who received it, when and how.
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_by = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("received by"),
        help_text=_("Empty for a concern sent to a panel's front door: the panel received it."),
    )
    front_door = models.ForeignKey(
        "agencies.Panel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="front_door_referrals",
        verbose_name=_("front door"),
        help_text=_("The panel whose front door received the concern (a partner's or the public's)."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # The reporter: seen only by the receiving agency.
    reporter_anonymous = models.BooleanField(_("reporter stays anonymous"), default=False)
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    reporter_contact = models.CharField(_("reporter's contact"), max_length=200, blank=True)
    reporter_relationship = models.CharField(
        _("reporter's relationship to the person"),
        max_length=200,
        blank=True,
        help_text=_("For example: teacher, mother, neighbour."),
    )
    reporter_is_professional = models.BooleanField(_("the reporter is a professional"), default=False)
    # The person of concern, as the reporter knows them.
    subject_given_name = models.CharField(_("given name"), max_length=100, blank=True)
    subject_family_name = models.CharField(_("family name"), max_length=100, blank=True)
    subject_date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    subject_age = models.PositiveSmallIntegerField(_("approximate age"), null=True, blank=True)
    subject_area = models.CharField(_("area or address"), max_length=200, blank=True)
    subject_given_name_key = models.CharField(max_length=100, editable=False, blank=True, default="")
    subject_family_name_key = models.CharField(max_length=100, editable=False, blank=True, default="")
    family = models.ForeignKey(
        "families.Family",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("family"),
    )
    # What was observed.
    observed_on = models.DateField(_("observed on"), null=True, blank=True)
    concern = models.TextField(_("what was observed"))
    ideology = models.CharField(_("ideology"), max_length=32, choices=Ideology.choices, default=Ideology.UNCLEAR)
    child_involved = models.BooleanField(_("a child is involved"), default=False)
    person_told = models.CharField(
        _("the person knows of the referral"), max_length=16, choices=Told.choices, default=Told.UNKNOWN
    )
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    is_crisis = models.BooleanField(_("crisis"), default=False, db_index=True)
    crisis_reason = models.CharField(_("crisis reason"), max_length=32, choices=CrisisReason.choices, blank=True)
    routed_to = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crisis_referrals",
        verbose_name=_("routed to"),
        help_text=_("The police agency a crisis is routed to at once."),
    )
    # Triage and what came of it.
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    triage_due_at = models.DateTimeField(_("triage due at"))
    triaged_at = models.DateTimeField(_("first triaged at"), null=True, blank=True)
    panel = models.ForeignKey(
        "agencies.Panel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("panel"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("case"),
    )
    primary = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name=_("added to"),
    )
    reporter_feedback = models.TextField(_("feedback given to the reporter"), blank=True)
    reporter_feedback_at = models.DateTimeField(_("feedback given at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReferralQuerySet.as_manager()
    access_rule = rules.referral
    read_action = Action.VIEW

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["received_by", "status", "-received_at"], name="referrals_agency_status_idx"),
            models.Index(fields=["routed_to", "status"], name="referrals_routed_status_idx"),
            models.Index(fields=["panel", "status"], name="referrals_panel_status_idx"),
            models.Index(fields=["status", "triage_due_at"], name="referrals_status_due_idx"),
            models.Index(fields=["front_door", "status"], name="referrals_door_status_idx"),
            models.Index(
                fields=["subject_family_name_key", "subject_given_name_key"], name="referrals_subject_key_idx"
            ),
            models.Index(
                fields=["subject_family_name_key"], opclasses=["varchar_pattern_ops"], name="referrals_subject_like_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_crisis=False) | ~models.Q(crisis_reason=""),
                name="%(app_label)s_%(class)s_crisis_has_reason",
                violation_error_message=_("Say why this is a crisis."),
            ),
            models.CheckConstraint(
                condition=models.Q(reporter_anonymous=False) | models.Q(reporter_name="", reporter_contact=""),
                name="%(app_label)s_%(class)s_anonymous_has_no_name",
                violation_error_message=_("An anonymous reporter has no name or contact on record."),
            ),
            models.CheckConstraint(
                condition=models.Q(received_by__isnull=False) | models.Q(front_door__isnull=False),
                name="%(app_label)s_%(class)s_received_somewhere",
                violation_error_message=_("A referral is received by an agency or at a panel's front door."),
            ),
        ]

    def __str__(self) -> str:
        received = date_format(timezone.localtime(self.received_at), "SHORT_DATETIME_FORMAT")
        return str(_("Referral R-%(number)s of %(date)s") % {"number": self.pk, "date": received})

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.triage_due_at is None:
            self.triage_due_at = self.received_at + TRIAGE_WITHIN
        self.subject_given_name_key = name_key(self.subject_given_name)
        self.subject_family_name_key = name_key(self.subject_family_name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("referrals:referral", kwargs={"pk": self.pk})

    @property
    def subject(self) -> str:
        return f"{self.subject_given_name} {self.subject_family_name}".strip()

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def triage_overdue(self) -> bool:
        return self.status == self.Status.NEW and self.triage_due_at < timezone.now()


# Who may write on the public page (decision 126): a relative or friend, a neighbour, the person.
PUBLIC_CHANNEL_CHOICES = [
    (channel.value, channel.label)
    for channel in (Referral.Channel.FAMILY_OR_FRIEND, Referral.Channel.NEIGHBOUR, Referral.Channel.SELF)
]


class ReferralIndicator(models.Model):
    """One of the signs a reporter observed (a referral has several)."""

    class Kind(models.TextChoices):
        ISOLATION = "isolation", _("Isolating behaviour")
        IRRITABILITY = "irritability", _("Irritability")
        INTEREST_IN_GROUP = "interest_in_group", _("Interest in an extremist group or ideology")
        INTENT_TO_TRAVEL = "intent_to_travel", _("Intent to travel to a conflict zone")
        SYMBOLS = "symbols", _("Symbols or flags at home")
        STATEMENTS = "statements", _("Extremist statements")
        ONLINE = "online", _("Online activity")
        CHANGED_APPEARANCE = "changed_appearance", _("Sudden change in appearance or habits")
        BROKEN_TIES = "broken_ties", _("Broke with friends, school or work")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("indicator"), max_length=32, choices=Kind.choices)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.referral_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["referral", "kind"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "kind"],
                name="%(app_label)s_%(class)s_unique_kind",
                violation_error_message=_("This indicator is already recorded."),
            )
        ]
        indexes = [models.Index(fields=["kind"], name="referrals_indicator_kind_idx")]

    def __str__(self) -> str:
        return self.get_kind_display()


class TriageDecision(models.Model):
    """A triage decision on a referral: what was decided, why, by whom and when. Decisions are
    kept, not overwritten: "gather more information" is often followed by a second decision."""

    class Decision(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", _("No further action")
        ADVICE_GIVEN = "advice_given", _("Advice given to the reporter")
        SIGNPOSTED = "signposted", _("Signposted to another service")
        GATHER_INFORMATION = "gather_information", _("Gather more information")
        PANEL_AGENDA = "panel_agenda", _("Put on the panel's agenda")
        OPEN_CASE = "open_case", _("Open a case at once")

    class Reason(models.TextChoices):
        REBELLION = "rebellion", _("Rebellious behaviour, not radicalisation")
        NEW_FAITH = "new_faith", _("A genuine new faith")
        NO_CONCERN = "no_concern", _("No concern found")
        OTHER = "other", _("Other")

    # Where each decision leaves the referral.
    STATUS_AFTER = {
        Decision.NO_FURTHER_ACTION: Referral.Status.CLOSED,
        Decision.ADVICE_GIVEN: Referral.Status.CLOSED,
        Decision.SIGNPOSTED: Referral.Status.CLOSED,
        Decision.GATHER_INFORMATION: Referral.Status.GATHERING,
        Decision.PANEL_AGENDA: Referral.Status.ON_AGENDA,
        Decision.OPEN_CASE: Referral.Status.CASE_OPENED,
    }

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=32, choices=Decision.choices)
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    signposted_to = models.CharField(_("signposted to"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.referral_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("triage decision")
        verbose_name_plural = _("triage decisions")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="no_further_action") | ~models.Q(reason=""),
                name="%(app_label)s_%(class)s_no_action_has_reason",
                violation_error_message=_("Say why no further action is needed."),
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="signposted") | ~models.Q(signposted_to=""),
                name="%(app_label)s_%(class)s_signpost_has_service",
                violation_error_message=_("Say which service the reporter was signposted to."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.decided_at:%Y-%m-%d})"


class ConcernReceipt(models.Model):
    """What the sender of a concern sent to a panel's front door may see of it: how far it got and
    the feedback the triage chose to give, never the referral or the case it joined (decision 125).

    A partner's receipt names its sender; the public's holds the keyed hash of a follow-up code,
    shown once, with which the sender later reads the stage alone. The stage is written by the
    referral's services when the referral moves, so the sender reads this row and nothing else;
    a concern added to an earlier record reads "being looked at", as a new one would.
    """

    class Stage(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("a concern's stage", "Received")
        LOOKED_AT = "looked_at", _("Being looked at")
        CLOSED = "closed", _("Closed")

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="receipt")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_by_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sending agency"),
    )
    code_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # The sender's own words for the concern ("Year 9 pupil, January"), so they know it among their
    # receipts: asked when it is sent, never copied from the referral or the case (decision 125).
    label = models.CharField(
        _("your label"),
        max_length=80,
        blank=True,
        help_text=_("A few words of your own to know this concern by; avoid the full name."),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.RECEIVED)
    feedback = models.TextField(_("feedback to the sender"), blank=True)
    feedback_at = models.DateTimeField(_("feedback given at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.concern_receipt
    read_action = Action.VIEW

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("concern receipt")
        verbose_name_plural = _("concern receipts")
        indexes = [
            models.Index(fields=["sent_by", "-sent_at"], name="referrals_receipt_sender_idx"),
            models.Index(fields=["sent_by_agency", "-sent_at"], name="referrals_receipt_agency_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sent_by__isnull=False) | models.Q(code_hash__isnull=False),
                name="%(app_label)s_%(class)s_sender_or_code",
                violation_error_message=_("A receipt names its sender or holds a follow-up code."),
            )
        ]

    def __str__(self) -> str:
        sent = date_format(timezone.localtime(self.sent_at), "SHORT_DATETIME_FORMAT")
        return str(_("Concern sent on %(date)s") % {"date": sent})

    def get_absolute_url(self) -> str:
        return reverse("referrals:receipt", kwargs={"pk": self.pk})


class DeconflictionCheck(models.Model):
    """Whether the person of a referral is already under police investigation, asked of a police
    agency before the referral goes to a panel (seed 001, step 2; decision 127).

    The police read only what they need to check (the person's names, date of birth, age and
    area, copied here when the check is asked), never the concern; the answer is read by those
    who triage the referral, and by no one else (not the panel, not the sender). A crisis goes on
    without waiting, and the check still follows: the police are reminded until they answer.
    """

    class Answer(models.TextChoices):
        YES = "yes", _("Already under investigation")
        NO = "no", _("Not under investigation")
        NOT_TOLD = "not_told", _("The police will not say")

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="deconfliction")
    police_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("police agency asked")
    )
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    age = models.PositiveSmallIntegerField(_("approximate age"), null=True, blank=True)
    area = models.CharField(_("area or address"), max_length=200, blank=True)
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due at"), db_index=True)
    answer = models.CharField(_("answer"), max_length=16, choices=Answer.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.deconfliction
    read_action = Action.VIEW

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("deconfliction check")
        verbose_name_plural = _("deconfliction checks")
        indexes = [models.Index(fields=["police_agency", "answer", "due_at"], name="referrals_deconflict_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answer="") | models.Q(answered_at__isnull=False),
                name="%(app_label)s_%(class)s_answer_has_time",
                violation_error_message=_("An answer says when it was given."),
            )
        ]

    def __str__(self) -> str:
        return str(_("Deconfliction check on %(person)s") % {"person": f"{self.given_name} {self.family_name}".strip()})

    def get_absolute_url(self) -> str:
        return reverse("referrals:deconfliction", kwargs={"pk": self.pk})

    @property
    def answered(self) -> bool:
        return bool(self.answer)
