"""What is recorded in a case file: contacts and home visits (step 3), assessments (step 4),
children's needs (step 5), notes and attached communication, and the history of the risk level.

Every entry carries its own confidentiality (design.md §2): `case team` (everyone who reads the
full file) or `own agency` (the author's agency only; the others see the abstract the author
writes for them, and that more exists and who holds it).
"""

from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agencies.access import Action, RestrictedQuerySet, rules

from ..risk import RiskLevel
from .case import Case

__all__ = [
    "Attachment",
    "CaseNote",
    "ChildNeeds",
    "Contact",
    "Entry",
    "ExpertConsultation",
    "NeedsAssessment",
    "NetworkLink",
    "PoliceAction",
    "RiskRecord",
    "SecurityAssessment",
    "Visibility",
]


def _day(moment: Any) -> str:
    """The day of a moment, in the reader's format (a title says "Note of 06.12.2026", not ISO)."""
    return date_format(timezone.localtime(moment).date(), "SHORT_DATE_FORMAT")


class Visibility(models.TextChoices):
    CASE_TEAM = "case_team", _("Case team: everyone who reads the full file")
    OWN_AGENCY = "own_agency", _("My agency only: the others see the abstract")


class EntryQuerySet(RestrictedQuerySet):
    def final(self) -> Self:
        return self.filter(is_draft=False)


class Entry(models.Model):
    """The common part of every entry: whose, whose agency, who may read it, draft or not."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    author_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("for agency")
    )
    visibility = models.CharField(
        _("who may read it"), max_length=16, choices=Visibility.choices, default=Visibility.CASE_TEAM
    )
    abstract = models.TextField(
        _("abstract for partners"),
        blank=True,
        help_text=_("What the other agencies may know of this entry: enough to work with, nothing more."),
    )
    is_draft = models.BooleanField(_("draft"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EntryQuerySet.as_manager()
    access_rule = rules.case_entry
    # Whether the reader may read past the abstract: annotated on the rows by
    # `RestrictedQuerySet.annotate_content(user)`, never stored.
    content_visible: bool
    read_action = Action.VIEW
    # The visibility a new entry of this kind starts with (health and police records: own agency).
    DEFAULT_VISIBILITY: ClassVar[str] = Visibility.CASE_TEAM
    # Fields that are content (hidden behind the abstract from other agencies).
    CONTENT_FIELDS: ClassVar[tuple[str, ...]] = ()
    # Its reads are recorded as reads of an entry (audit.reads).
    is_case_entry: ClassVar[bool] = True

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility="case_team") | ~models.Q(abstract=""),
                name="%(app_label)s_%(class)s_abstract_for_own_agency",
                violation_error_message=_("An entry kept for your agency needs an abstract for the partners."),
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("cases:entry", kwargs={"pk": self.case_id, "kind": self.kind_slug(), "entry": self.pk})

    @property
    def is_restricted(self) -> bool:
        return self.visibility == Visibility.OWN_AGENCY

    @classmethod
    def kind_slug(cls) -> str:
        return cls._meta.model_name or ""


class Contact(Entry):
    """A contact with the family, usually a home visit, often by a pair (step 3). Notes are
    written after the visit: specialists avoid taking notes in front of the family."""

    # What the one who made the contact records, in the order of the form (the form and the API).
    RECORDED_FIELDS = (
        "kind",
        "outcome",
        "occurred_at",
        "location",
        "visitors",
        "present",
        "minor_present",
        "outside_school_hours",
        "interpreter",
        "cooperation",
        "discussed",
        "next_steps",
        "next_contact_on",
    )

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", _("Home visit")
        OFFICE = "office", _("At the office")
        PHONE = "phone", _("Phone call")
        VIDEO = "video", _("Video call")
        KEY_WORKER = "key_worker", _("Through the key worker")
        FOLLOW_UP = "follow_up", _("Post-exit follow-up")

    class Outcome(models.TextChoices):
        HELD = "held", _("Took place")
        NOBODY_HOME = "nobody_home", _("Nobody at home")
        REFUSED = "refused", _("The family refused")
        CANCELLED = "cancelled", pgettext_lazy("contact outcome", "Cancelled")

    class Cooperation(models.TextChoices):
        COOPERATIVE = "cooperative", _("Cooperative")
        HESITANT = "hesitant", _("Hesitant")
        REFUSES = "refuses", _("Refuses")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("case"))
    kind = models.CharField(_("kind of contact"), max_length=16, choices=Kind.choices, default=Kind.HOME_VISIT)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.HELD)
    occurred_at = models.DateTimeField(_("date and time"), default=timezone.now)
    location = models.CharField(_("where"), max_length=200, blank=True)
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("who visited"), blank=True
    )
    present = models.ManyToManyField(
        "families.Person", related_name="+", verbose_name=_("family members present"), blank=True
    )
    minor_present = models.BooleanField(_("a minor took part"), default=False)
    # Asked only when a minor took part (None otherwise: no answer, not a "yes").
    outside_school_hours = models.BooleanField(_("outside school hours"), null=True, blank=True, default=None)
    interpreter = models.CharField(
        _("interpreter"), max_length=200, blank=True, help_text=_("Language and who interpreted, if anyone.")
    )
    cooperation = models.CharField(
        _("the family's cooperation"), max_length=16, choices=Cooperation.choices, blank=True
    )
    discussed = models.TextField(_("what was discussed"), blank=True)
    next_steps = models.TextField(_("agreed next steps"), blank=True)
    next_contact_on = models.DateField(_("next contact"), null=True, blank=True)

    CONTENT_FIELDS = ("location", "interpreter", "discussed", "next_steps")

    class Meta(Entry.Meta):
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["case", "-occurred_at"], name="cases_contact_case_when_idx"),
            # The reminder sweep's date range: a next contact agreed and passed (reminders.kinds).
            models.Index(
                fields=["next_contact_on"],
                condition=models.Q(is_draft=False, next_contact_on__isnull=False),
                name="cases_contact_next_idx",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} · {date_format(timezone.localtime(self.occurred_at), 'SHORT_DATETIME_FORMAT')}"
        )

    @property
    def refused(self) -> bool:
        return self.outcome == self.Outcome.REFUSED or self.cooperation == self.Cooperation.REFUSES


class NeedsAssessment(Entry):
    """The needs assessment of the family (step 4): history, network, practical problems, triggers,
    the nature and level of the concerns, protective factors, and a recommendation."""

    class Problem(models.TextChoices):
        UNEMPLOYMENT = "unemployment", _("Unemployment")
        HOUSING = "housing", _("Housing")
        SCHOOLING = "schooling", _("Schooling")
        DEBTS = "debts", _("Debts")
        HEALTH = "health", _("Health")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs_assessments")
    personal_history = models.TextField(_("personal history of the person and the family"), blank=True)
    practical_problems = models.JSONField(_("practical problems"), default=list, blank=True)
    practical_notes = models.TextField(_("about the practical problems"), blank=True)
    trigger_events = models.TextField(_("trigger events"), blank=True)
    concern_nature = models.TextField(_("nature of the concerns"), blank=True)
    concern_level = models.CharField(
        _("level of the concerns"), max_length=16, choices=RiskLevel.choices, default=RiskLevel.NOT_ASSESSED
    )
    protective_factors = models.TextField(_("protective factors"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    recommendation = models.TextField(_("recommendation"), blank=True)

    CONTENT_FIELDS = (
        "personal_history",
        "practical_problems",
        "practical_notes",
        "trigger_events",
        "concern_nature",
        "concern_level",
        "protective_factors",
        "summary",
        "recommendation",
    )

    class Meta(Entry.Meta):
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")

    def __str__(self) -> str:
        return str(_("Needs assessment of %(date)s") % {"date": _day(self.created_at)})


class NetworkLink(models.Model):
    """One part of the network overview: a school, a club, a religious circle, friends online...
    and whether its influence is positive or negative."""

    class Kind(models.TextChoices):
        FAMILY = "family", _("Family")
        SCHOOL = "school", _("School")
        WORK = "work", _("Work")
        SPORTS = "sports", _("Sports club")
        RELIGIOUS = "religious", _("Religious circle")
        ONLINE = "online", _("Online contacts")
        FRIENDS = "friends", _("Friends")
        OTHER = "other", _("Other")

    class Influence(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEGATIVE = "negative", _("Negative")
        MIXED = "mixed", _("Mixed")
        UNKNOWN = "unknown", _("Not known")

    assessment = models.ForeignKey(NeedsAssessment, on_delete=models.CASCADE, related_name="network")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    influence = models.CharField(_("influence"), max_length=16, choices=Influence.choices, default=Influence.UNKNOWN)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.case_entry_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["assessment", "kind", "name"]
        verbose_name = _("network link")
        verbose_name_plural = _("network links")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class SecurityAssessment(Entry):
    """The police's security risk assessment (step 4): kept by the police; the others see the
    abstract its author writes (design.md §2)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="security_assessments")
    risk_level = models.CharField(_("security risk"), max_length=16, choices=RiskLevel.choices)
    under_investigation = models.BooleanField(_("already under investigation"), default=False)
    assessment = models.TextField(_("assessment"))

    DEFAULT_VISIBILITY = Visibility.OWN_AGENCY
    CONTENT_FIELDS = ("risk_level", "under_investigation", "assessment")

    class Meta(Entry.Meta):
        verbose_name = _("security assessment")
        verbose_name_plural = _("security assessments")

    def __str__(self) -> str:
        return str(_("Security assessment of %(date)s") % {"date": _day(self.created_at)})


