"""Forms for panels and their meetings, and for moving a caseload. They check input; services decide."""

import datetime
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import Action
from agencies.forms import form_field, model_choice_field
from agencies.models import Agency, Panel
from agencies.widgets import DateInput, DateTimeInput
from cases.choosers import CandidateField, SuggestedChoiceField, SuggestedInput, candidate_input
from cases.directory import ATTENDING_ROLES, Candidate, candidate_label, owner_candidates
from cases.forms import agreements_of
from cases.models import Case, CaseShare, SharingAgreement

from .models import AgendaItem, PanelMeeting

__all__ = [
    "AgendaCaseForm",
    "AttendanceForm",
    "CloseMeetingForm",
    "DecisionForm",
    "DeclineForm",
    "MeetingForm",
    "PanelSettingsForm",
    "RegisterForm",
    "agenda_case_label",
    "not_on_agenda",
]


class OwnerChoiceField(forms.ChoiceField):
    """A person in an agency, labelled with their caseload, languages and gender (step 6: choose a
    case owner with the team's diversity in view)."""

    def __init__(self, *, candidates: list[Candidate], **kwargs: Any) -> None:
        # Only for candidates of a few agencies (the panel's and the case's): every partner's
        # people are chosen by suggestion instead (`cases.choosers.CandidateField`, decision 153).
        self.candidates = {candidate.key: candidate for candidate in candidates}
        choices = [("", "---------")]
        choices += [(candidate.key, candidate_label(candidate)) for candidate in candidates]
        super().__init__(choices=choices, **kwargs)

    def to_candidate(self, value: str) -> Candidate | None:
        return self.candidates.get(value)


class PanelSettingsForm(forms.ModelForm[Panel]):
    class Meta:
        model = Panel
        fields = ["cadence_days", "record_mode"]
        widgets = {"record_mode": forms.RadioSelect}


