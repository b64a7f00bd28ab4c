"""A confirmed caseload reassignment, run in the background (decision 78)."""

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["ReassignmentJob"]


class ReassignmentJob(models.Model):
    """A leaving worker's cases handed to new owners by a worker process, all in one transaction or
    none. Holds ids only; its page and API answer the person who started it and nobody else.

    Its progress while it runs lives in the cache (`progress_key`): the rows it changes are invisible
    to anyone else until it commits, and so would a progress column be.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Nothing changed")

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("started by")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("leaving worker")
    )
    # [[case id, new owner id, agency id or null], ...] in the order they are moved
    assignments = models.JSONField(_("assignments"), default=list)
    total = models.PositiveIntegerField(_("cases"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("why nothing changed"), blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("caseload reassignment")
        verbose_name_plural = _("caseload reassignments")

    def __str__(self) -> str:
        return f"{self.worker} ({self.total}): {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("panels:reassignment", args=[self.pk])

    @property
    def progress_key(self) -> str:
        return f"ura:reassignment:{self.pk}:done"

    @property
    def done(self) -> int:
        if self.status == self.Status.DONE:
            return self.total
        if self.status == self.Status.FAILED:
            return 0
        value: Any = cache.get(self.progress_key, 0)
        return min(int(value), self.total)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