class PoliceAction(Entry):
    """A police search, arrest or raid touching the family, recorded by the police (seed 000, step 7):
    the partners read its abstract, and a social or family worker must follow up with the family
    by `follow_up_due_on` (reminders.kinds.PoliceAftercare), a visit after it ending the reminder."""

    class Kind(models.TextChoices):
        SEARCH = "search", _("Search")
        ARREST = "arrest", _("Arrest")
        RAID = "raid", _("Raid")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="police_actions")
    kind = models.CharField(_("police action"), max_length=16, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("date and time"), default=timezone.now)
    what_happened = models.TextField(_("what happened"))
    # Set by the recording service from the deployment's working days (decision 135).
    follow_up_due_on = models.DateField(_("follow-up visit due by"), null=True, blank=True, editable=False)

    DEFAULT_VISIBILITY = Visibility.OWN_AGENCY
    CONTENT_FIELDS = ("what_happened",)

    class Meta(Entry.Meta):
        verbose_name = _("police action")
        verbose_name_plural = _("police actions")
        indexes = [models.Index(fields=["follow_up_due_on"], name="cases_police_follow_up_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {_day(self.occurred_at)}"


class ChildNeeds(Entry):
    """One child's own needs record (step 5): early intervention under 12, the hand-over to adult
    services at 18, exposure to violence or indoctrination, a conflict zone."""

    class AgeBand(models.TextChoices):
        UNDER_12 = "under_12", _("Under 12: early intervention")
        FROM_12_TO_17 = "12_17", _("12 to 17")
        YOUNG_ADULT = "young_adult", _("Young adult (14 to 18)")

    class Exposure(models.TextChoices):
        INDOCTRINATION = "indoctrination", _("Indoctrination")
        TRAUMA = "trauma", _("Trauma")
        CONFLICT_ZONE = "conflict_zone", _("Lived in a conflict zone")
        COMBAT_TRAINING = "combat_training", _("Combat training")
        VIOLENCE_WITNESSED = "violence_witnessed", _("Witnessed violence")
        VIOLENCE_COMMITTED = "violence_committed", _("Committed violence")
        ABUSE = "abuse", _("Abuse")

    class Schooling(models.TextChoices):
        ATTENDING = "attending", _("Attends school")
        IRREGULAR = "irregular", _("Attends irregularly")
        NOT_ATTENDING = "not_attending", _("Does not attend")
        NOT_OF_AGE = "not_of_age", _("Not of school age")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="child_needs")
    child = models.ForeignKey("families.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("child"))
    age_band = models.CharField(_("age band"), max_length=16, choices=AgeBand.choices)
    exposures = models.JSONField(_("exposure"), default=list, blank=True)
    conflict_zone = models.BooleanField(_("born or raised in a conflict zone"), default=False)
    schooling = models.CharField(_("schooling"), max_length=16, choices=Schooling.choices)
    schooling_notes = models.CharField(_("about schooling"), max_length=300, blank=True)
    child_protection = models.BooleanField(_("child protection involved"), default=False)
    child_protection_notes = models.CharField(_("about child protection"), max_length=300, blank=True)
    needs = models.TextField(_("needs"), blank=True)
    decisions = models.TextField(_("decisions for this child"), blank=True)

    CONTENT_FIELDS = (
        "exposures",
        "schooling",
        "schooling_notes",
        "child_protection",
        "child_protection_notes",
        "needs",
        "decisions",
    )

    class Meta(Entry.Meta):
        verbose_name = _("child's needs")
        verbose_name_plural = _("children's needs")

    def __str__(self) -> str:
        return str(_("Needs of %(child)s") % {"child": self.child})


class CaseNote(Entry):
    """A note on the case: what does not fit a visit or an assessment."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))

    CONTENT_FIELDS = ("text",)

    class Meta(Entry.Meta):
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return str(_("Note of %(date)s") % {"date": _day(self.created_at)})


class ExpertConsultation(Entry):
    """An expert who is not a user of Ura consulted on the case (seed 001: «involve experts when
    needed»): who, what was shared with them and on which basis, and what they advised. Recorded by
    who runs the case; read by full readers only (decision 123)."""

    class Basis(models.TextChoices):
        CONSENT = "consent", _("Consent of the person concerned")
        ANONYMISED = "anonymised", _("Nothing identifying was shared")
        SAFEGUARDING = "safeguarding", _("Safeguarding: a risk of serious harm")
        LEGAL_DUTY = "legal_duty", _("A legal duty or power")
        AGREEMENT = "agreement", _("The agreement the expert works under")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="expert_consultations")
    expert = models.ForeignKey(
        "agencies.Expert", on_delete=models.PROTECT, related_name="consultations", verbose_name=_("expert")
    )
    consulted_on = models.DateField(_("consulted on"), default=timezone.localdate)
    shared = models.TextField(_("what was shared"))
    basis = models.CharField(_("on which basis"), max_length=32, choices=Basis.choices)
    advice = models.TextField(_("what they advised"), blank=True)
    # Without consent and with nothing identifying removed, the expert's current agreement covers
    # the consultation, or the emergency override with its justification, told to the data
    # protection officer as a share's is (decisions 113, 123).
    agreement_override = models.TextField(
        _("emergency override"),
        blank=True,
        help_text=_("Only when the expert has no current agreement and waiting would put someone at risk: say why."),
    )

    CONTENT_FIELDS = ("shared", "basis", "advice", "agreement_override")
    # The bases on which the expert's agreement must cover what is shared.
    NEEDS_AGREEMENT = frozenset({Basis.SAFEGUARDING, Basis.LEGAL_DUTY, Basis.AGREEMENT})

    class Meta(Entry.Meta):
        verbose_name = _("expert consultation")
        verbose_name_plural = _("expert consultations")

    def __str__(self) -> str:
        return str(_("Consultation of %(expert)s") % {"expert": self.expert.name})


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Stored under a random name: the original is kept in the row, never used as a path.
    return f"attachments/{instance.case_id}/{instance.stored_name}"


class Attachment(Entry):
    """Digital communication or a document attached to the file (e-mails, chat logs...). Stored
    outside the web root and served only through the access check."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        CHAT = "chat", _("Chat or social-media messages")
        DOCUMENT = "document", _("Document")
        IMAGE = "image", _("Image")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    assessment = models.ForeignKey(
        NeedsAssessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=64, editable=False)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField(editable=False)

    CONTENT_FIELDS = ("description", "file", "original_name")

    class Meta(Entry.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class RiskRecord(models.Model):
    """One value of the case's risk level, on the common scale (cases.risk), and where it came
    from: kept so that changes over time are shown."""

    class Source(models.TextChoices):
        NEEDS_ASSESSMENT = "needs_assessment", _("Needs assessment")
        SECURITY_ASSESSMENT = "security_assessment", _("Security assessment")
        REVIEW = "review", _("Plan review")
        PANEL = "panel", _("Panel decision")
        MANUAL = "manual", _("Set by the case owner")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_history")
    level = models.CharField(_("risk level"), max_length=16, choices=RiskLevel.choices)
    previous_level = models.CharField(_("before"), max_length=16, choices=RiskLevel.choices)
    source = models.CharField(_("from"), max_length=32, choices=Source.choices)
    rationale = models.TextField(_("why"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.case_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("risk level change")
        verbose_name_plural = _("risk level history")
        indexes = [models.Index(fields=["case", "-recorded_at"], name="cases_risk_case_when_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.previous_level} → {self.level}"
