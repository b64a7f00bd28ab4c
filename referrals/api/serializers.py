"""Referrals over the API. The reporter's identity goes only to the receiving agency."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.access import Action, sees_reporter
from agencies.access.api import RestrictedPrimaryKeyRelatedField
from agencies.api.serializers import AgencyRefSerializer, PanelRefSerializer
from agencies.models import Agency, Panel, User
from cases.models import Case
from families.models import Family

from ..models import (
    ConcernReceipt,
    DeconflictionCheck,
    Referral,
    ReferralIndicator,
    SupportService,
    TriageDecision,
)
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
    received_by = AgencyRefSerializer(read_only=True, allow_null=True)
    front_door = PanelRefSerializer(read_only=True, allow_null=True)
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
            "front_door",
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


NOT_LISTED = gettext_lazy("Choose a service the directory lists and that takes referrals.")


class TriageSerializer(serializers.Serializer[None]):
    """A triage decision. Signposting (`signposted`) may refer the person to a service of the
    directory in the same step: `service` with `service_request` (what the service is asked) and,
    when the referral names nobody, `service_for_whom`; the decision and the referral to the service
    are saved together or not at all (decision 142). `signposted_to` then defaults to the service's
    name."""

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
    service = RestrictedPrimaryKeyRelatedField(
        queryset=SupportService.objects.listed(),
        action=Action.VIEW,
        required=False,
        allow_null=True,
        default=None,
        help_text="A service of the directory that takes referrals (signposting only).",
        error_messages={"does_not_exist": NOT_LISTED, "incorrect_type": NOT_LISTED},
    )
    service_for_whom = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=200,
        help_text="The name the service needs to reach the person (default: the person the referral is about).",
    )
    service_request = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=4000,
        help_text="What the service is asked, written for the service (needed with `service`).",
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


class ConcernReceiptSerializer(serializers.ModelSerializer[ConcernReceipt]):
    """A concern sent to a panel's front door, as its sender sees it: how far it got, and the
    feedback triage chose to give; never the referral or the case (decision 125)."""

    url = serializers.HyperlinkedIdentityField(view_name="referrals-api:concern-detail")
    sent_by = serializers.CharField(source="sent_by.__str__", read_only=True)
    sent_by_agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = ConcernReceipt
        fields = ["id", "url", "label", "sent_at", "sent_by", "sent_by_agency", "stage", "feedback", "feedback_at"]
        read_only_fields = fields


class FrontDoorSerializer(serializers.ModelSerializer[Referral]):
    """A concern sent to a panel's front door. `sent_by_agency` may be left out when the user works
    cases for one agency only."""

    panel = serializers.PrimaryKeyRelatedField(queryset=Panel.objects.all())
    sent_by_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False)
    indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=ReferralIndicator.Kind.choices), required=False, default=list
    )

    class Meta:
        model = Referral
        fields = [
            "panel",
            "sent_by_agency",
            "reporter_relationship",
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

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # `label` names an attribute of every DRF field, so it is added here, not declared above.
        fields = super().get_fields()
        fields["label"] = serializers.CharField(
            max_length=80,
            required=False,
            default="",
            allow_blank=True,
            help_text="A few words of the sender's own to know the concern by; kept on the receipt only.",
        )
        return fields


class PublicConcernSerializer(serializers.Serializer[None]):
    """A concern from the public (no sign-in): everything but the concern is optional."""

    panel = serializers.PrimaryKeyRelatedField(queryset=Panel.objects.all())
    channel = serializers.ChoiceField(
        choices=[
            (c.value, c.label)
            for c in (Referral.Channel.FAMILY_OR_FRIEND, Referral.Channel.NEIGHBOUR, Referral.Channel.SELF)
        ],
        default=Referral.Channel.FAMILY_OR_FRIEND,
    )
    reporter_anonymous = serializers.BooleanField(default=False)
    reporter_name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    reporter_contact = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    reporter_relationship = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    subject_given_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    subject_family_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    subject_age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True, default=None)
    subject_area = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    child_involved = serializers.BooleanField(default=False)
    person_told = serializers.ChoiceField(choices=Referral.Told.choices, default=Referral.Told.UNKNOWN)
    concern = serializers.CharField(max_length=5000)
    started = serializers.CharField(
        max_length=200, help_text="The signed stamp from `GET /api/v1/public/concerns/`, sent back unchanged."
    )
    homepage = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True, help_text="Leave empty (a field for robots)."
    )


class PublicStampSerializer(serializers.Serializer[None]):
    """What a client fetches before it sends a public concern: a signed stamp to send back with the
    concern, no sooner than `minimum_seconds` later (the page's own spam control)."""

    started = serializers.CharField()
    minimum_seconds = serializers.FloatField()


class FollowUpCodeSerializer(serializers.Serializer[None]):
    code = serializers.CharField(max_length=40)


class PublicReceiptSerializer(serializers.Serializer[None]):
    """What the public sender gets once: the follow-up code, and the stage."""

    code = serializers.CharField()
    stage = serializers.ChoiceField(choices=ConcernReceipt.Stage.choices)


class PublicStageSerializer(serializers.Serializer[None]):
    stage = serializers.ChoiceField(choices=ConcernReceipt.Stage.choices)


class DeconflictionCheckSerializer(serializers.ModelSerializer[DeconflictionCheck]):
    """A police check: the names to check and the answer (read by the police asked and by those
    who triage the referral)."""

    url = serializers.HyperlinkedIdentityField(view_name="referrals-api:deconfliction-check-detail")
    police_agency = AgencyRefSerializer(read_only=True)
    answered_by = serializers.SerializerMethodField()
    answer = serializers.ChoiceField(choices=DeconflictionCheck.Answer.choices, allow_blank=True, read_only=True)

    class Meta:
        model = DeconflictionCheck
        fields = [
            "id",
            "url",
            "referral",
            "police_agency",
            "given_name",
            "family_name",
            "date_of_birth",
            "age",
            "area",
            "asked_at",
            "due_at",
            "answer",
            "answered_by",
            "answered_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_answered_by(self, check: DeconflictionCheck) -> str | None:
        return str(check.answered_by) if check.answered_by_id else None


class DeconflictionAnswerSerializer(serializers.Serializer[None]):
    answer = serializers.ChoiceField(choices=DeconflictionCheck.Answer.choices)
