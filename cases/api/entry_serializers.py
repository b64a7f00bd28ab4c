"""What is recorded in a case file, over the API, with each entry's own confidentiality: a reader
outside the author's agency gets an own-agency entry's abstract, and its content fields as null."""

from typing import Any, ClassVar

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.access import Action
from agencies.access.api import RestrictedPrimaryKeyRelatedField
from agencies.api.serializers import AgencyRefSerializer, UserRefSerializer
from agencies.models import Agency, User
from families.models import Consent, DisclosureRestriction, Person

from .. import uploads
from ..models import (
    Attachment,
    Case,
    CaseEvent,
    ChildNeeds,
    Contact,
    Entry,
    InformationRequest,
    NeedsAssessment,
    NetworkLink,
    OwnerQuestion,
    PoliceAction,
    RiskRecord,
)
from ..risk import RiskLevel

__all__ = [
    "ENTRY_FIELDS",
    "AnswerSerializer",
    "AttachmentSerializer",
    "CaseEventSerializer",
    "ChildNeedsSerializer",
    "ConsentSerializer",
    "ContactSerializer",
    "EntrySerializer",
    "InformationRequestSerializer",
    "KeyWorkerSerializer",
    "MoveStageSerializer",
    "NeedsAssessmentSerializer",
    "OwnerQuestionSerializer",
    "PoliceActionSerializer",
    "RestrictionSerializer",
    "RiskLevelSerializer",
    "RiskRecordSerializer",
    "WithdrawConsentSerializer",
]

ENTRY_FIELDS = [
    "id",
    "url",
    "case",
    "author",
    "author_agency",
    "visibility",
    "abstract",
    "is_draft",
    "content_visible",
    "created_at",
    "updated_at",
]


# The serializers of plain kinds are made from their declaration (cases.entry_kinds).
class EntrySerializer(serializers.ModelSerializer[Entry]):
    """The part every entry shares. `is_draft: true` keeps the entry its author's alone; a draft is
    finished by updating it with `is_draft: false`. A final entry is not edited."""

    url = serializers.SerializerMethodField()
    case = RestrictedPrimaryKeyRelatedField(queryset=Case.objects.all(), action=Action.VIEW)
    author = UserRefSerializer(read_only=True)
    author_agency = AgencyRefSerializer(read_only=True)
    is_draft = serializers.BooleanField(default=False)
    content_visible = serializers.SerializerMethodField()
    # A kind's fields that every reader of the entry reads, beside the abstract (not content).
    SHARED_FIELDS: ClassVar[tuple[str, ...]] = ()

    class Meta:
        model: ClassVar[type[Entry]]
        fields = ENTRY_FIELDS
        read_only_fields = ["id", "author", "author_agency", "created_at", "updated_at"]
        # The model is checked by the service, with its own messages.
        validators: list[Any] = []

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # A draft stays on its case.
            fields["case"].read_only = True
        return fields

    def get_url(self, entry: Entry) -> str:
        return str(self.context["request"].build_absolute_uri(entry.get_absolute_url()))

    def get_content_visible(self, entry: Entry) -> bool:
        return bool(getattr(entry, "content_visible", False))

    def to_representation(self, instance: Entry) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not getattr(instance, "content_visible", False):
            # Like the browser: everything but the shared part is content (who was present, which
            # child, the file's name and size as much as what was said).
            for name in data:
                if name not in ENTRY_FIELDS and name not in self.SHARED_FIELDS:
                    data[name] = None
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        visibility = attrs.get("visibility", getattr(self.instance, "visibility", "case_team"))
        abstract = attrs.get("abstract", getattr(self.instance, "abstract", ""))
        if visibility == "own_agency" and not abstract.strip():
            raise serializers.ValidationError({"abstract": _("Write the abstract the other agencies will read.")})
        return attrs


class FamilyMemberField(RestrictedPrimaryKeyRelatedField):
    """A member of the family, among the people the user may read (the service checks the family)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Person.objects.all(), action=Action.VIEW, **kwargs)


class ContactSerializer(EntrySerializer):
    visitors = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True)
    present = FamilyMemberField(many=True, required=False)

    class Meta(EntrySerializer.Meta):
        model = Contact
        fields = [*ENTRY_FIELDS, *Contact.RECORDED_FIELDS]


class PoliceActionSerializer(EntrySerializer):
    """A police search, arrest or raid: every reader of the entry reads its kind, when, and by when
    a social or family worker follows up with the family (decision 135); what happened is the
    police's content."""

    SHARED_FIELDS = ("kind", "occurred_at", "follow_up_due_on")

    class Meta(EntrySerializer.Meta):
        model = PoliceAction
        fields = [*ENTRY_FIELDS, "kind", "occurred_at", "what_happened", "follow_up_due_on"]
        read_only_fields = [*EntrySerializer.Meta.read_only_fields, "follow_up_due_on"]


