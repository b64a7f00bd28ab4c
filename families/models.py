"""Families (households) and the people in them (seed 000, "key terms")."""

import datetime
from collections.abc import Iterable

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from agencies.access import Action, RestrictedQuerySet, rules

from .matching import name_key

__all__ = [
    "CivilDocument",
    "Consent",
    "DisclosureRestriction",
    "Family",
    "MemberChange",
    "Person",
    "PersonQuerySet",
    "Relation",
    "SafetyWarning",
    "Whereabouts",
]


class CivilDocument(models.TextChoices):
    """Civil documents a member holds (children born abroad often hold none)."""

    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    IDENTITY_CARD = "identity_card", _("Identity card")
    PASSPORT = "passport", _("Passport")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    FOREIGN_DOCUMENT = "foreign_document", _("A document issued abroad")
    NONE = "none", _("None")


class PersonQuerySet(RestrictedQuerySet):
    def current(self) -> "PersonQuerySet":
        """Members still in the register: not removed, not merged into another record."""
        return self.filter(ended_at__isnull=True)


class Family(models.Model):
    """People tied by blood, by affinity, by living together, or a mix of these."""

    name = models.CharField(_("family name"), max_length=200, help_text=_("How the partners refer to the household."))
    home_languages = models.CharField(
        _("languages spoken at home"), max_length=200, blank=True, help_text=_("For example: Albanian, Arabic.")
    )
    area = models.CharField(_("area"), max_length=200, blank=True, help_text=_("Neighbourhood or municipality."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.family
    read_action = Action.VIEW_SUMMARY

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("family")
        verbose_name_plural = _("families")

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A member of a family; one of them is usually the index person of a case."""

    class Relationship(models.TextChoices):
        INDEX = "index", _("Index person")
        PARENT = "parent", _("Parent")
        STEP_PARENT = "step_parent", _("Step-parent")
        SIBLING = "sibling", _("Sibling")
        SPOUSE = "spouse", _("Spouse or partner")
        CHILD = "child", _("Child")
        GRANDPARENT = "grandparent", _("Grandparent")
        OTHER_RELATIVE = "other_relative", _("Other relative")
        HOUSEHOLD = "household", _("Lives in the household")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Another gender")

    class Place(models.TextChoices):
        """Where a member is (the guidance: news of a death or detention abroad is taken seriously)."""

        AT_HOME = "at_home", _("At home")
        ABROAD = "abroad", _("Abroad")
        CONFLICT_ZONE = "conflict_zone", _("In a conflict zone")
        RETURNED = "returned", _("Returned")
        DETAINED = "detained", _("Detained")
        IN_CARE = "in_care", _("In care")
        REPORTED_DEAD = "reported_dead", _("Reported dead")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members", verbose_name=_("family"))
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    other_names = models.CharField(
        _("other spellings and aliases"),
        max_length=300,
        blank=True,
        help_text=_("Separated by commas: how others write the name, a nickname, a name used abroad."),
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("estimated year of birth"), null=True, blank=True, help_text=_("When the date of birth is not known.")
    )
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    relationship = models.CharField(_("relationship to the index person"), max_length=32, choices=Relationship.choices)
    lives_in_household = models.BooleanField(_("lives in the household"), default=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    contact_agreed = models.BooleanField(
        _("the family agreed to keep contact details"),
        default=False,
        help_text=_("Contact details are kept only where the family agreed."),
    )
    phone = models.CharField(_("telephone"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    school_or_work = models.CharField(_("school or workplace"), max_length=200, blank=True)
    civil_documents = models.JSONField(_("civil documents held"), default=list, blank=True)
    # Where the member is now; the dated history is in Whereabouts.
    whereabouts = models.CharField(_("whereabouts"), max_length=16, choices=Place.choices, blank=True)
    whereabouts_since = models.DateField(_("since"), null=True, blank=True)
    # Spelling-insensitive keys of the names (families.matching), kept by save().
    given_name_key = models.CharField(max_length=100, editable=False, blank=True, default="")
    family_name_key = models.CharField(max_length=100, editable=False, blank=True, default="")
    other_name_keys = models.CharField(max_length=400, editable=False, blank=True, default="")
    # A member removed from the register (never deleted: entries refer to them), or merged into
    # another record of the same person (decision 68).
    ended_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    end_reason = models.CharField(_("why removed"), max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("merged into")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PersonQuerySet.as_manager()
    access_rule = rules.person
    read_action = Action.VIEW_SUMMARY

    # What a change keeps in the member's history (MemberChange), in the form's order.
    REGISTER_FIELDS = (
        "given_name",
        "family_name",
        "other_names",
        "date_of_birth",
        "birth_year",
        "gender",
        "relationship",
        "lives_in_household",
        "languages",
        "contact_agreed",
        "phone",
        "address",
        "school_or_work",
        "civil_documents",
        "whereabouts",
        "whereabouts_since",
    )

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        permissions = [("merge_person", _("Can merge two records of one person"))]
        indexes = [
            models.Index(fields=["family_name_key", "given_name_key"], name="families_person_name_key_idx"),
            # Prefix searches (LIKE 'kra%') use a pattern-ops index on PostgreSQL.
            models.Index(
                fields=["family_name_key"], opclasses=["varchar_pattern_ops"], name="families_person_key_like_idx"
            ),
            # The reminder sweep: young people nearing 18 (reminders/sweep.py).
            models.Index(
                fields=["date_of_birth"],
                condition=models.Q(date_of_birth__isnull=False),
                name="families_person_born_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_of_birth__isnull=True) | models.Q(date_of_birth__gte=datetime.date(1900, 1, 1)),
                name="%(app_label)s_%(class)s_plausible_birth_date",
                violation_error_message=_("The date of birth is not plausible."),
            ),
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True) | models.Q(birth_year__gte=1900, birth_year__lte=2200),
                name="%(app_label)s_%(class)s_plausible_birth_year",
                violation_error_message=_("The year of birth is not plausible."),
            ),
            models.CheckConstraint(
                condition=models.Q(contact_agreed=True) | models.Q(phone="", address=""),
                name="%(app_label)s_%(class)s_contact_only_if_agreed",
                violation_error_message=_("Contact details are kept only where the family agreed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def save(
        self,
        *,
        force_insert: bool | tuple[models.base.ModelBase, ...] = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None:
        self.given_name_key = name_key(self.given_name)
        self.family_name_key = name_key(self.family_name)
        # Each alias's words as keys, space-separated, so that a search meets "Abu Ardit" or "Krasnici".
        words = {name_key(word) for alias in self.alias_list() for word in alias.split()}
        self.other_name_keys = " ".join(sorted(word for word in words if word))[:400]
        if update_fields is not None:
            update_fields = {*update_fields, "given_name_key", "family_name_key", "other_name_keys"}
        super().save(force_insert=force_insert, force_update=force_update, using=using, update_fields=update_fields)

    @property
    def is_current(self) -> bool:
        return self.ended_at is None

    def document_labels(self) -> list[str]:
        return [str(CivilDocument(code).label) for code in self.civil_documents if code in CivilDocument.values]

    def alias_list(self) -> list[str]:
        return [name.strip() for name in self.other_names.split(",") if name.strip()]

    def age(self, on: datetime.date | None = None) -> int | None:
        """Age in whole years on a date (today by default); None when the birth date is unknown."""
        if self.date_of_birth is None:
            return None
        on = on or timezone.localdate()
        born = self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    def estimated_age(self, on: datetime.date | None = None) -> int | None:
        """The age from the date of birth, or else about what the estimated year gives."""
        age = self.age(on)
        if age is None and self.birth_year is not None:
            return (on or timezone.localdate()).year - self.birth_year
        return age

    @property
    def is_child(self) -> bool:
        age = self.age()
        return age is not None and age < 18

    def eighteenth_birthday(self) -> datetime.date | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        try:
            return born.replace(year=born.year + 18)
        except ValueError:  # born on 29 February: 18 on 1 March, as age() counts
            return datetime.date(born.year + 18, 3, 1)


class DisclosureRestriction(models.Model):
    """What a family member knows, and what they must not be told (step 3: "the son does not know
    his mother asked for help"). Shown as a warning to everyone who opens one of the family's
    cases, so that no visit or call gives it away."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="restrictions")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="restrictions", verbose_name=_("family member")
    )
    knows = models.CharField(_("what they know"), max_length=300, blank=True)
    must_not_be_told = models.CharField(_("what they must not be told"), max_length=300)
    recorded_by = models.ForeignKey("agencies.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.family_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["family", "person", "-created_at"]
        verbose_name = _("disclosure restriction")
        verbose_name_plural = _("disclosure restrictions")

    def __str__(self) -> str:
        return f"{self.person}: {self.must_not_be_told}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class SafetyWarning(models.Model):
    """A danger to the professionals who visit a family or an address (seed 000: "guarantee the
    safety of professionals"): visit in pairs only, police protection, a dog, weapons, a hostile
    relative. Every reader of one of the family's cases learns that a warning exists and its kind
    (a summary reader too: the panel sends people to the door); only full readers read its detail
    and the address. It is reviewed by its date and ended when it no longer applies."""

    class Kind(models.TextChoices):
        PAIRS_ONLY = "pairs_only", _("Visit in pairs only")
        POLICE_PROTECTION = "police_protection", _("Visit with police protection")
        DOG = "dog", _("Dangerous dog")
        WEAPONS = "weapons", _("Weapons in the home")
        HOSTILE_RELATIVE = "hostile_relative", _("Hostile relative")
        OTHER = "other", _("Other danger")

    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, related_name="safety_warnings", verbose_name=_("family")
    )
    kind = models.CharField(_("kind of danger"), max_length=24, choices=Kind.choices)
    address = models.CharField(
        _("address"), max_length=300, blank=True, help_text=_("Only if the danger is at one address of the family.")
    )
    detail = models.TextField(_("what visitors must know"), blank=True)
    review_on = models.DateField(_("review by"))
    recorded_by = models.ForeignKey("agencies.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey("agencies.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.family_child
    # A summary reader knows it exists and its kind (decision 133).
    read_action = Action.VIEW_SUMMARY
    # What a summary reader is not told.
    FULL_ONLY = ("address", "detail")

    class Meta:
        ordering = ["family", "-created_at", "-pk"]
        verbose_name = _("staff-safety warning")
        verbose_name_plural = _("staff-safety warnings")
        indexes = [
            models.Index(fields=["family", "ended_at"], name="families_safety_current_idx"),
            models.Index(fields=["review_on"], name="families_safety_review_idx"),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class Consent(models.Model):
    """Consent to support, given by a family member (or, for a child, by a parent): a record of its
    own, apart from the lawful basis of any share. A share on consent points to one of these
    (decision 42); withdrawing it flags those shares on the case."""

    class Purpose(models.TextChoices):
        SUPPORT_PLAN = "support_plan", _("Support and an intervention plan")
        SHARING = "sharing", _("Sharing information with the agencies named")
        HOME_VISITS = "home_visits", _("Home visits")
        SCHOOL = "school", _("Contact with the school")
        HEALTH = "health", _("Contact with health services")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="consents", verbose_name=_("family"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents", verbose_name=_("consent for"))
    given_by = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="consents_given",
        verbose_name=_("given by"),
        help_text=_("The person themself, or a parent or guardian for a child."),
    )
    given_on = models.DateField(_("given on"))
    purposes = models.JSONField(_("consent to"), default=list, blank=True)
    agencies = models.ManyToManyField(
        "agencies.Agency", blank=True, related_name="+", verbose_name=_("agencies information may go to")
    )
    purpose_text = models.CharField(_("in the family's words"), max_length=500, blank=True)
    recorded_by = models.ForeignKey("agencies.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey("agencies.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    withdraw_reason = models.CharField(_("why it was withdrawn"), max_length=500, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.family_child
    read_action = Action.VIEW

    class Meta:
        ordering = ["family", "-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["family", "withdrawn_at"], name="families_consent_current_idx")]

    def __str__(self) -> str:
        return f"{self.person} · {date_format(self.given_on, 'SHORT_DATE_FORMAT')}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None

    def purpose_labels(self) -> list[str]:
        return [str(self.Purpose(p).label) for p in self.purposes if p in self.Purpose.values]


class Whereabouts(models.Model):
    """Where a member was, from a date: the dated history behind `Person.whereabouts`."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+", verbose_name=_("family"))
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="whereabouts_history", verbose_name=_("family member")
    )
    place = models.CharField(_("whereabouts"), max_length=16, choices=Person.Place.choices)
    since = models.DateField(_("since"), null=True, blank=True)
    recorded_by = models.ForeignKey("agencies.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.family_file
    read_action = Action.VIEW

    class Meta:
        ordering = ["person", "-recorded_at", "-pk"]
        verbose_name = _("whereabouts")
        verbose_name_plural = _("whereabouts")
        indexes = [models.Index(fields=["person", "-recorded_at"], name="families_where_person_idx")]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_place_display()}"


class Relation(models.Model):
    """How two members are related ("mother of", "spouse of"), beside each one's relationship to
    the index person. Ended, never deleted."""

    class Kind(models.TextChoices):
        PARENT = "parent", _("parent of")
        STEP_PARENT = "step_parent", _("step-parent of")
        GUARDIAN = "guardian", _("guardian of")
        GRANDPARENT = "grandparent", _("grandparent of")
        SPOUSE = "spouse", _("spouse or partner of")
        SIBLING = "sibling", _("sibling of")
        OTHER = "other", _("other relative of")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+", verbose_name=_("family"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations", verbose_name=_("member"))
    kind = models.CharField(_("relation"), max_length=16, choices=Kind.choices)
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("of"))
    recorded_by = models.ForeignKey("agencies.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.family_file
    read_action = Action.VIEW

    # Who is the parent (or guardian) of whom: the consent rules read these (a parent for a child).
    CARERS = (Kind.PARENT, Kind.STEP_PARENT, Kind.GUARDIAN, Kind.GRANDPARENT)

    class Meta:
        ordering = ["person", "kind", "pk"]
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(person=models.F("other")),
                name="%(app_label)s_%(class)s_not_to_oneself",
                violation_error_message=_("A member is not related to themself."),
            ),
            models.UniqueConstraint(
                fields=["person", "kind", "other"],
                condition=models.Q(ended_at__isnull=True),
                name="%(app_label)s_%(class)s_unique_current",
                violation_error_message=_("This relation is recorded already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.label()} · {self.other}"

    def label(self) -> str:
        """ "mother of", "father of" where the member's gender says it; else the kind's label."""
        if self.kind == self.Kind.PARENT and self.person.gender == Person.Gender.FEMALE:
            return str(_("mother of"))
        if self.kind == self.Kind.PARENT and self.person.gender == Person.Gender.MALE:
            return str(_("father of"))
        return str(self.get_kind_display())


class MemberChange(models.Model):
    """One add, change, removal or merge of a member: the previous values kept, shown to the
    family's full readers as the member's history (the audit trail keeps its own record)."""

    class Kind(models.TextChoices):
        ADDED = "added", _("Added to the family")
        CHANGED = "changed", _("Changed")
        REMOVED = "removed", _("Removed from the family")
        MERGED = "merged", _("Merged with another record of the same person")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+", verbose_name=_("family"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="changes", verbose_name=_("member"))
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    # {field: [before, after]} in the fields' stored form.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    actor = models.ForeignKey("agencies.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.family_file
    read_action = Action.VIEW

    class Meta:
        ordering = ["person", "-at", "-pk"]
        verbose_name = _("change to a member")
        verbose_name_plural = _("changes to members")
        indexes = [models.Index(fields=["person", "-at"], name="families_change_person_idx")]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_kind_display()}"

    def rows(self) -> list[tuple[str, object, object]]:
        """Each changed field by its label, with its value before and after as the reader reads it."""
        rows = []
        for name, (before, after) in self.changes.items():
            if name not in Person.REGISTER_FIELDS:
                continue
            field = Person._meta.get_field(name)
            if isinstance(field, models.Field):
                rows.append((str(field.verbose_name), _shown(field, before), _shown(field, after)))
        return rows


def _shown(field: models.Field[object, object] | object, value: object) -> object:
    """A stored value in the reader's words: a choice by its label, yes or no, documents by name."""
    if value in (None, "", []):
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(CivilDocument(code).label) for code in value if code in CivilDocument.values)
    choices = dict(getattr(field, "choices", None) or [])
    return choices.get(value, value)
