"""Exports of the case list: made at once, or by a worker when long (decisions 109 and 111).

A short list is made in the request and recorded at once. A longer one (`URA_EXPORT_BACKGROUND_ROWS`)
becomes an `ExportJob`: the worker makes the same file through `restrict()` for the person who
asked, in their language and as they see names, keeps it in the storage until its link expires
(`URA_EXPORT_KEEP_HOURS`), and records the export with its row count when it is made. Beat deletes
expired files (`expire_exports`). Every export is one `case_list_exported` record: who, the
format, how many rows, which cases and the filters.
"""

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import User
from agencies.people import viewing_as
from audit.models import AuditEvent
from audit.services import record

from ..exports import FORMATS, ExportFile, listed_cases, make_export
from ..models import ExportJob
from ..signals import export_ready
from .jobs import publish_job

__all__ = ["expire_exports", "export_case_list", "may_still_download", "run_export", "start_export"]

logger = logging.getLogger(__name__)
Status = ExportJob.Status


def _record(user: User, made: ExportFile, fmt: str, filters: Mapping[str, list[str]], **extra: Any) -> None:
    record(
        AuditEvent.Action.CASE_LIST_EXPORTED,
        actor=user,
        format=fmt,
        count=len(made.ids),
        ids=made.ids,
        search=dict(filters),
        **extra,
    )


def export_case_list(
    user: User, *, filters: Mapping[str, list[str]], fmt: str, ip_address: str | None = None
) -> ExportFile | ExportJob:
    """The case list `user` sees under `filters` as a file, recorded; or, when it is longer than
    `URA_EXPORT_BACKGROUND_ROWS`, a job a worker makes it in."""
    if fmt not in FORMATS:
        raise ValidationError(_("Choose CSV or XLSX."))
    threshold = settings.URA_EXPORT_BACKGROUND_ROWS
    total = listed_cases(user, filters)[: threshold + 1].count()
    if total > threshold:
        return start_export(user, filters=filters, fmt=fmt)
    made = make_export(user, filters, fmt)
    _record(user, made, fmt, filters, ip_address=ip_address)
    return made


def start_export(user: User, *, filters: Mapping[str, list[str]], fmt: str) -> ExportJob:
    """Queue an export for a worker once this transaction commits."""
    if fmt not in FORMATS:
        raise ValidationError(_("Choose CSV or XLSX."))
    listed = listed_cases(user, filters)  # refuses bad filters now, not in the worker
    total = listed.count()
    job = ExportJob.objects.create(
        requested_by=user,
        format=fmt,
        filters=dict(filters),
        language=translation.get_language() or "",
        total=total,
    )
    from ..tasks import run_export_task

    publish_job(run_export_task, job.pk)
    return job


def run_export(job_id: int) -> ExportJob | None:
    """Make a queued export once (a redelivered task finds it claimed and does nothing)."""
    if not ExportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(status=Status.RUNNING):
        return None
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    user = job.requested_by

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=done)

    with translation.override(job.language or user.language or None), viewing_as(user):
        try:
            made = make_export(user, job.filters, job.format, progress)
            with transaction.atomic():
                job.file.save(made.filename, ContentFile(made.content), save=False)
                job.status, job.done, job.total = Status.DONE, len(made.ids), len(made.ids)
                job.expires_at = timezone.now() + datetime.timedelta(hours=settings.URA_EXPORT_KEEP_HOURS)
                job.finished_at = timezone.now()
                job.save(update_fields=["file", "status", "done", "total", "expires_at", "finished_at"])
                _record(user, made, job.format, job.filters, job=job.pk)
                export_ready.send(sender=ExportJob, job=job)
        except ValidationError as error:
            job.status, job.error = Status.FAILED, " ".join(error.messages)
        except Exception:
            logger.exception("case list export %s failed", job.pk)
            job.status, job.error = Status.FAILED, _("The export failed. Try again.")
        if job.status == Status.FAILED:
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error", "finished_at"])
    return job


def may_still_download(user: Any) -> bool:
    """Whether the requester of an export may still take its file: active, and still a member of an
    agency (a departure ends the membership row, decision 117). A file made before someone left is
    not theirs to take away afterwards (404, as for anyone else's)."""
    return bool(user.is_active) and user.memberships.exists()


def expire_exports(now: datetime.datetime | None = None) -> int:
    """Delete the files whose links have expired (beat). Running twice deletes nothing twice."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(status=Status.DONE, expires_at__lte=now):
        if job.file:
            job.file.delete(save=False)
        job.status = Status.EXPIRED
        job.save(update_fields=["file", "status"])
        count += 1
    return count
