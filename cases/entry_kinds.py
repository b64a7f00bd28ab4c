"""Every kind of entry in a case file, declared once (decision 54): its model, its form and its
serializer (written out, or generated from `fields`), the service that records it, its timeline
event, its labels and its templates. The browser's views and URLs (`cases:entry_create`,
`cases:entry`, `cases:entry_edit`, by the kind's slug) and the API's routes and viewsets
(`cases-api:<slug>-list`...) are made from these declarations.

To add a kind: its model in `models/entries.py` (a subclass of `Entry`) and its migration, then one
`EntryKind` in `KINDS` below. A kind with nothing special needs `fields` and its texts only.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.db import models
from django.forms import modelform_factory
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy as _

from agencies.access import CaseAccess
from agencies.models import Agency, User
from agencies.widgets import DateTimeInput

from . import services
from .api.entry_serializers import (
    ENTRY_FIELDS as API_ENTRY_FIELDS,
)
from .api.entry_serializers import (
    AttachmentSerializer,
    ChildNeedsSerializer,
    ContactSerializer,
    EntrySerializer,
    NeedsAssessmentSerializer,
    PoliceActionSerializer,
)
from .entry_forms import (
    ENTRY_FIELDS,
    AttachmentForm,
    ChildNeedsForm,
    ContactForm,
    EntryForm,
    ExpertConsultationForm,
    NeedsAssessmentForm,
    NetworkFormSet,
)
from .models import (
    Attachment,
    Case,
    CaseNote,
    ChildNeeds,
    Contact,
    Entry,
    ExpertConsultation,
    NeedsAssessment,
    PoliceAction,
    SecurityAssessment,
)

__all__ = ["KINDS", "EntryKind", "entry_kind", "entry_kinds", "kind_for"]

Text = str | Promise


# What someone outside a kind's sector is told (the kind may say it better).
ANOTHER_SECTORS = _("Another kind of agency keeps this record.")


def _nothing(entry: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class EntryKind:
    """One kind of entry. Its slug (the model's name: "contact") is the kind in the browser's URLs
    and the API's route names."""

    model: type[Entry]
    # The API's path ("contacts") and the text of its endpoints in the API's documentation.
    route: str
    doc: str
    # The timeline event a final entry writes: its code, its name (the timeline's filter) and its
    # line, formatted with `event_data`'s particulars (codes shown by their labels: `event_choices`;
    # people and agencies by id, named as the reader may see them: cases.timeline).
    event: str
    event_label: Text
    event_text: Text
    # What the case page's "Record" menu calls it.
    menu_label: Text
    # The service: record(entry, *, actor, finalise, **extra) -> entry, in one transaction.
    record: Callable[..., Entry]
    # The kind's own fields in the order of the form and the API, and the form's widgets: enough
    # to make the form and the serializer of a plain kind. Or the classes themselves.
    fields: tuple[str, ...] = ()
    widgets: Mapping[str, Any] = field(default_factory=dict)
    form_class: type[EntryForm] | None = None
    serializer_class: type[EntrySerializer] | None = None
    # What the service takes besides the model's fields (many-to-many rows, nested rows, a file),
    # and what a partial update or a draft being finished keeps of them.
    extra: tuple[str, ...] = ()
    existing: Callable[[Any], dict[str, Any]] = _nothing
    # Rows typed beside the form in the browser (the needs assessment's network overview).
    formsets: "Mapping[str, type[forms.BaseFormSet[Any]]]" = field(default_factory=dict)
    event_data: Callable[[Any], dict[str, Any]] = _nothing
    event_choices: Mapping[str, type[models.Choices]] = field(default_factory=dict)
    # JSON lists of codes, shown on the entry's page by their labels.
    list_choices: Mapping[str, type[models.Choices]] = field(default_factory=dict)
    # The API's filters besides every entry's own, and what its rows are read with.
    filters: tuple[str, ...] = ()
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    # Only an agency of this sector records it (the police's security assessment), and what the
    # others are told.
    sector: str | None = None
    sector_refusal: Text = ANOTHER_SECTORS
    # Saved as a draft first, or recorded at once (a file).
    drafts: bool = True
    # What its name (`__str__`) reads besides when it was created: the case page lists a user's
    # drafts of every kind in one query, of these columns only (cases.children.drafts_of).
    label_fields: tuple[str, ...] = ()
    # Still recorded on a closed case (contacts and notes: the door stays open).
    on_closed_case: bool = False
    # A file to download (`cases:attachment_file`, the API's `file` action).
    downloads: bool = False
    # A template partial shown on the entry's page after its fields.
    detail_extra: str = ""

    @property
    def slug(self) -> str:
        return self.model.kind_slug()

    @property
    def title(self) -> Text:
        return self.model._meta.verbose_name or ""

    @cached_property
    def form(self) -> type[EntryForm]:
        if self.form_class is not None:
            return self.form_class
        made = modelform_factory(
            self.model, form=EntryForm, fields=[*self.fields, *ENTRY_FIELDS], widgets=dict(self.widgets)
        )
        return cast(type[EntryForm], made)

    @cached_property
    def serializer(self) -> type[EntrySerializer]:
        if self.serializer_class is not None:
            return self.serializer_class
        meta = type("Meta", (EntrySerializer.Meta,), {"model": self.model, "fields": [*API_ENTRY_FIELDS, *self.fields]})
        name = f"{self.model.__name__}Serializer"
        attrs = {"Meta": meta, "__module__": EntrySerializer.__module__, "__qualname__": name}
        return type(name, (EntrySerializer,), attrs)

    def allows(self, user: User, case: Case) -> bool:
        """Whether `user` may record this kind on `case` at all (else 403), as CaseAccess says."""
        return CaseAccess.fetch(case, user).records(self.sector)

    def event_particulars(self, entry: Entry) -> dict[str, Any]:
        data = self.event_data(entry)
        if entry.is_restricted:
            data["abstract"] = entry.abstract
        return data


def _contact_event(contact: Contact) -> dict[str, Any]:
    # Labels are stored as codes and rendered in the reader's language.
    when = timezone.localtime(contact.occurred_at).isoformat()
    return {"when": when, "contact": contact.kind, "outcome": contact.outcome}


def _contact_people(contact: Contact) -> dict[str, Any]:
    return {"visitors": list(contact.visitors.all()), "present": list(contact.present.all())}


def _network(assessment: NeedsAssessment) -> dict[str, Any]:
    return {"network": list(assessment.network.values("kind", "name", "influence", "notes"))}


def _attach(attachment: Attachment, *, actor: User, finalise: bool = True, upload: Any) -> Attachment:
    return services.attach_file(attachment, upload, actor=actor)


KINDS = [
    EntryKind(
        model=Contact,
        route="contacts",
        doc="Contacts and home visits (step 3), including those that did not take place.",
        event="contact",
        event_label=_("Contact with the family"),
        event_text=_("%(contact)s: %(outcome)s."),
        menu_label=_("A contact or home visit"),
        record=services.record_contact,
        form_class=ContactForm,
        serializer_class=ContactSerializer,
        extra=("visitors", "present"),
        existing=_contact_people,
        event_data=_contact_event,
        event_choices={"contact": Contact.Kind, "outcome": Contact.Outcome},
        filters=("kind", "outcome"),
        prefetch_related=("visitors", "present"),
        on_closed_case=True,
        label_fields=("kind", "occurred_at"),
    ),
    EntryKind(
        model=NeedsAssessment,
        route="needs-assessments",
        doc=(
            "Needs assessments (step 4) with their network overview. A final one with a level of concern\n"
            "sets the case's risk level when its author may change the case."
        ),
        event="needs_assessment",
        event_label=_("Needs assessment"),
        event_text=_("Needs assessment recorded."),
        menu_label=_("A needs assessment"),
        record=services.record_needs_assessment,
        form_class=NeedsAssessmentForm,
        serializer_class=NeedsAssessmentSerializer,
        extra=("network",),
        existing=_network,
        formsets={"network": NetworkFormSet},
        list_choices={"practical_problems": NeedsAssessment.Problem},
        filters=("concern_level",),
        prefetch_related=("network",),
        detail_extra="cases/entries/_network.html",
    ),
    EntryKind(
        model=SecurityAssessment,
        route="security-assessments",
        doc="The police's security risk assessments (step 4): others read the abstract only.",
        event="security_assessment",
        event_label=_("Security assessment"),
        event_text=_("Security assessment recorded."),
        menu_label=_("A security assessment"),
        record=services.record_security_assessment,
        fields=("risk_level", "under_investigation", "assessment"),
        widgets={"assessment": forms.Textarea(attrs={"rows": 6}), "abstract": forms.Textarea(attrs={"rows": 3})},
        sector=Agency.Sector.POLICE,
        sector_refusal=_("The security assessment is the police's."),
    ),
    EntryKind(
        model=PoliceAction,
        route="police-actions",
        doc=(
            "A police search, arrest or raid touching the family (the police's; the partners read the abstract).\n"
            "Recording a final one sets `follow_up_due_on`: a social or family worker visits the family by then."
        ),
        event="police_action",
        event_label=_("Police action"),
        event_text=_("Police action: %(action)s. A follow-up visit to the family is due."),
        menu_label=_("A police search, arrest or raid"),
        record=services.record_police_action,
        serializer_class=PoliceActionSerializer,
        fields=("kind", "occurred_at", "what_happened"),
        widgets={
            "occurred_at": DateTimeInput(),
            "what_happened": forms.Textarea(attrs={"rows": 5}),
            "abstract": forms.Textarea(attrs={"rows": 3}),
        },
        event_data=lambda action: {"action": action.kind},
        event_choices={"action": PoliceAction.Kind},
        filters=("kind",),
        sector=Agency.Sector.POLICE,
        sector_refusal=_("Police actions are recorded by the police."),
        label_fields=("kind", "occurred_at"),
    ),
    EntryKind(
        model=ChildNeeds,
        route="child-needs",
        doc="Each child's own needs record (step 5).",
        event="child_needs",
        event_label=_("Child's needs"),
        event_text=_("Needs of %(child)s recorded."),
        menu_label=_("A child's needs"),
        record=services.record_child_needs,
        form_class=ChildNeedsForm,
        serializer_class=ChildNeedsSerializer,
        event_data=lambda needs: {"child_id": needs.child_id},
        list_choices={"exposures": ChildNeeds.Exposure},
        filters=("age_band", "conflict_zone"),
        select_related=("child",),
        label_fields=("child__given_name", "child__family_name"),
    ),
    EntryKind(
        model=CaseNote,
        route="case-notes",
        doc="Notes on a case.",
        event="note",
        event_label=_("Note"),
        event_text=_("Note."),
        menu_label=_("A note"),
        record=services.record_note,
        fields=("text",),
        widgets={"text": forms.Textarea(attrs={"rows": 5}), "abstract": forms.Textarea(attrs={"rows": 2})},
        on_closed_case=True,
    ),
    EntryKind(
        model=ExpertConsultation,
        route="expert-consultations",
        doc="Experts outside Ura consulted on the case (what was shared, on which basis); recorded by the owner.",
        event="expert_consulted",
        event_label=_("Expert consulted"),
        event_text=_("An expert was consulted."),
        menu_label=_("An expert's consultation"),
        record=services.record_expert_consultation,
        form_class=ExpertConsultationForm,
        fields=("expert", "consulted_on", "shared", "basis", "advice", "agreement_override"),
        filters=("expert",),
        select_related=("expert",),
        drafts=False,
    ),
    EntryKind(
        model=Attachment,
        route="attachments",
        doc=(
            "Attached communication and documents (multipart, file in `upload`), checked by content.\n"
            "`file` downloads one, for those who may read it."
        ),
        event="attachment",
        event_label=_("Attachment"),
        event_text=_("File attached."),
        menu_label=_("A file (e-mail, chat log...)"),
        record=_attach,
        form_class=AttachmentForm,
        serializer_class=AttachmentSerializer,
        extra=("upload",),
        filters=("kind",),
        drafts=False,
        downloads=True,
        detail_extra="cases/entries/_attachment.html",
    ),
]

_BY_SLUG = {kind.slug: kind for kind in KINDS}
_BY_MODEL = {kind.model: kind for kind in KINDS}


def entry_kinds() -> list[EntryKind]:
    return list(KINDS)


def entry_kind(slug: str) -> EntryKind:
    """The kind named in a URL; an unknown one does not exist (404)."""
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise Http404 from None


def kind_for(model: type[Entry]) -> EntryKind:
    return _BY_MODEL[model]