class MeetingForm(forms.Form):
    scheduled_for = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    location = forms.CharField(label=_("Place"), max_length=200, required=False)

    def clean_scheduled_for(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["scheduled_for"]
        if value < timezone.now() - datetime.timedelta(days=1):
            raise forms.ValidationError(_("A meeting is planned for today or later."))
        return value


class AttendanceForm(forms.Form):
    """A participant typed with suggestions among the partners' caseworkers and the panels' people
    (thousands at national scale, decision 153); recorded for the agency chosen with them."""

    user = CandidateField(
        label=_("Participant"),
        roles=ATTENDING_ROLES,
        widget=candidate_input("participant-suggestions", among="attending"),
        error_messages={"required": _("Choose a participant.")},
    )
    present = forms.BooleanField(label=_("Present"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "user", CandidateField).viewer = user


class RegisterForm(forms.Form):
    """The whole meeting's attendance in one form: a present / absent / apologies choice for every
    person invited (`services.invited`), each already recorded shown with their mark."""

    MARKS = [("present", _("Present")), ("absent", _("Absent")), ("apologies", _("Sent apologies"))]

    def __init__(self, *args: Any, people: dict[int, tuple[Any, Agency]], marks: dict[int, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows = []
        for user_id, (user, agency) in people.items():
            name = f"person_{user_id}"
            self.fields[name] = forms.ChoiceField(
                label=f"{user} — {agency}",
                choices=self.MARKS,
                widget=forms.RadioSelect,
                initial=marks.get(user_id),
                error_messages={"required": _("Choose present, absent or sent apologies.")},
            )
            self.rows.append((user_id, name))

    def marks(self) -> dict[int, str]:
        return {user_id: self.cleaned_data[name] for user_id, name in self.rows}


def agenda_case_label(case: Case) -> str:
    """A case to put on the agenda, named by its family and reference."""
    return f"{case.family.name} · {case.reference}"


def not_on_agenda(cases: QuerySet[Case], meeting: PanelMeeting) -> QuerySet[Case]:
    """The open cases of the meeting's panel among `cases` that its agenda does not hold yet."""
    return (
        cases.filter(panel_id=meeting.panel_id, closed_at__isnull=True)
        .exclude(agenda_items__meeting=meeting)
        .select_related("family")
    )


class AgendaCaseForm(forms.Form):
    """A case of the panel for the agenda, typed with suggestions: every open case of the panel
    would be thousands of options (issue 19, decision 153). Only a case the coordinator may manage
    (`restrict(MANAGE)`: her panel's) is taken; any other id is refused as if missing."""

    case = SuggestedChoiceField(
        label=_("Case"),
        help_text=_("Type the family's name or the case reference and choose a suggestion."),
        error_messages={"required": _("Choose a case of this panel.")},
        named=lambda cases, typed: cases.filter(Q(reference__iexact=typed) | Q(family__name__iexact=typed)),
        refusal=cast(str, _("Choose one of the suggested cases: an open case of this panel not yet on the agenda.")),
        ambiguous=cast(str, _("Several cases of this panel match: choose one of the suggestions.")),
    )

    def __init__(self, *args: Any, meeting: PanelMeeting, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = form_field(self, "case", SuggestedChoiceField)
        url = reverse("panels:meeting_case_suggestions", args=[meeting.pk])
        field.widget = SuggestedInput(url, "agenda-case-suggestions")
        field.widget.is_required = True
        field.queryset = not_on_agenda(Case.objects.restrict(user, Action.MANAGE), meeting)


class DecisionForm(forms.Form):
    """The panel's decision on a case; the fields the meeting's record mode does not keep are left out."""

    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=[("", "---------"), *AgendaItem.Urgency.choices], required=False
    )
    first_contact_agency = forms.ModelChoiceField(
        label=_("First contact by"),
        queryset=Agency.objects.all(),
        required=False,
        help_text=_("The police in a crisis; otherwise the partner with the best relationship with the family."),
    )
    owner = forms.ChoiceField(label=_("Case owner"), required=False)
    next_review_on = forms.DateField(label=_("Next review"), widget=DateInput(), required=False)
    share_basis = forms.ChoiceField(
        label=_("Lawful basis for agencies new to the case"),
        choices=[("", "---------"), *CaseShare.Basis.choices],
        required=False,
        help_text=_("An agency new to the case receives its summary: name the basis."),
    )
    share_consent_given_by = forms.CharField(label=_("Consent given by"), max_length=200, required=False)
    share_justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    share_legal_duty = forms.CharField(label=_("Legal duty"), max_length=300, required=False)
    share_agreement = forms.ModelChoiceField(
        label=_("Information-sharing agreement"),
        queryset=SharingAgreement.objects.none(),
        required=False,
        help_text=_("Chosen for you when exactly one current agreement covers the agencies."),
    )
    share_agreement_override = forms.CharField(
        label=_("Emergency override: why share before an agreement covers both agencies?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Only when no agreement can be named. The data protection officer is told."),
    )
    notes = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    discussion = forms.CharField(
        label=_("Discussion (minutes)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    INVOLVED_ROWS = 4

    def __init__(self, *args: Any, item: AgendaItem, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if item.case is not None:
            model_choice_field(self, "share_agreement").queryset = agreements_of(user, item.case.owning_agency_id)
        for row in range(1, self.INVOLVED_ROWS + 1):
            self.fields[f"involved_agency_{row}"] = forms.ModelChoiceField(
                label=_("Agency involved"), queryset=Agency.objects.all(), required=False
            )
            self.fields[f"involved_reason_{row}"] = forms.CharField(
                label=_("Why"),
                max_length=300,
                required=False,
                help_text=_("For example: security risk assessment; attendance support at school.") if row == 1 else "",
            )
        case = item.case
        assert case is not None  # noqa: S101 - decisions are on cases
        # The partners at the table, and those already working the case.
        agencies = {*item.meeting.panel.agencies.all(), case.owning_agency}
        agencies |= {share.agency for share in case.shares.current().select_related("agency")}
        self.fields["owner"] = OwnerChoiceField(
            label=_("Case owner"), candidates=owner_candidates(agencies=agencies), required=False
        )
        self.initial.setdefault("owner", f"{case.owner_id}:{case.owning_agency_id}")
        self.initial.setdefault("urgency", case.urgency)
        # An overdue review is not offered again: the panel sets the next one.
        if case.next_review_on and case.next_review_on >= timezone.localdate():
            self.initial.setdefault("next_review_on", case.next_review_on)
        if not item.meeting.keeps_minutes:
            del self.fields["discussion"]
        if not item.meeting.keeps_decisions:
            del self.fields["notes"]

    def clean_next_review_on(self) -> datetime.date | None:
        value = self.cleaned_data.get("next_review_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("The next review cannot be in the past."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in range(1, self.INVOLVED_ROWS + 1):
            if data.get(f"involved_agency_{row}") and not data.get(f"involved_reason_{row}", "").strip():
                self.add_error(f"involved_reason_{row}", _("Say why this agency is involved."))
        basis = data.get("share_basis")
        if basis == CaseShare.Basis.CONSENT and not data.get("share_consent_given_by", "").strip():
            self.add_error("share_consent_given_by", _("Say who gave consent."))
        if basis and basis != CaseShare.Basis.CONSENT and not data.get("share_justification", "").strip():
            self.add_error("share_justification", _("Explain why sharing is justified without consent."))
        if basis == CaseShare.Basis.LEGAL_DUTY and not data.get("share_legal_duty", "").strip():
            self.add_error("share_legal_duty", _("Name the legal duty."))
        return data

    @property
    def involved(self) -> list[tuple[Agency, str]]:
        rows = ((f"involved_agency_{row}", f"involved_reason_{row}") for row in range(1, self.INVOLVED_ROWS + 1))
        return [
            (self.cleaned_data[agency], self.cleaned_data[reason].strip())
            for agency, reason in rows
            if self.cleaned_data.get(agency)
        ]

    @property
    def involved_rows(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"involved_agency_{row}"], self[f"involved_reason_{row}"]) for row in range(1, self.INVOLVED_ROWS + 1)
        ]

    @property
    def owner_candidate(self) -> Candidate | None:
        field = form_field(self, "owner", OwnerChoiceField)
        return field.to_candidate(self.cleaned_data.get("owner") or "")


class DeclineForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "agency").queryset = agencies


class CloseMeetingForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("The meeting"),
        choices=[("held", _("was held")), ("cancelled", _("was cancelled"))],
        widget=forms.RadioSelect,
        initial="held",
    )
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    leave_undecided = forms.BooleanField(
        label=_("Close it with the undecided cases left undecided"),
        help_text=_("They come back on a later agenda when they are due."),
        required=False,
    )

    def __init__(self, *args: Any, meeting: PanelMeeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not meeting.keeps_minutes:
            del self.fields["minutes"]
        if not meeting.items.filter(case__isnull=False, decided_at__isnull=True).exists():
            del self.fields["leave_undecided"]
