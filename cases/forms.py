"""Forms for sharing a case and assigning its owner. They validate input; services decide."""

import datetime
from typing import Any

from django import forms
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Membership, User

from .models import Case, CaseShare

__all__ = ["AssignOwnerForm", "RevokeShareForm", "ShareCaseForm"]


class DateInput(forms.DateInput):
    """The browser's date picker; it reads and writes ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ShareCaseForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Share with"), queryset=Agency.objects.none())
    scope = forms.ChoiceField(label=_("Level"), choices=CaseShare.Scope.choices, widget=forms.RadioSelect)
    basis = forms.ChoiceField(label=_("Lawful basis"), choices=CaseShare.Basis.choices, widget=forms.RadioSelect)
    consent_given_by = forms.CharField(
        label=_("Consent given by"),
        required=False,
        max_length=200,
        help_text=_("The person, or a parent for a child. Needed when the basis is consent."),
    )
    consent_given_on = forms.DateField(label=_("Consent given on"), required=False, widget=DateInput)
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for an override or a legal duty: why sharing is necessary and proportionate."),
    )
    ends_on = forms.DateField(
        label=_("Share until (optional)"),
        required=False,
        widget=DateInput,
        help_text=_("The share ends at the close of this day."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.exclude(pk=case.owning_agency_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        if data.get("basis") == CaseShare.Basis.CONSENT:
            if not data.get("consent_given_by"):
                self.add_error("consent_given_by", _("Say who gave consent."))
            if not data.get("consent_given_on"):
                self.add_error("consent_given_on", _("Say when consent was given."))
            elif data["consent_given_on"] > today:
                self.add_error("consent_given_on", _("Consent cannot be given in the future."))
        elif data.get("basis") and not data.get("justification", "").strip():
            self.add_error("justification", _("Explain why sharing is justified without consent."))
        if data.get("ends_on") and data["ends_on"] < today:
            self.add_error("ends_on", _("The end date cannot be in the past."))
        return data

    @property
    def ends_at(self) -> datetime.datetime | None:
        """The share's end: midnight after the chosen day, in Ura's time zone."""
        ends_on = self.cleaned_data.get("ends_on")
        if ends_on is None:
            return None
        midnight = datetime.datetime.combine(ends_on + datetime.timedelta(days=1), datetime.time.min)
        return timezone.make_aware(midnight)


class RevokeShareForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the share revoked?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class AssignOwnerForm(forms.Form):
    """Choose the new owner among the people who work cases in partner agencies.

    Each choice is a person in one agency, labelled with their current open caseload.
    """

    owner = forms.ChoiceField(label=_("New case owner"))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
        owner_field.choices = [("", "---------"), *self._choices()]

    def _choices(self) -> list[tuple[str, str]]:
        pairs = (
            Membership.objects.filter(role__in=Membership.CASEWORK_ROLES, user__is_active=True)
            .values("user_id", "agency_id", "agency__name", "user__first_name", "user__last_name", "user__username")
            .distinct()
            .order_by("agency__name", "user__last_name", "user__first_name")
        )
        caseload = dict(
            User.objects.filter(owned_cases__closed_at__isnull=True)
            .annotate(n=Count("owned_cases", filter=Q(owned_cases__closed_at__isnull=True)))
            .values_list("pk", "n")
        )
        choices = []
        for row in pairs:
            name = f"{row['user__first_name']} {row['user__last_name']}".strip() or row["user__username"]
            load = caseload.get(row["user_id"], 0)
            label = _("%(name)s — %(agency)s (%(count)s open cases)") % {
                "name": name,
                "agency": row["agency__name"],
                "count": load,
            }
            choices.append((f"{row['user_id']}:{row['agency_id']}", str(label)))
        return choices

    def clean_owner(self) -> tuple[User, Agency]:
        user_id, agency_id = (int(part) for part in self.cleaned_data["owner"].split(":"))
        return User.objects.get(pk=user_id), Agency.objects.get(pk=agency_id)
