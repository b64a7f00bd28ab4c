"""Partner agencies, the people who work for them, and the info-house panels they sit on."""

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from ..access import RestrictedQuerySet, rules

__all__ = ["Agency", "Membership", "Panel", "User"]


class User(AbstractUser):
    """A professional who signs in to Ura and acts through one or more agency memberships."""

    class ReminderDelivery(models.TextChoices):
        IMMEDIATE = "immediate", _("An e-mail for each reminder")
        DIGEST = "digest", _("One e-mail a day")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNDISCLOSED = "", _("Not stated")

    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    spoken_languages = models.CharField(
        _("languages spoken"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated, for example: Albanian, English, Arabic. Helps choose a case owner."),
    )
    language = models.CharField(
        _("interface language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow the browser's language."),
    )
    reminder_delivery = models.CharField(
        _("reminders by e-mail"),
        max_length=16,
        choices=ReminderDelivery.choices,
        default=ReminderDelivery.IMMEDIATE,
        help_text=_("Reminders always show in Ura; this chooses how they reach your mailbox."),
    )

    class NameShown(models.TextChoices):
        FULL_NAME = "full_name", _("My full name")
        FIRST_NAME_INITIAL = "first_name_initial", _("My first name and the initial of my last name")
        ROLE_AND_AGENCY = "role_and_agency", _("Only my role and agency")

    name_shown_to_others = models.CharField(
        _("name shown to other agencies"),
        max_length=20,
        choices=NameShown.choices,
        default=NameShown.FULL_NAME,
        help_text=_("How your name appears to people of other agencies. Your own agency always sees your full name."),
    )

    # Raised to end every browser session of the user at once (decision 64): it is part of the
    # hash each session carries. Zero keeps Django's own hash, so no session ends when it arrives.
    sign_in_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        # One display rule for every page, serializer and e-mail (agencies.people.display_name).
        from ..people import current_viewer, display_name

        return display_name(self, current_viewer())

    def _get_session_auth_hash(self, secret: Any = None) -> str:
        password = f"{self.password}:{self.sign_in_generation}" if self.sign_in_generation else self.password
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", password, secret=secret,
            algorithm="sha256",
        ).hexdigest()  # fmt: skip

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new password ends the user's API tokens (Django's session hash ends their other
        # browser sessions). `_password` is set by set_password, not by a hash upgrade at sign-in.
        # An unusable password (an account closed to passwords) ends them too.
        changed = getattr(self, "_password", None) is not None or getattr(self, "_password_unusable", False)
        password_changed = changed and self.pk is not None
        super().save(*args, **kwargs)
        self._password_unusable = False
        if password_changed:
            from ..security import revoke_tokens

            revoke_tokens(self, reason="password_changed")

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_unusable = True

    @property
    def full_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def languages_list(self) -> list[str]:
        return [language.strip() for language in self.spoken_languages.split(",") if language.strip()]


