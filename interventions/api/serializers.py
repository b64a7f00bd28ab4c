"""Plans, reviews, withdrawals and closures over the API. Writes go through the services; these
serializers only read the request and show the result."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions as api_exceptions
from rest_framework import serializers

from agencies.access import Action, CaseAccess
from agencies.access.api import RestrictedPrimaryKeyRelatedField
from agencies.api.serializers import UserRefSerializer
from agencies.models import Agency, Expert, User
from cases.models import Case
from cases.querysets import CaseQuerySet
from families.models import Person

from ..models import (
    Closure,
    ClosureAgreement,
    FollowUp,
    Goal,
    GoalOutcome,
    GoalProgress,
    InterventionPlan,
    PlanAction,
    Review,
    Typology,
    Withdrawal,
)
from ..progress import progress_of

__all__ = [
    "ActionStatusSerializer",
    "CaseProgressSerializer",
    "ClosureSerializer",
    "FollowUpDoneSerializer",
    "FollowUpSerializer",
    "InterventionPlanSerializer",
    "PlanActionSerializer",
    "ReopenSerializer",
    "ReviewSerializer",
    "WithdrawalSerializer",
]


class ChangeableCaseField(RestrictedPrimaryKeyRelatedField):
    """The case written to: an id of a case whose full file the user does not read is refused
    exactly like one that does not exist; a reader who may not change the case gets 403."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Case.objects.all(), action=Action.VIEW, **kwargs)

    def get_queryset(self) -> CaseQuerySet:
        # The case comes with the user's access: one query decides both answers.
        cases = super().get_queryset()
        if not isinstance(cases, CaseQuerySet):
            raise ImproperlyConfigured("ChangeableCaseField chooses among cases")
        return cases.with_access(self.context["request"].user)

    def to_internal_value(self, data: Any) -> Any:
        case = super().to_internal_value(data)
        if not CaseAccess.of(case, self.context["request"].user).change:
            raise api_exceptions.PermissionDenied
        return case


class PlanActionSerializer(serializers.ModelSerializer[PlanAction]):
    """An action of a plan; `lapsed` when past its due date and neither done nor cancelled."""

    plan = serializers.IntegerField(source="goal.plan_id", read_only=True)
    provider_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    provider_agency_name = serializers.CharField(source="provider_agency.name", read_only=True)
    provider_person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    provider_person_name = serializers.CharField(source="provider_person", read_only=True, default=None)
    provider_expert = serializers.PrimaryKeyRelatedField(
        queryset=Expert.objects.filter(is_active=True), required=False, allow_null=True
    )
    # A member of the case's family (the service checks the family).
    beneficiary = RestrictedPrimaryKeyRelatedField(
        queryset=Person.objects.all(), action=Action.VIEW, required=False, allow_null=True
    )
    lapsed = serializers.BooleanField(source="is_lapsed", read_only=True)

    class Meta:
        model = PlanAction
        fields = [
            "id",
            "case",
            "plan",
            "goal",
            "type",
            "measure",
            "provider_agency",
            "provider_agency_name",
            "provider_person",
            "provider_person_name",
            "provider_note",
            "provider_expert",
            "beneficiary",
            "starts_on",
            "due_on",
            "intended_outcome",
            "status",
            "lapsed",
            "status_changed_at",
        ]
        read_only_fields = ["id", "case", "plan", "goal", "status", "lapsed", "status_changed_at"]
        validators: list[Any] = []  # the service checks the model, with its own messages


class GoalSerializer(serializers.ModelSerializer[Goal]):
    actions = PlanActionSerializer(many=True)

    class Meta:
        model = Goal
        fields = ["id", "position", "text", "actions"]
        read_only_fields = ["id", "position"]


class InterventionPlanSerializer(serializers.ModelSerializer[InterventionPlan]):
    """A plan with its goals and their actions. Created agreed by the family, it starts at once and
    replaces the running plan; otherwise it is a draft."""

    case = ChangeableCaseField()
    goals = GoalSerializer(many=True)
    created_by = UserRefSerializer(read_only=True)

    class Meta:
        model = InterventionPlan
        fields = [
            "id",
            "case",
            "status",
            "summary",
            "agreed_by_family",
            "agreed_by",
            "agreed_on",
            "started_on",
            "ended_on",
            "replaced_by",
            "goals",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "status", "started_on", "ended_on", "replaced_by", "created_by", "created_at"]
        validators: list[Any] = []


class ActionStatusSerializer(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=PlanAction.Status.choices)


class GoalProgressSerializer(serializers.ModelSerializer[GoalProgress]):
    goal = RestrictedPrimaryKeyRelatedField(queryset=Goal.objects.all(), action=Action.VIEW)

    class Meta:
        model = GoalProgress
        fields = ["goal", "progress", "notes"]


class ActionUpdateSerializer(serializers.Serializer[None]):
    action = RestrictedPrimaryKeyRelatedField(queryset=PlanAction.objects.all(), action=Action.VIEW)
    status = serializers.ChoiceField(choices=PlanAction.Status.choices)


class ReviewSerializer(serializers.ModelSerializer[Review]):
    """A review of the case's running plan: the progress of every goal, the risk level (the case's
    from now on) and the next review date (the case's next review)."""

    case = ChangeableCaseField()
    progress = GoalProgressSerializer(many=True)
    action_statuses = ActionUpdateSerializer(many=True, write_only=True, required=False)
    author = UserRefSerializer(read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "case",
            "plan",
            "held_on",
            "changes_since_last",
            "risk_level",
            "next_review_on",
            "progress",
            "action_statuses",
            "author",
            "created_at",
        ]
        read_only_fields = ["id", "plan", "author", "created_at"]
        validators: list[Any] = []


