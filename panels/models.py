"""Panel meetings: the agenda, who attended, what was decided, who declined to share (steps 2, 6)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from agencies.access import Action, RestrictedQuerySet, rules
from agencies.models import Agency, Panel

__all__ = [
    "AgendaItem",
    "InvolvedAgency",
    "LessonsLearned",
    "MeetingAttendance",
    "MeetingTopic",
    "PanelMeeting",
    "ShareDeclined",
]


class PanelMeeting(models.Model):
    """One meeting of an info-house panel. Its record mode is the panel's at the time it was
    planned, so a later change of the panel's rule does not rewrite what an old meeting kept."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("panel"))
    scheduled_for = models.DateTimeField(_("date and time"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    record_mode = models.CharField(_("meeting record"), max_length=32, choices=Panel.RecordMode.choices)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Only where the panel keeps full minutes."))
    # An urgent meeting called by the coordinator outside the cadence (the emergency plan): why.
    urgent_reason = models.TextField(_("why it is urgent"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.meeting
    read_action = Action.VIEW

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        verbose_name = _("panel meeting")
        verbose_name_plural = _("panel meetings")
        indexes = [models.Index(fields=["panel", "-scheduled_for"], name="panels_meeting_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(record_mode=Panel.RecordMode.NO_MINUTES) | models.Q(minutes=""),
                name="%(app_label)s_%(class)s_no_minutes_kept",
                violation_error_message=_("This panel keeps no minutes."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.panel} · {date_format(timezone.localtime(self.scheduled_for), 'SHORT_DATETIME_FORMAT')}"

    def get_absolute_url(self) -> str:
        return reverse("panels:meeting", kwargs={"pk": self.pk})

    @property
    def keeps_decisions(self) -> bool:
        return self.record_mode != Panel.RecordMode.NO_MINUTES

    @property
    def keeps_minutes(self) -> bool:
        return self.record_mode == Panel.RecordMode.FULL_MINUTES

    @property
    def is_urgent(self) -> bool:
        return bool(self.urgent_reason)


class MeetingAttendance(models.Model):
    """Who took part, for which agency, and when they acknowledged the meeting's confidentiality."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("for agency"))
    present = models.BooleanField(_("present"), default=True)
    # Absent having sent apologies (never with `present`): the register tells it from plain absence.
    apologies = models.BooleanField(_("sent apologies"), default=False)
    confidentiality_acknowledged_at = models.DateTimeField(_("confidentiality acknowledged at"), null=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.meeting_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["meeting", "agency__name", "user__last_name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                name="%(app_label)s_%(class)s_unique_person",
                violation_error_message=_("This person is already on the attendance list."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.agency})"


class AgendaItem(models.Model):
    """A case or a referral on a meeting's agenda, and the panel's decision on it.

    What is kept follows the meeting's record mode: the discussion only with full minutes; the
    decision's particulars unless the panel keeps no minutes (the decision is still applied to the
    case, and shows on the case's own timeline).
    """

    class Reason(models.TextChoices):
        NEW_REFERRAL = "new_referral", _("New referral")
        REVIEW_DUE = "review_due", _("Review due")
        OVERDUE = "overdue", _("Overdue items")
        ADDED = "added", _("Added by the coordinator")
        LAPSED_ACTIONS = "lapsed_actions", _("Actions of the plan lapsed")
        NO_CONTACT = "no_contact", _("No contact for a long time")

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        URGENT = "urgent", _("Urgent")
        CRISIS = "crisis", _("Crisis")

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    reason = models.CharField(_("on the agenda because"), max_length=32, choices=Reason.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="agenda_items")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, null=True, blank=True, related_name="agenda_items"
    )
    # What put the case on the agenda by itself, as counts (never content): the plan's lapsed
    # actions and the days since the last contact, when the item was flagged (decision 102).
    lapsed_actions = models.PositiveSmallIntegerField(_("lapsed actions"), null=True, blank=True)
    days_without_contact = models.PositiveSmallIntegerField(_("days without contact"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The decision's particulars (kept unless the panel keeps no minutes).
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, blank=True)
    first_contact_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first contact by"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case owner"),
    )
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    decision_notes = models.TextField(_("decision"), blank=True)
    discussion = models.TextField(_("discussion"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.agenda_item
    read_action = Action.VIEW

    class Meta:
        ordering = ["meeting", "position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=True, referral__isnull=False)
                | models.Q(case__isnull=False, referral__isnull=True),
                name="%(app_label)s_%(class)s_case_or_referral",
                violation_error_message=_("An agenda item is about one case or one referral."),
            ),
            models.UniqueConstraint(
                fields=["meeting", "case"],
                condition=models.Q(case__isnull=False),
                name="%(app_label)s_%(class)s_unique_case",
                violation_error_message=_("This case is already on the agenda."),
            ),
            models.UniqueConstraint(
                fields=["meeting", "referral"],
                condition=models.Q(referral__isnull=False),
                name="%(app_label)s_%(class)s_unique_referral",
                violation_error_message=_("This referral is already on the agenda."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} #{self.position}"

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None


class InvolvedAgency(models.Model):
    """An agency the panel involved in a case, and why (kept with the decision)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="involved")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    reason = models.CharField(_("why"), max_length=300)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.agenda_item_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["item", "agency__name"]
        verbose_name = _("involved agency")
        verbose_name_plural = _("involved agencies")

    def __str__(self) -> str:
        return f"{self.agency}: {self.reason}"


class ShareDeclined(models.Model):
    """An agency that declined to share what it knows about a case in a meeting."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="declines")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    reason = models.CharField(_("reason (optional)"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.agenda_item_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["item", "recorded_at"]
        verbose_name = _("declined to share")
        verbose_name_plural = _("declined to share")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "agency"],
                name="%(app_label)s_%(class)s_unique_agency",
                violation_error_message=_("This agency's refusal is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} declined ({self.item})"


class MeetingTopic(models.Model):
    """A non-case item on a meeting's agenda (seed 001: «meet regularly beyond the meetings on
    specific cases»): a training, an evaluation, a new partner, lessons learned.

    Kept under the meeting's record mode, like a case item: its title and kind always; what was
    concluded unless the panel keeps no minutes; the discussion only with full minutes.
    """

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        EVALUATION = "evaluation", _("Evaluation of the partnership")
        NEW_PARTNER = "new_partner", _("A new partner")
        LESSONS_LEARNED = "lessons_learned", _("Lessons learned")
        OTHER = "other", _("Other")

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="topics")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    outcome = models.TextField(_("what was concluded"), blank=True)
    discussion = models.TextField(_("discussion"), blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.meeting_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["meeting", "created_at", "pk"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class LessonsLearned(models.Model):
    """What a panel's partners learned in a year, agreed when they discuss the year's results
    (seed 001, step 5), written by the panel's coordinator and printed in the yearly report
    (decision 108). About the work, never about a family: no case is named here."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("panel"))
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.TextField(
        _("lessons learned"), help_text=_("What worked, what did not, and what the partners will change.")
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.panel_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["-year", "panel"]
        verbose_name = _("lessons learned")
        verbose_name_plural = _("lessons learned")
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "year"],
                name="%(app_label)s_%(class)s_unique_year",
                violation_error_message=_("The panel already has its lessons for this year."),
            )
        ]

    def __str__(self) -> str:
        return str(_("Lessons learned by %(panel)s in %(year)s") % {"panel": self.panel, "year": self.year})
