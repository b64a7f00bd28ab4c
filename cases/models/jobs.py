"""Work run in the background: a confirmed caseload reassignment (decision 78), a long export of
the case list (decision 111)."""

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["ExportJob", "ReassignmentJob"]


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
    # When a worker claimed it: a job running far longer than a task may lost its worker (decision 159).
    running_since = models.DateTimeField(_("running since"), null=True, blank=True)
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


def _export_path(job: "ExportJob", filename: str) -> str:
    return f"exports/{job.requested_by_id}/{filename}"


class ExportJob(models.Model):
    """A case list export too long to make inside a request (decision 111): a worker makes the file
    through `restrict()` for the person who asked, as the list stood filtered on their screen, and
    keeps it in the storage (decision 97) until `expires_at`, when it is deleted. Its page, its
    download and its API answer the person who asked and nobody else (404)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    # The list's filters as the screen had them ({"stage": ["assessment"], "q": ["Gashi"]}).
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    total = models.PositiveIntegerField(_("rows expected"), default=0)
    done = models.PositiveIntegerField(_("rows written"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("file"), upload_to=_export_path, blank=True, max_length=300)
    error = models.TextField(_("why it failed"), blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("case list export")
        verbose_name_plural = _("case list exports")
        indexes = [models.Index(fields=["expires_at"], name="cases_exportjob_expires_idx")]

    def __str__(self) -> str:
        return f"{self.get_format_display()} ({self.total}): {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("cases:export_job", args=[self.pk])

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 100

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def downloadable(self) -> bool:
        return (
            self.status == self.Status.DONE
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )
