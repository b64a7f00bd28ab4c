"""Information requests to a partner agency (design.md §4: answered within 24 hours).

The case team asks an agency working the case a question; that agency's members, who may read only
the case's summary, read the question and answer it, once. Nothing else of the file travels with it.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import Action, RestrictedQuerySet, rules

from .case import Case

__all__ = ["InformationRequest", "OwnerQuestion"]


class InformationRequestQuerySet(RestrictedQuerySet):
    def open(self) -> "InformationRequestQuerySet":
        return self.filter(answered_at__isnull=True)


class InformationRequest(models.Model):
    """A question the case team puts to a partner agency: due in 24 hours, answered once by a
    member of that agency."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="information_requests", verbose_name=_("case")
    )
    to_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("asked of")
    )
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = InformationRequestQuerySet.as_manager()
    access_rule = rules.information_request
    read_action = Action.VIEW

    class Meta:
        ordering = ["-asked_at", "-pk"]
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True) | ~models.Q(answer=""),
                name="%(app_label)s_%(class)s_answered_with_text",
                violation_error_message=_("An answered request needs its answer."),
            )
        ]
        indexes = [
            models.Index(fields=["case", "-asked_at"], name="cases_inforeq_case_idx"),
            # The sweep: open requests by due time.
            models.Index(
                fields=["due_at"], condition=models.Q(answered_at__isnull=True), name="cases_inforeq_open_idx"
            ),
            # The addressed agency's open requests (its members' home page).
            models.Index(
                fields=["to_agency", "due_at"],
                condition=models.Q(answered_at__isnull=True),
                name="cases_inforeq_agency_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Information request to %(agency)s") % {"agency": self.to_agency})

    def get_absolute_url(self) -> str:
        return reverse("cases:information_request", kwargs={"pk": self.case_id, "info": self.pk})

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_overdue(self) -> bool:
        return not self.is_answered and timezone.now() > self.due_at


class OwnerQuestion(models.Model):
    """A question put to the case's owner by someone who reads only its summary (a panel member,
    a partner agency's worker), or a request for fuller access: recorded, answered once by whoever
    changes the case (the owner, a supervisor), and the answer shown to the asker (issue 17)."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("A question")
        ACCESS = "access", _("A request for fuller access")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="owner_questions", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.QUESTION)
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.owner_question
    read_action = Action.VIEW

    class Meta:
        ordering = ["-asked_at", "-pk"]
        verbose_name = _("question to the case owner")
        verbose_name_plural = _("questions to the case owner")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True) | ~models.Q(answer=""),
                name="%(app_label)s_%(class)s_answered_with_text",
                violation_error_message=_("An answered question needs its answer."),
            )
        ]
        indexes = [models.Index(fields=["case", "-asked_at"], name="cases_ownerq_case_idx")]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def get_absolute_url(self) -> str:
        return reverse("cases:owner_question_answer", kwargs={"case_pk": self.case_id, "pk": self.pk})

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