class GoalOutcomeSerializer(serializers.ModelSerializer[GoalOutcome]):
    """How far one goal of the ending plan came; the note is the file's content."""

    goal = RestrictedPrimaryKeyRelatedField(queryset=Goal.objects.all(), action=Action.VIEW)

    class Meta:
        model = GoalOutcome
        fields = ["goal", "outcome", "note"]


class WithdrawalSerializer(serializers.ModelSerializer[Withdrawal]):
    """The family withdrew from the plan: the case stays open. At high or critical risk
    `security_followup` must be true. `outcomes` gives how far each goal of the running plan
    came, and `typology` what the case turned out to be."""

    case = ChangeableCaseField()
    recorded_by = UserRefSerializer(read_only=True)
    typology = serializers.ChoiceField(choices=Typology.choices)
    outcomes = GoalOutcomeSerializer(many=True, required=False, default=list)
    family_feedback = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    class Meta:
        model = Withdrawal
        fields = [
            "id",
            "case",
            "plan",
            "withdrawn_on",
            "reason",
            "open_door_message",
            "security_followup",
            "typology",
            "outcomes",
            "family_feedback",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["id", "plan", "recorded_by", "created_at"]
        validators: list[Any] = []


class ClosureAgreementSerializer(serializers.ModelSerializer[ClosureAgreement]):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    agreed_on = serializers.DateField(required=False)

    class Meta:
        model = ClosureAgreement
        fields = ["agency", "user", "agreed_on"]
        validators: list[Any] = []

    def to_representation(self, instance: ClosureAgreement) -> dict[str, Any]:
        data = super().to_representation(instance)
        return {**data, "agency_name": instance.agency.name, "user_name": str(instance.user)}


class FollowUpSerializer(serializers.ModelSerializer[FollowUp]):
    done_by = UserRefSerializer(read_only=True)

    class Meta:
        model = FollowUp
        fields = ["id", "case", "closure", "due_on", "done_on", "notes", "done_by", "contact"]
        read_only_fields = fields


class ClosureSerializer(serializers.ModelSerializer[Closure]):
    """The multi-agency decision to close a case, with its agreements (two agencies at least, the
    owning agency among them) and the follow-ups it scheduled. `outcomes` gives how far each goal
    of the running plan came, and `typology` what the case turned out to be."""

    case = ChangeableCaseField()
    agreements = ClosureAgreementSerializer(many=True)
    typology = serializers.ChoiceField(choices=Typology.choices)
    outcomes = GoalOutcomeSerializer(many=True, required=False, default=list)
    family_feedback = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    follow_ups = FollowUpSerializer(many=True, read_only=True)
    recorded_by = UserRefSerializer(read_only=True)
    reopened_by = UserRefSerializer(read_only=True)

    class Meta:
        model = Closure
        fields = [
            "id",
            "case",
            "decided_on",
            "reason",
            "typology",
            "outcomes",
            "family_feedback",
            "agreements",
            "follow_ups",
            "recorded_by",
            "created_at",
            "reopened_at",
            "reopened_by",
            "reopen_reason",
        ]
        read_only_fields = ["id", "recorded_by", "created_at", "reopened_at", "reopened_by", "reopen_reason"]
        validators: list[Any] = []


class ReopenSerializer(serializers.Serializer[None]):
    reason = serializers.CharField(max_length=4000)


class FollowUpDoneSerializer(serializers.Serializer[None]):
    done_on = serializers.DateField()
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    with_contact = serializers.BooleanField(default=False)


class DeadlineSerializer(serializers.Serializer[Any]):
    """A deadline of the case: when it is due, when it was met, and how it stands."""

    due_on = serializers.DateField(allow_null=True)
    done_on = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=["met", "missed", "pending", "none"])


class ActionCountsSerializer(serializers.Serializer[Any]):
    planned = serializers.IntegerField(source="actions_planned")
    running = serializers.IntegerField(source="actions_running")
    lapsed = serializers.IntegerField(source="actions_lapsed")
    done = serializers.IntegerField(source="actions_done")


class GoalCountsSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField(source="goals")
    on_track = serializers.IntegerField(source="goals_on_track")
    off_track = serializers.IntegerField(source="goals_off_track")
    achieved = serializers.IntegerField(source="goals_achieved")
    not_reviewed = serializers.IntegerField(source="goals_not_reviewed")


class ProgressFiguresSerializer(serializers.Serializer[Any]):
    has_plan = serializers.BooleanField()
    actions = ActionCountsSerializer(source="*")
    goals = GoalCountsSerializer(source="*")
    last_contact_on = serializers.DateField(allow_null=True)
    days_since_contact = serializers.IntegerField(allow_null=True)
    last_review_on = serializers.DateField(allow_null=True)
    next_review_on = serializers.DateField(allow_null=True)
    first_contact = DeadlineSerializer()
    assessment = DeadlineSerializer(help_text="The needs assessment, due the panel's working days after first contact.")


class CaseProgressSerializer(serializers.ModelSerializer[Case]):
    """How a case's plan is going, at summary level: counts and dates only (decision 101)."""

    progress = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "reference", "panel", "progress"]
        read_only_fields = fields

    @extend_schema_field(ProgressFiguresSerializer)
    def get_progress(self, case: Case) -> dict[str, Any]:
        figures = progress_of(case)
        return dict(ProgressFiguresSerializer(figures).data)
