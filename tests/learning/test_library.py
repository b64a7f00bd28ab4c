"""The resource library and training records (decision 119)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from audit.models import AuditEvent
from learning import services
from learning.models import Resource, TrainingRecord
from reminders.deadlines import Window
from reminders.kinds import TrainingRefreshDue

pytestmark = pytest.mark.django_db


def _pdf(name: str = "manual.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")


def test_the_coordinator_adds_a_resource_every_member_downloads_it(
    client: Client, coordinator: User, caseworker: User
) -> None:
    client.force_login(coordinator)
    response = client.post(
        reverse("learning:resource_add"),
        {"title": "Assessment manual", "kind": "assessment_manual", "language": "sq", "upload": _pdf()},
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert AuditEvent.objects.filter(action="resource_added").exists()
    reader = Client()
    reader.force_login(caseworker)
    assert b"Assessment manual" in reader.get(reverse("learning:library")).content
    download = reader.get(reverse("learning:resource_download", args=[resource.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert reader.get(reverse("learning:resource_add")).status_code == 404


def test_a_file_that_is_not_a_document_is_refused(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    bad = SimpleUploadedFile("x.pdf", b"MZ\x90\x00binary", content_type="application/pdf")
    response = client.post(
        reverse("learning:resource_add"), {"title": "X", "kind": "guidance", "language": "en", "upload": bad}
    )
    assert response.status_code == 400
    assert not Resource.objects.exists()


def test_training_is_recorded_and_its_refresh_reminds_the_person(
    client: Client, coordinator: User, caseworker: User
) -> None:
    client.force_login(coordinator)
    today = timezone.localdate()
    response = client.post(
        reverse("learning:training_add"),
        {
            "person": caseworker.pk,
            "course": "Radicalisation awareness",
            "completed_on": (today - datetime.timedelta(days=365)).isoformat(),
            "refresh_due_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    training = TrainingRecord.objects.get()
    assert AuditEvent.objects.filter(action="training_recorded").exists()
    window = Window(
        now=timezone.now(),
        start=timezone.now() - datetime.timedelta(days=1),
        end=timezone.now() + datetime.timedelta(days=1),
    )
    deadlines = list(TrainingRefreshDue.collect(window, {}))
    assert [(d.object_id, d.audience) for d in deadlines] == [(training.pk, (("trainee", caseworker.pk),))]
    # the person reads their own training
    own = Client()
    own.force_login(caseworker)
    assert b"Radicalisation awareness" in own.get(reverse("learning:training")).content
    assert own.get(reverse("learning:training_add")).status_code == 404


def test_a_practitioner_records_no_training(caseworker: User, colleague: User) -> None:
    with pytest.raises(PermissionError):
        services.record_training(actor=caseworker, person=colleague, course="X", completed_on=timezone.localdate())
