"""Forms for safety in the field: a staff-safety warning, its review, a visit with the time the
visitor expects to be back (decisions 133-134)."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.widgets import DateInput, DateTimeInput
from families.models import SafetyWarning

__all__ = ["PlanVisitForm", "ReviewSafetyWarningForm", "SafetyWarningForm"]


def _in_months(months: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=30 * months)


class SafetyWarningForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of danger"), choices=SafetyWarning.Kind.choices, widget=forms.RadioSelect)
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        required=False,
        help_text=_("Only if the danger is at one address of the family."),
    )
    detail = forms.CharField(
        label=_("What visitors must know"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Read by the case team only; summary readers see the kind of danger."),
    )
    review_on = forms.DateField(label=_("Review by"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("case", None)
        super().__init__(*args, **kwargs)
        self.initial.setdefault("review_on", _in_months(3))


class ReviewSafetyWarningForm(forms.Form):
    STILL, GONE = "still", "gone"
    outcome = forms.ChoiceField(
        label=_("The danger"),
        choices=[(STILL, _("still applies: review it again by the date below")), (GONE, _("is gone: end the warning"))],
        widget=forms.RadioSelect,
        initial=STILL,
    )
    review_on = forms.DateField(label=_("Review again by"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("case", None)
        super().__init__(*args, **kwargs)
        self.initial.setdefault("review_on", _in_months(3))


class PlanVisitForm(forms.Form):
    expected_back_at = forms.DateTimeField(
        label=_("Expected back by"),
        widget=DateTimeInput(),
        help_text=_("If you have not said you are back by then, you are called, then your supervisor."),
    )
    with_colleague = forms.CharField(
        label=_("With whom"),
        max_length=200,
        required=False,
        help_text=_("The colleague or police officer going too, if any."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("case", None)
        super().__init__(*args, **kwargs)
        later = timezone.localtime() + datetime.timedelta(hours=2)
        self.initial.setdefault("expected_back_at", later.replace(second=0, microsecond=0))
