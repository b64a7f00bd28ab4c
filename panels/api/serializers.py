"""Panels, their meetings and agenda items, and owner candidates, as the API shows them."""

from typing import Any

from rest_framework import serializers

from agencies.access import Action, sits_on
from agencies.access.api import RestrictedPrimaryKeyRelatedField
from agencies.api.serializers import AgencyRefSerializer, UserRefSerializer
from agencies.models import Agency, Panel, User
from cases.directory import Candidate
from cases.models import SharingAgreement

from ..models import AgendaItem, InvolvedAgency, MeetingAttendance, PanelMeeting, ShareDeclined

__all__ = [
    "AgendaItemSerializer",
    "CandidateSerializer",
    "DecisionSerializer",
    "NetworkMapSerializer",
    "PanelMeetingSerializer",
    "PanelSerializer",
]


class PanelSerializer(serializers.ModelSerializer[Panel]):
    """A panel; its coordinator may change `cadence_days` and `record_mode`."""

    agencies = AgencyRefSerializer(many=True, read_only=True)
    coordinator = UserRefSerializer(read_only=True)
    chair = UserRefSerializer(read_only=True, allow_null=True)

    emergency_steps = serializers.ListField(
        source="emergency_step_list",
        child=serializers.CharField(),
        read_only=True,
        help_text="The steps of the panel's emergency plan, in order (decision 124).",
    )

    class Meta:
        model = Panel
        fields = [
            "id", "name", "agencies", "coordinator", "chair", "cadence_days", "record_mode", "terms_of_reference",
            "emergency_steps",
        ]  # fmt: skip
        read_only_fields = ["id", "name", "agencies", "coordinator", "chair", "terms_of_reference"]


class NetworkSectorSerializer(serializers.Serializer[Any]):
    """One line of the document's checklist on a panel's network map (decision 121)."""

    sector = serializers.CharField(read_only=True)
    sector_label = serializers.CharField(source="label", read_only=True)
    agencies = AgencyRefSerializer(many=True, read_only=True, help_text="Partner agencies in Ura of this sector.")
    taking_part = serializers.SerializerMethodField()
    invited = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()
    is_missing = serializers.BooleanField(read_only=True, help_text="Nobody takes part and nobody is invited.")

    def get_taking_part(self, row: Any) -> list[str]:
        return [organisation.name for organisation in row.taking_part]

    def get_invited(self, row: Any) -> list[str]:
        return [organisation.name for organisation in row.invited]

    def get_missing(self, row: Any) -> list[str]:
        return [organisation.name for organisation in row.missing]


class NetworkMapSerializer(serializers.Serializer[Any]):
    """A panel's network map: every sector of the checklist, the missing ones, and the warnings
    (no health or mental-health participation)."""

    sectors = NetworkSectorSerializer(source="rows", many=True, read_only=True)
    missing_sectors = serializers.SerializerMethodField()
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    def get_missing_sectors(self, network_map: Any) -> list[str]:
        return [row.sector for row in network_map.missing]


class AttendanceSerializer(serializers.ModelSerializer[MeetingAttendance]):
    user = UserRefSerializer(read_only=True)
    agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = MeetingAttendance
        fields = ["user", "agency", "present", "apologies", "confidentiality_acknowledged_at"]
        read_only_fields = fields


class PanelMeetingSerializer(serializers.ModelSerializer[PanelMeeting]):
    """A meeting; `minutes` (which cover every case discussed) only for the panel's members."""

    panel = RestrictedPrimaryKeyRelatedField(queryset=Panel.objects.all(), action=Action.MANAGE)
    attendance = AttendanceSerializer(many=True, read_only=True)

    def to_representation(self, instance: PanelMeeting) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not sits_on(self.context["request"].user, instance.panel_id):
            data["minutes"] = None
            data["urgent_reason"] = ""  # the reason may name people, like the minutes
        return data

    class Meta:
        model = PanelMeeting
        fields = [
            "id", "panel", "scheduled_for", "location", "status", "record_mode", "minutes", "urgent_reason",
            "attendance",
        ]  # fmt: skip
        read_only_fields = ["id", "status", "record_mode", "minutes", "urgent_reason", "attendance"]


class InvolvedAgencySerializer(serializers.ModelSerializer[InvolvedAgency]):
    agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = InvolvedAgency
        fields = ["agency", "reason"]
        read_only_fields = fields


class ShareDeclinedSerializer(serializers.ModelSerializer[ShareDeclined]):
    agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = ShareDeclined
        fields = ["agency", "reason", "recorded_at"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer[AgendaItem]):
    """An agenda item and what the panel decided (as far as the meeting's record mode keeps)."""

    involved = InvolvedAgencySerializer(many=True, read_only=True)
    # May be empty (no urgency decided): said so in the schema.
    urgency = serializers.ChoiceField(choices=AgendaItem.Urgency.choices, allow_blank=True, read_only=True)
    declines = ShareDeclinedSerializer(many=True, read_only=True)
    first_contact_agency = AgencyRefSerializer(read_only=True, allow_null=True)
    owner = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "reason",
            "case",
            "referral",
            "decided_at",
            "urgency",
            "first_contact_agency",
            "owner",
            "next_review_on",
            "decision_notes",
            "discussion",
            "involved",
            "declines",
        ]
        read_only_fields = fields


class InvolvedInputSerializer(serializers.Serializer[None]):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    reason = serializers.CharField(max_length=300)


class DecisionSerializer(serializers.Serializer[None]):
    # Left out: the case's urgency stays (no `default: ""`, which is not one of the choices).
    urgency = serializers.ChoiceField(choices=AgendaItem.Urgency.choices, required=False)
    first_contact_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    owner_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )
    next_review_on = serializers.DateField(required=False, allow_null=True, default=None)
    involved = InvolvedInputSerializer(many=True, required=False, default=list)
    share_basis = serializers.ChoiceField(
        choices=[("", ""), ("consent", "consent"), ("safeguarding", "safeguarding"), ("legal_duty", "legal_duty")],
        required=False,
        default="",
    )
    share_justification = serializers.CharField(required=False, default="", allow_blank=True)
    share_consent_given_by = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    share_legal_duty = serializers.CharField(required=False, default="", allow_blank=True, max_length=300)
    share_agreement = RestrictedPrimaryKeyRelatedField(
        queryset=SharingAgreement.objects.all(),
        action=Action.VIEW,
        required=False,
        allow_null=True,
        default=None,
        help_text="Without consent: the information-sharing agreement the summaries are shared under "
        "(chosen by itself when exactly one covers the owning agency and each agency involved).",
    )
    share_agreement_override = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        help_text="An emergency override: why the summaries are shared before an agreement covers the "
        "agencies. The data protection officer is told.",
    )
    notes = serializers.CharField(required=False, default="", allow_blank=True)
    discussion = serializers.CharField(required=False, default="", allow_blank=True)


class DeclineSerializer(serializers.Serializer[None]):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=300)


class AttendanceInputSerializer(serializers.Serializer[None]):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    present = serializers.BooleanField(default=True)
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )


class CloseMeetingSerializer(serializers.Serializer[None]):
    cancelled = serializers.BooleanField(default=False)
    leave_undecided = serializers.BooleanField(
        default=False, help_text="Close as held although cases on the agenda are undecided."
    )
    minutes = serializers.CharField(required=False, default="", allow_blank=True)


class CandidateSerializer(serializers.Serializer[Candidate]):
    user = UserRefSerializer()
    agency = AgencyRefSerializer()
    open_cases = serializers.IntegerField()
    languages = serializers.CharField(source="user.spoken_languages")
    gender = serializers.CharField(source="user.gender")
