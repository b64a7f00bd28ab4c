"""What lets someone turn on two-factor sign-in, and what lets them in without their phone.

Both are random codes shown once and kept only as a keyed hash (HMAC-SHA256 with the secret key):
a copy of the database does not give them. They are long enough (50 bits and more) that a fast
hash is safe; a slow password hash would make every sign-in with a recovery code cost seconds.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

__all__ = ["EnrolmentCode", "RecoveryCode", "code_hash", "new_code"]

# Letters and digits that cannot be mistaken for one another when read aloud or typed.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_code(length: int) -> str:
    """A random code in groups of five (`k7m2p-9xq4r`), easy to read out and to type."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return "-".join(raw[i : i + 5] for i in range(0, length, 5))


def code_hash(purpose: str, code: str) -> str:
    """The stored form of a code: what was typed, without spaces, dashes or capitals, keyed."""
    typed = "".join(ch for ch in code.lower() if ch.isalnum())
    return salted_hmac(f"agencies.two_factor.{purpose}", typed, algorithm="sha256").hexdigest()


class EnrolmentCode(models.Model):
    """A one-time code an administrator or supervisor gives a user to turn on two-factor sign-in.

    Without it, a password alone would let whoever holds it enrol their own authenticator on an
    account not yet enrolled (decision 64). Single use, expiring, kept as a hash."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_codes", verbose_name=_("user")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    code_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("two-factor enrolment code")
        verbose_name_plural = _("two-factor enrolment codes")

    def __str__(self) -> str:
        return f"{self.user_id} {self.issued_at:%Y-%m-%d %H:%M}"


class RecoveryCode(models.Model):
    """One of a user's codes for signing in without their authenticator app: each works once, and
    issuing a new set ends the old one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("user")
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["user", "created_at"]
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
