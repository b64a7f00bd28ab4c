"""Writes of training records and library resources: each one transaction with its audit record."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from agencies import induction, joining
from agencies.models import Membership, User
from audit.models import AuditEvent
from audit.services import record
from cases import uploads, virus_scan

from .models import Resource, TrainingRecord

__all__ = [
    "add_resource",
    "may_manage_library",
    "people_trained_by",
    "record_training",
    "remove_resource",
    "remove_training",
    "training_visible_to",
]


def may_manage_library(actor: Any) -> bool:
    """The coordinator manages the library (and superusers)."""
    return induction.may_publish(actor)


def people_trained_by(actor: Any) -> QuerySet[User]:
    """Whose training `actor` records: the people of the agencies they manage (decision 117)."""
    agencies = joining.managed_agencies(actor)
    return User.objects.filter(memberships__agency__in=agencies, is_active=True).distinct()


def training_visible_to(actor: Any) -> QuerySet[TrainingRecord]:
    """One's own records, and those of the people one records training for."""
    if not getattr(actor, "is_authenticated", False):
        return TrainingRecord.objects.none()
    mine = TrainingRecord.objects.filter(person=actor)
    theirs = TrainingRecord.objects.filter(person__in=people_trained_by(actor))
    return (mine | theirs).distinct().select_related("person")


@transaction.atomic
def record_training(
    *,
    actor: User,
    person: User,
    course: str,
    completed_on: datetime.date,
    refresh_due_on: datetime.date | None = None,
    provider: str = "",
) -> TrainingRecord:
    if not people_trained_by(actor).filter(pk=person.pk).exists():
        raise PermissionError
    if refresh_due_on is not None and refresh_due_on <= completed_on:
        raise ValidationError({"refresh_due_on": _("The refresh falls after the course was completed.")})
    training = TrainingRecord.objects.create(
        person=person, course=course.strip(), completed_on=completed_on, refresh_due_on=refresh_due_on,
        provider=provider.strip(), recorded_by=actor,
    )  # fmt: skip
    record(
        AuditEvent.Action.TRAINING_RECORDED,
        actor=actor,
        obj=training,
        subject=person.pk,
        subject_username=person.username,
        completed_on=completed_on.isoformat(),
        refresh_due_on=refresh_due_on.isoformat() if refresh_due_on else None,
    )
    return training


@transaction.atomic
def remove_training(training: TrainingRecord, *, actor: User) -> None:
    if not people_trained_by(actor).filter(pk=training.person_id).exists():
        raise PermissionError
    record(AuditEvent.Action.TRAINING_REMOVED, actor=actor, obj=training, subject=training.person_id)
    training.delete()


def add_resource(
    *, actor: User, title: str, kind: str, language: str, upload: UploadedFile, description: str = ""
) -> Resource:
    """A new library resource; the file is checked by its content and scanned before it is kept."""
    if not may_manage_library(actor):
        raise PermissionError
    checked = uploads.check(upload)
    try:
        virus_scan.scan(upload)
    except virus_scan.Infected as hit:
        raise ValidationError(
            _("The virus scanner found something harmful in this file (%(signature)s), so it was not stored.")
            % {"signature": hit.signature}
        ) from None
    except virus_scan.ScannerUnavailable:
        raise ValidationError(
            _("The file could not be checked for viruses just now, so it was not stored. Try again later.")
        ) from None
    upload.seek(0)
    with transaction.atomic():
        resource = Resource(
            title=title.strip(), kind=kind, language=language, description=description.strip(), added_by=actor,
            file_name=uploads.safe_name(upload.name or "file", checked), content_type=checked.content_type,
        )  # fmt: skip
        resource.file.save(checked.stored_name, upload, save=False)
        resource.save()
        record(AuditEvent.Action.RESOURCE_ADDED, actor=actor, obj=resource, kind=kind, language=language)
    return resource


@transaction.atomic
def remove_resource(resource: Resource, *, actor: User) -> None:
    if not may_manage_library(actor):
        raise PermissionError
    record(AuditEvent.Action.RESOURCE_REMOVED, actor=actor, obj=resource, kind=resource.kind)
    stored = resource.file.name
    storage = resource.file.storage
    resource.delete()
    transaction.on_commit(lambda: storage.delete(stored))


def is_member(user: Any) -> bool:
    """Every member of a partner agency reads the library (and superusers)."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or Membership.objects.filter(user=user).exists()
    )
