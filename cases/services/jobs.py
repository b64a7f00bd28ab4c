"""Caseload reassignment as a background job: started by a request, run by a worker (decision 78).

The request only records what was confirmed and answers at once; the worker moves every case in one
transaction (`reassign_caseload`), so the reassignment stays all-or-nothing, and its audit records
are chained after it commits, never holding up anyone else.
"""

import datetime
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.access import Action
from agencies.models import Agency, User

from ..models import Case, ExportJob, ReassignmentJob
from .ownership import reassign_caseload

__all__ = ["publish_job", "requeue_waiting_jobs", "run_reassignment", "start_reassignment"]

logger = logging.getLogger(__name__)
Status = ReassignmentJob.Status
PROGRESS_SECONDS = 24 * 3600
# A job still queued this long after it was started lost its task (the broker was down or restarted
# empty): beat's sweep asks a worker again (`requeue_waiting_jobs`, every minute).
WAITING_SECONDS = 60


def publish_job(task: Any, job_id: int) -> None:
    """Ask a worker to run a job once this transaction commits. A broker that cannot be reached is
    logged, never raised (the job is saved; the user is shown its page): the sweep asks again."""

    def send() -> None:
        try:
            # retry=False: a broker that is down fails at once instead of holding the request.
            task.apply_async((job_id,), retry=False)
        except Exception:  # kombu raises OperationalError and others; the web must keep working
            logger.warning("jobs: broker unreachable, job %s left to the sweep", job_id, exc_info=True)

    transaction.on_commit(send)


def _requeue_abandoned_reassignments(now: datetime.datetime) -> int:
    """Put back in the queue each reassignment still `running` past the task's hard time limit
    whose run is over: its worker died (killed, the machine lost) before it committed. A run moves
    every case and marks the job done in one transaction holding the job's row, so a job still
    `running` moved nothing, and a run still alive holds the row: it is skipped (decision 159)."""
    stale = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + WAITING_SECONDS)
    with transaction.atomic():
        abandoned = list(
            ReassignmentJob.objects.select_for_update(skip_locked=True)
            .filter(status=Status.RUNNING, running_since__lt=stale)
            .values_list("pk", flat=True)[:100]
        )
        ReassignmentJob.objects.filter(pk__in=abandoned, status=Status.RUNNING).update(
            status=Status.QUEUED, running_since=None
        )
    for pk in abandoned:
        logger.warning("jobs: reassignment %s lost its worker mid-run; queued again", pk)
    return len(abandoned)


def requeue_waiting_jobs(now: datetime.datetime | None = None) -> int:
    """Ask a worker again for every job still queued after `WAITING_SECONDS`, and for every
    reassignment whose worker died mid-run; return how many. Each job is claimed once when it runs,
    so a task that arrives twice does nothing twice, and a repeat that waits past the next sweep
    expires unrun."""
    from ..tasks import run_export_task, run_reassignment_task

    now = now or timezone.now()
    _requeue_abandoned_reassignments(now)
    since = now - datetime.timedelta(seconds=WAITING_SECONDS)
    asked = 0
    for model, task in ((ReassignmentJob, run_reassignment_task), (ExportJob, run_export_task)):
        waiting = model.objects.filter(status=Status.QUEUED, created_at__lt=since).order_by("created_at")
        for pk in waiting.values_list("pk", flat=True)[:100]:
            task.apply_async((pk,), expires=WAITING_SECONDS)
            asked += 1
    return asked


def start_reassignment(
    worker: User, *, assignments: Sequence[tuple[Case, User, Agency | None]], actor: User, confirmed: bool
) -> ReassignmentJob:
    """Record a confirmed reassignment and hand it to a worker once this transaction commits."""
    if not confirmed:
        raise ValidationError(_("Confirm the reassignment first."))
    if not assignments:
        raise ValidationError(_("There is no case to reassign."))
    job = ReassignmentJob.objects.create(
        started_by=actor,
        worker=worker,
        assignments=[[case.pk, owner.pk, agency.pk if agency else None] for case, owner, agency in assignments],
        total=len(assignments),
    )
    from ..tasks import run_reassignment_task

    publish_job(run_reassignment_task, job.pk)
    return job


def _assignments(job: ReassignmentJob, actor: User) -> list[tuple[Case, User, Agency | None]]:
    ids = [row[0] for row in job.assignments]
    cases = Case.objects.restrict(actor, Action.MANAGE).in_bulk(ids)
    if len(cases) != len(set(ids)):
        raise ValidationError(_("You may no longer manage one of these cases."))
    owners = User.objects.in_bulk([row[1] for row in job.assignments])
    agencies = Agency.objects.in_bulk([row[2] for row in job.assignments if row[2] is not None])
    try:
        return [
            (cases[case_id], owners[owner_id], agencies[agency_id] if agency_id is not None else None)
            for case_id, owner_id, agency_id in job.assignments
        ]
    except KeyError as missing:
        raise ValidationError(_("A new owner or agency no longer exists.")) from missing


def run_reassignment(job_id: int) -> ReassignmentJob | None:
    """Run a queued job once (a redelivered task finds it claimed and does nothing)."""
    claimed = ReassignmentJob.objects.filter(pk=job_id, status=Status.QUEUED)
    if not claimed.update(status=Status.RUNNING, running_since=timezone.now()):
        return None
    # One transaction holding the job's row: the cases move and the job is marked done together, so
    # a job left `running` by a worker that died moved nothing and may run again (decision 159).
    with transaction.atomic():
        job = ReassignmentJob.objects.select_for_update().get(pk=job_id)
        actor, worker = User.objects.get(pk=job.started_by_id), User.objects.get(pk=job.worker_id)
        with translation.override(actor.language or None):
            try:
                reassign_caseload(
                    worker,
                    assignments=_assignments(job, actor),
                    actor=actor,
                    confirmed=True,
                    progress=lambda done: cache.set(job.progress_key, done, PROGRESS_SECONDS),
                )
            except ValidationError as error:
                job.status, job.error = Status.FAILED, " ".join(error.messages)
            except Exception:
                logger.exception("caseload reassignment %s failed", job.pk)
                job.status, job.error = Status.FAILED, _("The reassignment failed; nothing changed. Try again.")
            else:
                job.status = Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
    cache.delete(job.progress_key)
    return job