class NetworkLinkSerializer(serializers.ModelSerializer[NetworkLink]):
    class Meta:
        model = NetworkLink
        fields = ["kind", "name", "influence", "notes"]


class NeedsAssessmentSerializer(EntrySerializer):
    practical_problems = serializers.ListField(
        child=serializers.ChoiceField(choices=NeedsAssessment.Problem.choices), required=False
    )
    network = NetworkLinkSerializer(many=True, required=False)

    class Meta(EntrySerializer.Meta):
        model = NeedsAssessment
        fields = [
            *ENTRY_FIELDS,
            "personal_history",
            "practical_problems",
            "practical_notes",
            "trigger_events",
            "concern_nature",
            "concern_level",
            "protective_factors",
            "summary",
            "recommendation",
            "network",
        ]


class ChildNeedsSerializer(EntrySerializer):
    child = FamilyMemberField()
    exposures = serializers.ListField(
        child=serializers.ChoiceField(choices=ChildNeeds.Exposure.choices), required=False
    )

    class Meta(EntrySerializer.Meta):
        model = ChildNeeds
        fields = [
            *ENTRY_FIELDS,
            "child",
            "age_band",
            "exposures",
            "conflict_zone",
            "schooling",
            "schooling_notes",
            "child_protection",
            "child_protection_notes",
            "needs",
            "decisions",
        ]


