"""The form of the register of information-sharing agreements (decision 113)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.forms import choice_field
from agencies.models import Agency, Panel
from agencies.widgets import DateInput

from .models import SharingAgreement

__all__ = ["AgreementForm"]


class AgreementForm(forms.ModelForm[SharingAgreement]):
    """Parties, instrument, purpose, data, panels, signatories, dates, status and the document."""

    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"),
        queryset=Agency.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every agency that signed: at least two."),
    )
    panels = forms.ModelMultipleChoiceField(
        label=_("Panels"),
        queryset=Panel.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The panels at whose table information is exchanged under this agreement."),
    )
    upload = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_("The signed agreement: PDF, office document or image. Leave empty to keep the one stored."),
    )

    class Meta:
        model = SharingAgreement
        fields = [
            "title",
            "instrument",
            "parties",
            "panels",
            "purpose",
            "data_categories",
            "sharing_rules",
            "signatories",
            "signed_on",
            "review_on",
            "status",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "data_categories": forms.Textarea(attrs={"rows": 3}),
            "sharing_rules": forms.Textarea(attrs={"rows": 6}),
            "signatories": forms.Textarea(attrs={"rows": 3}),
            "signed_on": DateInput(),
            "review_on": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "status").choices = [
            (value, label) for value, label in SharingAgreement.Status.choices if value in SharingAgreement.SETTABLE
        ]
        if self.instance.pk is not None:
            self.initial.setdefault("parties", list(self.instance.parties.all()))
            self.initial.setdefault("panels", list(self.instance.panels.all()))

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {
            "parties": list(data.pop("parties")),
            "panels": list(data.pop("panels", [])),
            "document": data.pop("upload", None),
            **data,
        }