class Agency(models.Model):
    """A partner organisation: police, social care, health, school, NGO... (seed 001, step 1).

    Each agency has a Django group holding its members, through which explicit grants (shares)
    are stored as object permissions.
    """

    class Sector(models.TextChoices):
        POLICE = "police", _("Police")
        SOCIAL_CARE = "social_care", _("Social care")
        MENTAL_HEALTH = "mental_health", _("Mental health")
        HEALTH = "health", _("Health")
        EDUCATION = "education", _("Education")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        EMPLOYMENT = "employment", _("Employment")
        HOUSING = "housing", _("Housing")
        YOUTH_WORK = "youth_work", _("Youth work")
        NGO = "ngo", _("NGO")
        PROBATION = "probation", _("Probation")
        OTHER = "other", _("Other")

    # Health and social-care agencies keep the six checks before information leaves them (seed 001).
    DISCLOSING_SECTORS: ClassVar[frozenset[str]] = frozenset({Sector.SOCIAL_CARE, Sector.MENTAL_HEALTH, Sector.HEALTH})

    class PartnerKind(models.TextChoices):
        CORE = "core", _("Core partner")
        AD_HOC = "ad_hoc", _("Ad-hoc partner")

    name = models.CharField(_("name"), max_length=200, unique=True)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    partner_kind = models.CharField(
        _("partner kind"), max_length=16, choices=PartnerKind.choices, default=PartnerKind.CORE
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, editable=False, related_name="agency")
    # Its place in the partnership (seed 001: «the mandate and purpose of the organisation»).
    mandate = models.TextField(_("mandate"), blank=True, help_text=_("What the law or its founders charge it with."))
    contribution = models.TextField(
        _("what it brings"), blank=True, help_text=_("What it brings to the table: services, knowledge, powers.")
    )
    secrecy_limits = models.TextField(
        _("limits of professional secrecy"),
        blank=True,
        help_text=_("What its staff may not share, and on which conditions they may."),
    )
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("single point of contact"),
    )
    contact_details = models.CharField(
        _("contact details"), max_length=200, blank=True, help_text=_("A telephone number or an e-mail address.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The group is part of the agency's identity: created with it, never chosen.
        if self.group_id is None:
            self.group = Group.objects.create(name=f"agency:{self.name}"[:150])
        elif self.pk is not None:
            Group.objects.filter(pk=self.group_id).update(name=f"agency:{self.name}"[:150])
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A user's role in an agency. A user may hold several roles, in one or several agencies."""

    class Role(models.TextChoices):
        PRACTITIONER = "practitioner", _("Practitioner")
        SUPERVISOR = "supervisor", _("Supervisor")
        COORDINATOR = "coordinator", _("Coordinator")
        POLICE_LIAISON = "police_liaison", _("Police liaison")
        PANEL_MEMBER = "panel_member", _("Panel member")
        AGENCY_ADMIN = "agency_admin", _("Agency administrator")
        DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data protection officer")

    # Roles that work cases: they see their agency's own cases in full.
    CASEWORK_ROLES: ClassVar[frozenset[str]] = frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.POLICE_LIAISON})
    # Roles that sit on a panel: they see the summaries of the panel's cases.
    PANEL_ROLES: ClassVar[frozenset[str]] = frozenset({Role.COORDINATOR, Role.PANEL_MEMBER})
    # Roles that read no case through their agency: they administer people, or oversee the
    # processing itself (the data protection officer reads the audit trail, not the case files).
    NO_CASE_ROLES: ClassVar[frozenset[str]] = frozenset({Role.AGENCY_ADMIN, Role.DATA_PROTECTION_OFFICER})
    # Whose membership this was before the save in progress, when it is moved to another person
    # (set by agencies.signals, which takes the first person out of the agency's group too).
    _previous_user_id: int | None = None
    # Its agency and role before that save (a change of either ends its holder's sign-ins).
    _previous_role: tuple[Any, str] | None = None

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("agency"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["agency__name", "user__username", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"],
                name="%(app_label)s_%(class)s_unique_user_agency_role",
                violation_error_message=_("This user already holds this role in this agency."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency} · {self.get_role_display()}"

    @property
    def is_casework(self) -> bool:
        return self.role in self.CASEWORK_ROLES


class Panel(models.Model):
    """An info-house / safety house / partner table: agencies meeting regularly on cases (step 2)."""

    class RecordMode(models.TextChoices):
        FULL_MINUTES = "full_minutes", _("Full minutes")
        DECISIONS_ONLY = "decisions_only", _("Decisions only")
        NO_MINUTES = "no_minutes", _("No minutes")

    name = models.CharField(_("name"), max_length=200, unique=True)
    agencies = models.ManyToManyField(
        Agency, related_name="panels", verbose_name=_("core agencies"), help_text=_("The panel's permanent members.")
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coordinated_panels",
        verbose_name=_("coordinator"),
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="chaired_panels",
        null=True,
        blank=True,
        verbose_name=_("chair"),
    )
    single_point_of_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="front_door_panels",
        null=True,
        blank=True,
        verbose_name=_("single point of contact"),
        help_text=_(
            "Receives the concerns sent to the panel's front door, with the coordinator. Needs a panel "
            "role to read them and a casework role to triage them."
        ),
    )
    cadence_days = models.PositiveSmallIntegerField(
        _("meets every (days)"), default=14, help_text=_("For example 14 for a meeting every two weeks.")
    )
    record_mode = models.CharField(
        _("meeting record"), max_length=32, choices=RecordMode.choices, default=RecordMode.DECISIONS_ONLY
    )
    terms_of_reference = models.TextField(
        _("terms of reference"), blank=True, help_text=_("What the panel is for, how it works, who takes part.")
    )
    emergency_steps = models.TextField(
        _("steps of the emergency plan"),
        blank=True,
        help_text=_("One step a line, in order: what happens when a crisis cannot wait for the next meeting."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.panel

    class Meta:
        ordering = ["name"]
        verbose_name = _("panel")
        verbose_name_plural = _("panels")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cadence_days__gte=1),
                name="%(app_label)s_%(class)s_cadence_positive",
                violation_error_message=_("A panel meets at least every day."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("panels:panel", kwargs={"pk": self.pk})

    @property
    def emergency_step_list(self) -> list[str]:
        return [line.strip() for line in self.emergency_steps.splitlines() if line.strip()]
