"""Families (households) and the people in them (seed 000, "key terms")."""

import datetime
from collections.abc import Iterable

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import Action, RestrictedQuerySet, rules

from .matching import name_key

__all__ = ["Consent", "DisclosureRestriction", "Family", "Person"]


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

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members", verbose_name=_("family"))
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    relationship = models.CharField(_("relationship to the index person"), max_length=32, choices=Relationship.choices)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    # Spelling-insensitive keys of the names (families.matching), kept by save().
    given_name_key = models.CharField(max_length=100, editable=False, blank=True, default="")
    family_name_key = models.CharField(max_length=100, editable=False, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.person
    read_action = Action.VIEW_SUMMARY

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
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
            )
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
        if update_fields is not None:
            update_fields = {*update_fields, "given_name_key", "family_name_key"}
        super().save(force_insert=force_insert, force_update=force_update, using=using, update_fields=update_fields)

    def age(self, on: datetime.date | None = None) -> int | None:
        """Age in whole years on a date (today by default); None when the birth date is unknown."""
        if self.date_of_birth is None:
            return None
        on = on or timezone.localdate()
        born = self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

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
        return f"{self.person} · {self.given_on:%Y-%m-%d}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None

    def purpose_labels(self) -> list[str]:
        return [str(self.Purpose(p).label) for p in self.purposes if p in self.Purpose.values]
