"""Referrals over the API. The reporter's identity goes only to the receiving agency."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.access import Action, sees_reporter
from agencies.access.api import RestrictedPrimaryKeyRelatedField
from agencies.api.serializers import AgencyRefSerializer, PanelRefSerializer
from agencies.models import Agency, Panel, User
from cases.models import Case
from families.models import Family

from ..models import Referral, ReferralIndicator, TriageDecision
from ..services import Match, Matches

__all__ = [
    "AddToSerializer",
    "FeedbackSerializer",
    "ReferralCreateSerializer",
    "ReferralSerializer",
    "TriageSerializer",
]


class TriageDecisionSerializer(serializers.ModelSerializer[TriageDecision]):
    decided_by = serializers.CharField(source="decided_by.__str__", read_only=True)
    # May be empty: said so in the schema (a read-only model field loses its allow_blank).
    reason = serializers.ChoiceField(choices=TriageDecision.Reason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = TriageDecision
        fields = ["decision", "reason", "notes", "signposted_to", "decided_by", "decided_at"]
        read_only_fields = fields


class ReporterSerializer(serializers.ModelSerializer[Referral]):
    class Meta:
        model = Referral
        fields = [
            "reporter_anonymous",
            "reporter_name",
            "reporter_contact",
            "reporter_relationship",
            "reporter_is_professional",
            "reporter_feedback",
            "reporter_feedback_at",
        ]
        read_only_fields = fields


class ReferralSerializer(serializers.ModelSerializer[Referral]):
    """A referral as the user may see it: `reporter` is null outside the receiving agency, and a
    linked case or earlier referral is given only when the user may see it too."""

    url = serializers.HyperlinkedIdentityField(view_name="referrals-api:referral-detail")
    received_by = AgencyRefSerializer(read_only=True)
    routed_to = AgencyRefSerializer(read_only=True, allow_null=True)
    crisis_reason = serializers.ChoiceField(choices=Referral.CrisisReason.choices, allow_blank=True, read_only=True)
    panel = PanelRefSerializer(read_only=True, allow_null=True)
    indicators = serializers.SerializerMethodField()
    decisions = TriageDecisionSerializer(many=True, read_only=True)
    reporter = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    primary = serializers.SerializerMethodField()
    triage_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "url",
            "status",
            "channel",
            "received_at",
            "received_by",
            "urgency",
            "is_crisis",
            "crisis_reason",
            "routed_to",
            "subject_given_name",
            "subject_family_name",
            "subject_date_of_birth",
            "subject_age",
            "subject_area",
            "observed_on",
            "concern",
            "indicators",
            "ideology",
            "child_involved",
            "person_told",
            "triage_due_at",
            "triaged_at",
            "triage_overdue",
            "panel",
            "case",
            "primary",
            "decisions",
            "reporter",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_indicators(self, referral: Referral) -> list[str]:
        return [indicator.kind for indicator in referral.indicators.all()]

    @extend_schema_field(ReporterSerializer(allow_null=True))
    def get_reporter(self, referral: Referral) -> dict[str, Any] | None:
        if not sees_reporter(self.context["request"].user, referral):
            return None
        return ReporterSerializer(referral).data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_case(self, referral: Referral) -> int | None:
        return referral.case_id if getattr(referral, "case_visible", False) else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_primary(self, referral: Referral) -> int | None:
        return referral.primary_id if getattr(referral, "primary_visible", False) else None


class ReferralCreateSerializer(serializers.ModelSerializer[Referral]):
    """Intake. `received_by` may be left out when the user works cases for one agency only."""

    indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=ReferralIndicator.Kind.choices), required=False, default=list
    )
    received_by = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False)

    class Meta:
        model = Referral
        fields = [
            "received_by",
            "channel",
            "received_at",
            "reporter_anonymous",
            "reporter_name",
            "reporter_contact",
            "reporter_relationship",
            "reporter_is_professional",
            "subject_given_name",
            "subject_family_name",
            "subject_date_of_birth",
            "subject_age",
            "subject_area",
            "observed_on",
            "concern",
            "indicators",
            "ideology",
            "child_involved",
            "person_told",
            "urgency",
            "is_crisis",
            "crisis_reason",
        ]
        validators: list[Any] = []  # the service checks the model, with its own messages


class TriageSerializer(serializers.Serializer[None]):
    decision = serializers.ChoiceField(choices=TriageDecision.Decision.choices)
    # Left out: no reason (no `default: ""`, which is not one of the choices).
    reason = serializers.ChoiceField(choices=TriageDecision.Reason.choices, required=False)
    notes = serializers.CharField(required=False, default="", allow_blank=True)
    signposted_to = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    panel = serializers.PrimaryKeyRelatedField(
        queryset=Panel.objects.all(), required=False, allow_null=True, default=None
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    owner_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )
    family = RestrictedPrimaryKeyRelatedField(
        queryset=Family.objects.all(), action=Action.VIEW, required=False, allow_null=True, default=None
    )


class AddToSerializer(serializers.Serializer[None]):
    primary = RestrictedPrimaryKeyRelatedField(
        queryset=Referral.objects.all(), action=Action.VIEW, required=False, allow_null=True, default=None
    )
    case = RestrictedPrimaryKeyRelatedField(
        queryset=Case.objects.all(), action=Action.VIEW_SUMMARY, required=False, allow_null=True, default=None
    )


class FeedbackSerializer(serializers.Serializer[None]):
    feedback = serializers.CharField(max_length=2000)


class MatchQuerySerializer(serializers.Serializer[None]):
    subject_family_name = serializers.CharField(max_length=100)
    subject_given_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    subject_date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_subject_date_of_birth(self, value: Any) -> Any:
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError(_("A date of birth cannot lie in the future."))
        return value


class MatchSerializer(serializers.Serializer[Match]):
    kind = serializers.CharField()
    id = serializers.IntegerField(source="obj.pk")
    person = serializers.CharField()
    reason = serializers.CharField()
    score = serializers.IntegerField()


class MatchesSerializer(serializers.Serializer[Matches]):
    referrals = MatchSerializer(many=True)
    cases = MatchSerializer(many=True)
