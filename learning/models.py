"""Training records and the resource library (issue 13, item 5; decision 119).

Neither is case data: a training record is about a professional, a library resource is awareness
material, guidance or an assessment manual every member reads.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["Resource", "TrainingRecord"]


class TrainingRecord(models.Model):
    """A course a person took, when, and when it must be refreshed (reminded to them then)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records", verbose_name=_("person")
    )
    course = models.CharField(_("course"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    refresh_due_on = models.DateField(_("refresh due on"), null=True, blank=True, db_index=True)
    provider = models.CharField(_("given by"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["person", "-completed_on"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refresh_due_on__isnull=True) | models.Q(refresh_due_on__gt=models.F("completed_on")),
                name="%(app_label)s_%(class)s_refresh_after_completion",
                violation_error_message=_("The refresh falls after the course was completed."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} ({self.completed_on:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("learning:training")


class Resource(models.Model):
    """Awareness material, guidance or an assessment manual, in one language, readable by every
    member and managed by the coordinator. The file is kept through the storage API (decision 97)."""

    class Kind(models.TextChoices):
        AWARENESS = "awareness", _("Awareness material")
        GUIDANCE = "guidance", _("Guidance")
        ASSESSMENT_MANUAL = "assessment_manual", _("Assessment manual")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(_("file"), upload_to="library/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("library resource")
        verbose_name_plural = _("library resources")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:resource_download", kwargs={"pk": self.pk})
