"""Joining and leaving the partnership without the admin, and the protocols everyone reads first
(issue 13, items 4 and 5; decisions 117 and 118).

An invitation is a one-time, expiring link e-mailed to a new person: it lets them set their
password and turn on two-factor sign-in. A departure records a membership that ended, with its
date (the membership itself is deleted, which ends its holder's access, tokens and sessions). A
protocol is a text every member whose role it names must acknowledge, version by version, before
any case page or case API answers them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

__all__ = ["Departure", "Invitation", "Protocol", "ProtocolAcknowledgement"]


class Invitation(models.Model):
    """A one-time link that lets a new person set their password and enrol their second factor.

    Only the keyed hash of its token is kept (as for enrolment codes, decision 64)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("person")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class Departure(models.Model):
    """A membership that ended, or will end: who, in which agency and role, from which day, and who
    ended it.

    The membership row itself is deleted when it ends (which ends its holder's sign-ins and takes
    them out of the agency's group); this row is what remains of it. A date still to come keeps the
    membership (`membership`) until that day; `carried_out_at` says when it ended."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="departures", verbose_name=_("person")
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="departures", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=32)
    ended_on = models.DateField(_("ended on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("ended by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # A leaving date still to come: the membership stays until beat's task ends it on that day.
    membership = models.OneToOneField(
        "agencies.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="departure",
        verbose_name=_("membership"),
    )
    carried_out_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-ended_on", "-recorded_at"]
        verbose_name = _("ended membership")
        verbose_name_plural = _("ended memberships")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.agency_id} · {self.role} · {self.ended_on:%Y-%m-%d}"


class Protocol(models.Model):
    """A protocol (information sharing, confidentiality, the partnership's way of working) that the
    members whose roles it names read and acknowledge before they reach any case.

    A new version (its text changed) must be acknowledged again; `roles` empty means every role."""

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    title_sq = models.CharField(_("title in Albanian"), max_length=200, blank=True)
    text_sq = models.TextField(_("text in Albanian"), blank=True)
    roles = models.JSONField(
        _("roles it applies to"), default=list, blank=True, help_text=_("None chosen: every role.")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    in_force = models.BooleanField(_("in force"), default=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by")
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")

    def __str__(self) -> str:
        return f"{self.shown_title} (v{self.version})"

    @property
    def shown_title(self) -> str:
        return self.title_sq if translation.get_language() == "sq" and self.title_sq else self.title

    @property
    def shown_text(self) -> str:
        return self.text_sq if translation.get_language() == "sq" and self.text_sq else self.text

    def applies_to(self, roles: set[str]) -> bool:
        return not self.roles or bool(set(self.roles) & roles)


class ProtocolAcknowledgement(models.Model):
    """A member read and acknowledged one version of a protocol."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="protocol_acknowledgements",
        verbose_name=_("person"),
    )
    protocol = models.ForeignKey(
        Protocol, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("protocol")
    )
    version = models.PositiveIntegerField(_("version"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at"]
        verbose_name = _("protocol acknowledgement")
        verbose_name_plural = _("protocol acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "protocol", "version"],
                name="%(app_label)s_%(class)s_unique_user_protocol_version",
                violation_error_message=_("This version was already acknowledged."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.protocol_id} v{self.version}"
