"""What a user typed in a long form, kept for them alone until the form is sent (decision 76)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..access import Action, RestrictedQuerySet, rules

__all__ = ["KeptForm", "OfflineKey"]


class KeptForm(models.Model):
    """The fields of one form, as its author last typed them: saved while they type, and when an
    expired session refused the form; given back to the same user on that page, deleted once the
    form went through. Unchecked typing, not a record: entries' drafts stay the records' own."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(_("page"), max_length=300)
    fields = models.JSONField(_("what was typed"), default=dict)
    updated_at = models.DateTimeField(_("kept at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.own_typing
    read_action = Action.VIEW

    class Meta:
        verbose_name = _("kept form")
        verbose_name_plural = _("kept forms")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "path"],
                name="agencies_keptform_unique_user_path",
                violation_error_message=_("A form is kept once per page."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.path}"


class OfflineKey(models.Model):
    """The key a user's pages encrypt offline typing with (decision 89), for the user's current
    sign-ins. In the database, not the cache: a cache restarted empty (or evicting) would leave
    what a worker typed offline unreadable, and two first requests could each make a key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    generation = models.PositiveIntegerField(_("sign-ins"))
    key = models.CharField(_("key"), max_length=64)
    made_at = models.DateTimeField(_("made at"))

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.own_typing
    read_action = Action.VIEW

    class Meta:
        verbose_name = _("offline key")
        verbose_name_plural = _("offline keys")
        ordering = ["-made_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "generation"], name="agencies_offlinekey_unique_user_generation")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.generation}"