class AttachmentSerializer(EntrySerializer):
    """An attached file (multipart upload in `upload`); `file_url` downloads it, for those who may
    read it. Attachments are recorded final, never as drafts."""

    upload = serializers.FileField(write_only=True, max_length=255)
    file_url = serializers.SerializerMethodField()
    assessment = RestrictedPrimaryKeyRelatedField(
        queryset=NeedsAssessment.objects.final(), action=Action.VIEW, required=False, allow_null=True
    )

    class Meta(EntrySerializer.Meta):
        model = Attachment
        fields = [
            *ENTRY_FIELDS,
            "kind",
            "description",
            "assessment",
            "original_name",
            "content_type",
            "size",
            "upload",
            "file_url",
        ]
        read_only_fields = [*EntrySerializer.Meta.read_only_fields, "original_name", "content_type", "size"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_file_url(self, attachment: Attachment) -> str | None:
        path = reverse("cases-api:attachment-file", args=[attachment.pk])
        return str(self.context["request"].build_absolute_uri(path))

    def validate_upload(self, value: Any) -> Any:
        uploads.check(value)  # refused by content, with the same message as the browser form
        return value

    def validate_is_draft(self, value: bool) -> bool:
        if value:
            raise serializers.ValidationError(_("An attachment is recorded at once, never as a draft."))
        return value


class CaseEventSerializer(serializers.ModelSerializer[CaseEvent]):
    """One line of the case timeline, in the reader's language; an entry kept by one agency reads
    as its abstract to the others."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    text = serializers.SerializerMethodField()
    entry = serializers.SerializerMethodField()
    actor = UserRefSerializer(read_only=True, allow_null=True)
    author_agency = AgencyRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "case",
            "kind",
            "kind_label",
            "text",
            "entry",
            "visibility",
            "author_agency",
            "actor",
            "created_at",
        ]
        read_only_fields = fields

    def get_text(self, event: CaseEvent) -> str:
        return event.text_for(content_visible=bool(getattr(event, "content_visible", False)))

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_entry(self, event: CaseEvent) -> dict[str, Any] | None:
        if not event.entry_id or "." not in event.entry_label:
            return None
        return {"kind": event.entry_label.split(".", 1)[1], "id": event.entry_id}


class RiskRecordSerializer(serializers.ModelSerializer[RiskRecord]):
    recorded_by = UserRefSerializer(read_only=True)
    agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = RiskRecord
        fields = [
            "id",
            "case",
            "level",
            "previous_level",
            "source",
            "rationale",
            "recorded_by",
            "agency",
            "recorded_at",
        ]
        read_only_fields = fields


class RestrictionSerializer(serializers.ModelSerializer[DisclosureRestriction]):
    """What a family member must not be told: a warning to everyone who opens the family's cases.
    Create one with the `case` it is recorded on."""

    case = RestrictedPrimaryKeyRelatedField(queryset=Case.objects.all(), action=Action.VIEW, write_only=True)
    person = FamilyMemberField()
    recorded_by = UserRefSerializer(read_only=True)

    class Meta:
        model = DisclosureRestriction
        fields = [
            "id",
            "case",
            "family",
            "person",
            "knows",
            "must_not_be_told",
            "recorded_by",
            "created_at",
            "lifted_at",
        ]
        read_only_fields = ["id", "family", "recorded_by", "created_at", "lifted_at"]


class MoveStageSerializer(serializers.Serializer[None]):
    stage = serializers.ChoiceField(choices=Case.Stage.choices)


class RiskLevelSerializer(serializers.Serializer[None]):
    level = serializers.ChoiceField(choices=RiskLevel.choices)
    rationale = serializers.CharField(max_length=4000)


class KeyWorkerSerializer(serializers.Serializer[None]):
    person = FamilyMemberField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ConsentSerializer(serializers.ModelSerializer[Consent]):
    """Consent to support of a family member. Record one with the `case` it is recorded on (its
    owner, a supervisor or the coordinator); `withdraw` records its withdrawal."""

    case = RestrictedPrimaryKeyRelatedField(queryset=Case.objects.all(), action=Action.MANAGE, write_only=True)
    person = RestrictedPrimaryKeyRelatedField(queryset=Person.objects.all(), action=Action.VIEW_SUMMARY)
    given_by = RestrictedPrimaryKeyRelatedField(queryset=Person.objects.all(), action=Action.VIEW_SUMMARY)
    purposes = serializers.ListField(child=serializers.ChoiceField(choices=Consent.Purpose.choices), default=list)
    recorded_by = UserRefSerializer(read_only=True)
    withdrawn_by = UserRefSerializer(read_only=True)

    class Meta:
        model = Consent
        fields = [
            "id",
            "case",
            "family",
            "person",
            "given_by",
            "given_on",
            "purposes",
            "agencies",
            "purpose_text",
            "recorded_by",
            "created_at",
            "withdrawn_at",
            "withdrawn_by",
            "withdraw_reason",
        ]
        read_only_fields = ["id", "family", "recorded_by", "created_at", "withdrawn_at", "withdraw_reason"]


class WithdrawConsentSerializer(serializers.Serializer[None]):
    # The owner or a supervisor withdraws: a case they change (decision 51).
    case = RestrictedPrimaryKeyRelatedField(queryset=Case.objects.all(), action=Action.CHANGE)
    reason = serializers.CharField(max_length=500)


class InformationRequestSerializer(serializers.ModelSerializer[InformationRequest]):
    """A question to an agency working the case, due in 24 hours. Ask one with the `case` (you run
    it: its owner, a supervisor, the panel's coordinator) and the agency asked (`to_agency`);
    a member of that agency gives the `answer` action, once."""

    case = RestrictedPrimaryKeyRelatedField(queryset=Case.objects.all(), action=Action.VIEW_SUMMARY)
    to_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    asked_by = UserRefSerializer(read_only=True)
    answered_by = UserRefSerializer(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = InformationRequest
        fields = [
            "id",
            "case",
            "to_agency",
            "question",
            "asked_by",
            "asked_at",
            "due_at",
            "is_overdue",
            "answer",
            "answered_by",
            "answered_at",
        ]
        read_only_fields = ["id", "asked_by", "asked_at", "due_at", "answer", "answered_by", "answered_at"]


class OwnerQuestionSerializer(serializers.ModelSerializer[OwnerQuestion]):
    """A question to the case's owner, or a request for fuller access (`kind`: question, access),
    asked by someone who reads the case's summary only; its owner (or a supervisor) gives the
    `answer` action, once, and the asker reads the answer here (decision 91)."""

    case = RestrictedPrimaryKeyRelatedField(queryset=Case.objects.all(), action=Action.VIEW_SUMMARY)
    asked_by = UserRefSerializer(read_only=True)
    answered_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = OwnerQuestion
        fields = ["id", "case", "kind", "question", "asked_by", "asked_at", "answer", "answered_by", "answered_at"]
        read_only_fields = ["id", "asked_by", "asked_at", "answer", "answered_by", "answered_at"]


class AnswerSerializer(serializers.Serializer[None]):
    answer = serializers.CharField(max_length=10000)
