"""The case file: one family's case worked by several agencies, and who else may see it."""

import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from agencies.access import Action, rules

from ..querysets import CaseQuerySet, CaseShareQuerySet, RestrictedQuerySet
from ..risk import RiskLevel

__all__ = [
    "Case",
    "CaseEvent",
    "CaseReferenceCounter",
    "CaseShare",
    "CaseUserObjectPermission",
    "DisclosureCheck",
    "copy_index_keys",
    "event_choices",
]


class Case(models.Model):
    """The case file of a family, with one owner who coordinates all help it receives (step 6)."""

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        URGENT = "urgent", _("Urgent")
        CRISIS = "crisis", _("Crisis")

    class Stage(models.IntegerChoices):
        IDENTIFY = 1, _("1. Identify a possible case")
        DISCUSS = 2, _("2. Discuss a course of action")
        CONTACT = 3, _("3. Contact the family")
        ASSESS = 4, _("4. Assess risks and needs")
        CHILDREN = 5, _("5. Needs of children and young adults")
        REVIEW = 6, _("6. Discuss risks, needs and responses")
        PLAN = 7, _("7. Intervention plan")
        MONITOR = 8, _("8. Monitor progress and adapt")
        REDUCE = 9, _("9. Reduce involvement")
        CAPACITY = 10, _("10. Build family-support capacity")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    family = models.ForeignKey(
        "families.Family", on_delete=models.PROTECT, related_name="cases", verbose_name=_("family")
    )
    index_person = models.ForeignKey(
        "families.Person", on_delete=models.PROTECT, related_name="index_cases", verbose_name=_("index person")
    )
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices, default=Stage.IDENTIFY)
    owning_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="owned_cases", verbose_name=_("owning agency")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases", verbose_name=_("case owner")
    )
    panel = models.ForeignKey(
        "agencies.Panel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("panel"),
    )
    risk_level = models.CharField(
        _("risk level"), max_length=16, choices=RiskLevel.choices, default=RiskLevel.NOT_ASSESSED
    )
    # Summary-level fields: what a panel sees of the case besides who, stage, risk and owner.
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    first_contact_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first contact by"),
    )
    first_contact_due_on = models.DateField(_("first contact due"), null=True, blank=True)
    first_contact_on = models.DateField(_("first contact made"), null=True, blank=True)
    # The person closest to the index person, through whom most contact runs (step 3).
    key_worker_person = models.ForeignKey(
        "families.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("key worker in the family"),
    )
    key_worker_note = models.CharField(
        _("key worker"),
        max_length=200,
        blank=True,
        help_text=_("Or someone outside the family: a teacher, a youth worker, an imam."),
    )
    # The index person's name keys (families.matching), copied here so that the case search
    # filters on the case row alone, with the access branches and the trigram indexes (decision 82).
    # Kept by Person.save() and set when the case is made; never typed.
    index_given_name_key = models.CharField(max_length=100, editable=False, blank=True, default="")
    index_family_name_key = models.CharField(max_length=100, editable=False, blank=True, default="")
    index_other_name_keys = models.CharField(max_length=400, editable=False, blank=True, default="")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CaseQuerySet.as_manager()
    access_rule = rules.case
    read_action = Action.VIEW_SUMMARY

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("view_case_summary", _("Can view the summary of a case")),
            ("manage_case", _("Can share a case and assign its owner")),
        ]
        indexes = [
            # The list filters: each branch of the access UNION and each filter of the case lists.
            models.Index(fields=["owning_agency", "-opened_at"], name="cases_case_agency_opened_idx"),
            models.Index(fields=["panel", "-opened_at"], name="cases_case_panel_opened_idx"),
            models.Index(fields=["stage"], name="cases_case_stage_idx"),
            models.Index(fields=["risk_level"], name="cases_case_risk_idx"),
            models.Index(fields=["-opened_at", "-id"], name="cases_case_opened_idx"),
            # The search (decision 82): prefixes of the index person's keys (LIKE 'kra%'); the
            # trigram indexes, PostgreSQL only, are made by a migration.
            models.Index(
                fields=["index_family_name_key"], opclasses=["varchar_pattern_ops"], name="cases_case_family_key_idx"
            ),
            models.Index(
                fields=["index_given_name_key"], opclasses=["varchar_pattern_ops"], name="cases_case_given_key_idx"
            ),
            # The reminder sweep (reminders/sweep.py): open cases by each due date.
            models.Index(
                fields=["first_contact_due_on"],
                condition=models.Q(closed_at__isnull=True, first_contact_on__isnull=True),
                name="cases_case_contact_due_idx",
            ),
            models.Index(
                fields=["first_contact_on"], condition=models.Q(closed_at__isnull=True), name="cases_case_contacted_idx"
            ),
            models.Index(
                fields=["next_review_on"], condition=models.Q(closed_at__isnull=True), name="cases_case_review_due_idx"
            ),
            # The wide dashboards (stats/figures.py, decision 167): each board's open cases counted from
            # its index alone (an index-only scan), not from the case rows: the panel's cases by step,
            # the supervised agencies' cases by owner and their deadlines, the panel's first contacts.
            # Each holds the columns restrict()'s branches ask about: the held ids and, for a seat who
            # also works cases, the owning agency.
            models.Index(
                fields=["panel", "stage"],
                include=["owning_agency", "id"],
                condition=models.Q(closed_at__isnull=True),
                name="cases_case_panel_stage_open",
            ),
            models.Index(
                fields=["owning_agency"],
                include=["owner", "first_contact_due_on", "first_contact_on", "next_review_on", "id"],
                condition=models.Q(closed_at__isnull=True),
                name="cases_case_agency_open_cover",
            ),
            models.Index(
                fields=["panel", "opened_at"],
                include=["first_contact_due_on", "first_contact_on", "owning_agency", "id"],
                condition=models.Q(first_contact_due_on__isnull=False),
                name="cases_case_panel_contact_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | models.Q(closed_at__gte=models.F("opened_at")),
                name="%(app_label)s_%(class)s_closed_after_opened",
                violation_error_message=_("A case cannot close before it opened."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.family}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and self.index_person_id is not None:
            for name, key in index_keys(self.index_person).items():
                setattr(self, name, key)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cases:case", kwargs={"pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


def index_keys(person: Any) -> dict[str, str]:
    """The name keys a case keeps of its index person `person` (decision 82)."""
    return {
        "index_given_name_key": person.given_name_key,
        "index_family_name_key": person.family_name_key,
        "index_other_name_keys": person.other_name_keys,
    }


def copy_index_keys(person: Any) -> None:
    """Copy `person`'s name keys onto the cases they are the index person of, so that the case
    search reads the case row alone (decision 82). Called whenever a person is saved
    (cases.receivers) and by a merge, which moves cases to the kept record without saving them."""
    Case._base_manager.filter(index_person_id=person.pk).update(**index_keys(person))


class CaseReferenceCounter(models.Model):
    """The last case number handed out in a year, so references read "2026-0007"."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class CaseShare(models.Model):
    """A case shared with another agency, at summary or full level, on a named lawful basis.

    Granted and revoked through `cases.services.share_case` / `revoke_share`; restrict() reads
    this table, which knows when a share ends (decisions 14 and 96: no guardian row mirrors it).
    """

    class Scope(models.TextChoices):
        SUMMARY = "summary", _("Summary")
        FULL = "full", _("Full case file")

    class Basis(models.TextChoices):
        CONSENT = "consent", _("Consent")
        SAFEGUARDING = "safeguarding", _("Safeguarding or security override")
        LEGAL_DUTY = "legal_duty", _("Legal duty")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares", verbose_name=_("case"))
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="case_shares", verbose_name=_("agency")
    )
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    basis = models.CharField(_("lawful basis"), max_length=16, choices=Basis.choices)
    justification = models.TextField(_("justification"), blank=True)
    purpose = models.CharField(
        _("why the agency is involved"),
        max_length=300,
        blank=True,
        help_text=_("For example: attendance support at school; employment mentoring."),
    )
    consent_given_by = models.CharField(
        _("consent given by"), max_length=200, blank=True, help_text=_("The person, or a parent for a child.")
    )
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    # The consent record the share rests on (decision 42); the two text fields above copy it, and
    # remain for shares recorded before consents were records of their own.
    consent = models.ForeignKey(
        "families.Consent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shares",
        verbose_name=_("consent record"),
    )
    legal_duty = models.CharField(
        _("legal duty"),
        max_length=300,
        blank=True,
        help_text=_("The law or duty that requires the disclosure, for a share on a legal duty."),
    )
    # On a safeguarding or legal-duty basis: the agreement covering both agencies, or an emergency
    # override with its justification, flagged to the data protection officer (decision 113).
    agreement = models.ForeignKey(
        "cases.SharingAgreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shares",
        verbose_name=_("information-sharing agreement"),
    )
    agreement_override = models.TextField(_("emergency override: why no agreement is named"), blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    objects = CaseShareQuerySet.as_manager()
    access_rule = rules.case_share
    read_action = Action.VIEW

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("case share")
        verbose_name_plural = _("case shares")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "agency"],
                condition=models.Q(revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_unique_active_share",
                violation_error_message=_("The case is already shared with this agency."),
            ),
            models.CheckConstraint(
                condition=~models.Q(basis="consent")
                | (~models.Q(consent_given_by="") & models.Q(consent_given_on__isnull=False)),
                name="%(app_label)s_%(class)s_consent_recorded",
                violation_error_message=_("A share on consent records who gave it and when."),
            ),
            models.CheckConstraint(
                condition=models.Q(basis="consent") | ~models.Q(justification=""),
                name="%(app_label)s_%(class)s_override_justified",
                violation_error_message=_("An override or a legal duty needs its justification."),
            ),
        ]
        indexes = [
            # restrict()'s share branch: an agency's shares that have not been revoked.
            models.Index(
                fields=["agency", "ends_at"], condition=models.Q(revoked_at__isnull=True), name="cases_share_active_idx"
            ),
            # The expiry sweep.
            models.Index(
                fields=["ends_at"],
                condition=models.Q(revoked_at__isnull=True, ends_at__isnull=False),
                name="cases_share_ending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.agency} ({self.get_scope_display()})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def consent_withdrawn(self) -> bool:
        """A share on a consent that has since been withdrawn: flagged on the case (decision 43)."""
        return self.consent is not None and self.consent.withdrawn_at is not None

    @property
    def agreement_expired(self) -> bool:
        """A share citing an agreement that has since expired or ended: flagged wherever it shows."""
        return self.agreement is not None and not self.agreement.is_current and self.revoked_at is None


def event_choices() -> list[tuple[str, Any]]:
    """The kinds of timeline events: those of the case's own life, and one per kind of entry
    (declared with the entry kind, cases.entry_kinds), in the order the timeline's filter offers."""
    from ..entry_kinds import entry_kinds

    entries = [(kind.event, kind.event_label) for kind in entry_kinds()]
    own = CaseEvent.Kind.choices
    return [own[0], *entries, *own[1:]]


class CaseEventQuerySet(RestrictedQuerySet):
    def _fetch_all(self) -> None:
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._result_cache and isinstance(self._result_cache[0], CaseEvent):
            # The events of one query are named together, when the first is read (cases.timeline).
            from ..timeline import attach_batch

            attach_batch(self._result_cache)


class CaseEvent(models.Model):
    """One entry of the case timeline: a move, an assignment, a share, a closure... People and
    agencies are stored by id and named when read, as the reader may see them (decision 55)."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        RISK_CHANGED = "risk_changed", _("Risk level changed")
        KEY_WORKER = "key_worker", _("Key worker recorded")
        RESTRICTION = "restriction", _("Disclosure restriction")
        PLAN = "plan", _("Intervention plan")
        REVIEW = "review", _("Plan review")
        WITHDRAWAL = "withdrawal", _("Family withdrew")
        REOPENED = "reopened", _("Case reopened")
        FOLLOW_UP = "follow_up", _("Post-exit follow-up")
        STAGE_CHANGED = "stage_changed", _("Stage changed")
        OWNER_ASSIGNED = "owner_assigned", _("Owner assigned")
        SHARED = "shared", _("Shared with an agency")
        SHARE_REVOKED = "share_revoked", _("Share revoked")
        SHARE_EXPIRED = "share_expired", _("Share ended")
        CLOSED = "closed", _("Case closed")
        CONCERN_ADDED = "concern_added", _("New concern added")
        PANEL_DECISION = "panel_decision", _("Panel decision")
        CONSENT_RECORDED = "consent_recorded", _("Consent recorded")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        MEMBER_ADDED = "member_added", _("Family member added")
        MEMBER_CHANGED = "member_changed", _("Family member changed")
        MEMBER_REMOVED = "member_removed", _("Family member removed")
        MEMBERS_MERGED = "members_merged", _("Two records of one person merged")
        SAFETY_WARNING = "safety_warning", _("Staff-safety warning")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=32, choices=event_choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The event's particulars (codes, dates, and people and agencies by id: cases.timeline),
    # rendered in the reader's language.
    data = models.JSONField(_("details"), default=dict, blank=True)
    # An event about an entry carries the entry's confidentiality: who may read past its abstract.
    entry_label = models.CharField(max_length=64, blank=True)
    entry_id = models.BigIntegerField(null=True, blank=True)
    visibility = models.CharField(max_length=16, default="case_team")
    author_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = CaseEventQuerySet.as_manager()
    access_rule = rules.case_child
    read_action = Action.VIEW
    _names: Any = None  # the batch of events read with this one (cases.timeline)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [
            models.Index(fields=["case", "-created_at"], name="cases_event_case_created_idx"),
            models.Index(fields=["case", "kind", "-created_at"], name="cases_event_case_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_kind_display()}"

    @property
    def entry_name(self) -> str:
        """What kind of entry this event is about, in the reader's language."""
        try:
            model = apps.get_model(self.entry_label)
        except (LookupError, ValueError):
            return ""
        return capfirst(str(model._meta.verbose_name))

    @property
    def entry_url(self) -> str | None:
        """The page of the entry this event is about, if any."""
        if not self.entry_id or "." not in self.entry_label:
            return None
        app, model = self.entry_label.split(".", 1)
        try:
            return reverse(f"{app}:entry", args=[self.case_id, model, self.entry_id])
        except NoReverseMatch:
            return None

    def text_for(self, *, content_visible: bool) -> str:
        """The line a reader sees: an entry kept by one agency reads as its abstract to the others."""
        if self.visibility == "own_agency" and not content_visible:
            kept = _("%(entry)s kept by %(agency)s") % {
                "entry": self.entry_name,
                "agency": self.author_agency,
            }
            return f"{kept}: {self.data.get('abstract', '')}"
        return self.describe()

    def describe(self) -> str:
        """The event in the reader's language, from its kind and particulars, naming people as
        the reader may see them."""
        from ..timeline import named_values

        d = self.data
        values: dict[str, Any] = {key: d.get(key, "") for key in ("referral", "meeting", "reason")}
        values["meeting"] = _local_date(values["meeting"])
        values |= named_values(self, self._names)
        values["scope"] = _label(CaseShare.Scope, d.get("scope"))
        values["basis"] = _label(CaseShare.Basis, d.get("basis"))
        values["stage"] = _label(Case.Stage, d.get("stage"))
        values["level"] = _label(RiskLevel, d.get("level"))
        values["previous"] = _label(RiskLevel, d.get("previous"))
        values["changes"] = _panel_changes(d, values["first_contact"]) if self.kind == self.Kind.PANEL_DECISION else ""
        text = EVENT_TEXTS.get(self.kind)
        entry = self._entry_kind()
        if entry is not None:
            values |= {key: _label(choices, d.get(key)) for key, choices in entry.event_choices.items()}
            text = entry.event_text
        # A name may open the line ("a practitioner" for a name written before decision 55).
        return capfirst(str(text or self.get_kind_display()) % values)

    def _entry_kind(self) -> Any:
        from ..entry_kinds import entry_kinds

        return next((kind for kind in entry_kinds() if kind.event == self.kind), None)


def _panel_changes(data: dict[str, object], first_contact: str) -> str:
    parts = []
    if data.get("urgency"):
        parts.append(str(_("urgency: %(urgency)s") % {"urgency": _label(Case.Urgency, data["urgency"])}))
    if first_contact:
        parts.append(str(_("first contact: %(agency)s") % {"agency": first_contact}))
    if data.get("next_review"):
        parts.append(str(_("next review: %(date)s") % {"date": _local_date(data["next_review"])}))
    return " " + "; ".join(parts) + "." if parts else ""


def _local_date(value: object) -> str:
    """A date the event keeps as ISO text, written in the reader's format (not 2026-12-06)."""
    try:
        return date_format(datetime.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value or "")


def _label(choices: type[models.Choices], value: object) -> str:
    return str(choices(value).label) if value in choices.values else ""


EVENT_TEXTS: dict[str, Any] = {
    CaseEvent.Kind.OPENED: _("Case opened, owned by %(owner)s (%(agency)s)."),
    CaseEvent.Kind.OWNER_ASSIGNED: _("%(owner)s (%(agency)s) now owns the case, after %(previous_owner)s."),
    CaseEvent.Kind.SHARED: _("Shared with %(agency)s: %(scope)s, on the basis of %(basis)s."),
    CaseEvent.Kind.SHARE_REVOKED: _("Share with %(agency)s revoked."),
    CaseEvent.Kind.SHARE_EXPIRED: _("Share with %(agency)s reached its end date."),
    CaseEvent.Kind.STAGE_CHANGED: _("Moved to stage %(stage)s."),
    CaseEvent.Kind.CLOSED: _("Case closed."),
    CaseEvent.Kind.CONCERN_ADDED: _("A new concern was added (referral R-%(referral)s)."),
    CaseEvent.Kind.PANEL_DECISION: _("Decided at the panel meeting of %(meeting)s.%(changes)s"),
    CaseEvent.Kind.RISK_CHANGED: _("Risk level: %(previous)s → %(level)s."),
    CaseEvent.Kind.KEY_WORKER: _("Key worker recorded."),
    CaseEvent.Kind.RESTRICTION: _("Disclosure restriction recorded for %(person)s."),
    CaseEvent.Kind.PLAN: _("Intervention plan recorded."),
    CaseEvent.Kind.REVIEW: _("Plan reviewed."),
    CaseEvent.Kind.WITHDRAWAL: _("The family withdrew from the plan."),
    CaseEvent.Kind.REOPENED: _("Case reopened: %(reason)s"),
    CaseEvent.Kind.FOLLOW_UP: _("Post-exit follow-up."),
    CaseEvent.Kind.CONSENT_RECORDED: _("Consent recorded for %(person)s."),
    CaseEvent.Kind.CONSENT_WITHDRAWN: _("Consent of %(person)s withdrawn: %(reason)s"),
    CaseEvent.Kind.MEMBER_ADDED: _("%(person)s added to the family."),
    CaseEvent.Kind.MEMBER_CHANGED: _("Details of %(person)s changed."),
    CaseEvent.Kind.MEMBER_REMOVED: _("%(person)s removed from the family: %(reason)s"),
    CaseEvent.Kind.MEMBERS_MERGED: _("Two records of %(person)s merged into one: %(reason)s"),
    CaseEvent.Kind.SAFETY_WARNING: _("Staff-safety warning recorded on the family."),
}


class DisclosureCheck(models.Model):
    """The six checks a health or social-care agency makes before information about a client
    leaves it (seed 001, step 3). Kept by the agency for itself: only its own members see it.

    Steps: (1) the concern recognised, analysed and verified; (2) discussed with the client;
    (3) colleagues or local experts consulted; (4) managers consulted; (5) a risk assessment by
    specialists; (6) shared with the right partners.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosure_checks")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    concern_verified_on = models.DateField(_("1. concern recognised, analysed and verified"), null=True, blank=True)
    discussed_with_client_on = models.DateField(_("2. discussed with the client"), null=True, blank=True)
    not_discussed_because = models.CharField(
        _("or not discussed, because"),
        max_length=300,
        blank=True,
        help_text=_("For example: discussing it would put someone at risk."),
    )
    colleagues_consulted_on = models.DateField(_("3. colleagues or local experts consulted"), null=True, blank=True)
    managers_consulted_on = models.DateField(_("4. managers consulted"), null=True, blank=True)
    risk_assessed_on = models.DateField(_("5. risk assessed by specialists"), null=True, blank=True)
    shared_on = models.DateField(_("6. shared with the partners named"), null=True, blank=True)
    shared_with = models.ManyToManyField("agencies.Agency", blank=True, related_name="+", verbose_name=_("partners"))
    # Sharing is a disclosure: it names its basis, as a share does (decision 42).
    basis = models.CharField(_("lawful basis of sharing"), max_length=16, choices=CaseShare.Basis.choices, blank=True)
    consent = models.ForeignKey(
        "families.Consent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent record"),
    )
    basis_detail = models.TextField(
        _("justification or legal duty"),
        blank=True,
        help_text=_("For an override: why sharing is necessary; for a legal duty: which duty, and why."),
    )
    agreement = models.ForeignKey(
        "cases.SharingAgreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("information-sharing agreement"),
    )
    agreement_override = models.TextField(_("emergency override: why no agreement is named"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.case_own_agency
    read_action = Action.VIEW

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("disclosure check")
        verbose_name_plural = _("disclosure checks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shared_on__isnull=True)
                | models.Q(
                    concern_verified_on__isnull=False,
                    colleagues_consulted_on__isnull=False,
                    managers_consulted_on__isnull=False,
                    risk_assessed_on__isnull=False,
                ),
                name="%(app_label)s_%(class)s_checked_before_sharing",
                violation_error_message=_("Information is shared only after steps 1 to 5."),
            ),
            models.CheckConstraint(
                condition=models.Q(shared_on__isnull=True)
                | models.Q(discussed_with_client_on__isnull=False)
                | ~models.Q(not_discussed_because=""),
                name="%(app_label)s_%(class)s_client_discussed_or_why_not",
                violation_error_message=_("Say when it was discussed with the client, or why it was not."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.agency}"

    @property
    def steps_done(self) -> int:
        dates = [
            self.concern_verified_on,
            self.discussed_with_client_on or (self.not_discussed_because or None),
            self.colleagues_consulted_on,
            self.managers_consulted_on,
            self.risk_assessed_on,
            self.shared_on,
        ]
        return sum(1 for value in dates if value)


class CaseUserObjectPermission(UserObjectPermissionBase):
    """An individual grant: one user may read one case (a named consultant, an expert, a seconded
    worker), for a reason, until an end date (decision 96).

    Stored in guardian's direct foreign-key table, so `user.has_perm("cases.view_case", case)`
    answers for it (the backend `agencies.access.backends.GrantBackend` honours the end date).
    Made and ended only through `cases.services.grant_access` / `revoke_grant` / `expire_grants`,
    each recorded in the audit chain and the case's access log.
    """

    class Scope(models.TextChoices):
        SUMMARY = "view_case_summary", _("Summary")
        FULL = "view_case", _("Full case file")

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="grants")
    reason = models.TextField(_("reason"))
    ends_at = models.DateTimeField(_("ends"), db_index=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta(UserObjectPermissionBase.Meta):
        ordering = ["ends_at", "pk"]
        verbose_name = _("individual grant")
        verbose_name_plural = _("individual grants")

    def __str__(self) -> str:
        return f"{self.user} · {self.content_object_id} · {self.permission.codename}"

    @property
    def is_current(self) -> bool:
        return self.ends_at > timezone.now()
