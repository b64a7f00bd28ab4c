"""The first answer to each write sent with an idempotency key."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["IdempotentRequest"]


class IdempotentRequest(models.Model):
    """The first answer to a write sent with an idempotency key (a form's hidden field or the API's
    `Idempotency-Key` header): written in the transaction of the write, and returned again for
    every repeat of the same key by the same user, which then stores nothing (decision 73).

    A write the public may send without signing in (the public concern page and its API) has no
    user: its row is keyed by a keyed hash of the page and the key, and its answer is kept sealed
    with the key itself, so the table alone gives back no follow-up code (decision 159)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    key = models.CharField(_("key"), max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    status = models.PositiveSmallIntegerField(default=0)
    location = models.CharField(max_length=500, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                name="%(app_label)s_%(class)s_unique_key",
                violation_error_message=_("This request was sent already."),
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(user__isnull=True),
                name="%(app_label)s_%(class)s_unique_anonymous_key",
                violation_error_message=_("This request was sent already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
