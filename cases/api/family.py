"""The family register in the API (decision 66): `family-members/`, with the same rows and rights
as the browser. Full readers of one of the family's cases read it; its owner or a supervisor of
the owning agency change it; every write is a service."""

from typing import Any, ClassVar

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions as api_exceptions
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, RestrictedViewSet
from agencies.access.api import RestrictedPrimaryKeyRelatedField
from agencies.api.serializers import UserRefSerializer
from families.matching import name_key
from families.models import CivilDocument, MemberChange, Person, Relation, Whereabouts
from families.search import alias_match, key_search, known_people

from .. import services
from ..household import EARLY_YEARS, Member
from ..models import Case

__all__ = ["FamilyMemberFilterSet", "FamilyMemberSerializer", "FamilyMemberViewSet"]


class RelationSerializer(serializers.ModelSerializer[Relation]):
    """How the member is related to another: "parent" of a member, read "mother of"."""

    reads = serializers.CharField(source="label", read_only=True)

    class Meta:
        model = Relation
        fields = ["kind", "reads", "other", "recorded_at"]


class FamilyMemberSerializer(serializers.ModelSerializer[Person]):
    """A member of a family. Add one with the `case` of the family (you change it: its owner or a
    supervisor); `relation_kind` and `relation_to` record how they are related to another member
    ("parent" of a child). Contact details only where the family agreed (`contact_agreed`)."""

    case = RestrictedPrimaryKeyRelatedField(
        queryset=Case.objects.all(), action=Action.CHANGE, write_only=True, required=False
    )
    civil_documents = serializers.ListField(
        child=serializers.ChoiceField(choices=CivilDocument.choices), required=False
    )
    relation_kind = serializers.ChoiceField(choices=Relation.Kind.choices, write_only=True, required=False)
    relation_to = RestrictedPrimaryKeyRelatedField(
        queryset=Person.objects.all(), action=Action.VIEW, write_only=True, required=False
    )
    relations = serializers.SerializerMethodField()
    age = serializers.SerializerMethodField()
    age_estimated = serializers.SerializerMethodField()
    under_12 = serializers.SerializerMethodField()
    nearing_18 = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "case",
            "family",
            *Person.REGISTER_FIELDS,
            "relation_kind",
            "relation_to",
            "relations",
            "age",
            "age_estimated",
            "under_12",
            "nearing_18",
            "ended_at",
            "end_reason",
            "merged_into",
        ]
        read_only_fields = ["id", "family", "ended_at", "end_reason", "merged_into"]
        validators: list[Any] = []  # the service checks the model, with its own messages

    def get_relations(self, person: Person) -> list[dict[str, Any]]:
        current = [relation for relation in person.relations.all() if relation.ended_at is None]
        return list(RelationSerializer(current, many=True).data)

    def get_age(self, person: Person) -> int | None:
        return person.estimated_age()

    def get_age_estimated(self, person: Person) -> bool:
        return Member(person).age_estimated

    def get_under_12(self, person: Person) -> bool:
        age = person.estimated_age()
        return age is not None and age < EARLY_YEARS

    def get_nearing_18(self, person: Person) -> bool:
        return Member(person).nearing_18


class RemoveMemberSerializer(serializers.Serializer[None]):
    reason = serializers.CharField(max_length=300)


class MergeMembersSerializer(serializers.Serializer[None]):
    other = RestrictedPrimaryKeyRelatedField(queryset=Person.objects.all(), action=Action.CHANGE)
    reason = serializers.CharField(max_length=300)


class MemberChangeSerializer(serializers.ModelSerializer[MemberChange]):
    actor = UserRefSerializer(read_only=True)

    class Meta:
        model = MemberChange
        fields = ["kind", "changes", "reason", "actor", "at"]


class WhereaboutsSerializer(serializers.ModelSerializer[Whereabouts]):
    class Meta:
        model = Whereabouts
        fields = ["place", "since", "recorded_at"]


class HistorySerializer(serializers.Serializer[Any]):
    changes = MemberChangeSerializer(many=True)
    whereabouts = WhereaboutsSerializer(many=True)


class KnownPersonSerializer(serializers.Serializer[Any]):
    """A member of a register the user reads (`id`, `family`), or the subject of an earlier
    referral the user may read (`referral`; `id` and `family` null)."""

    id = serializers.IntegerField(source="person.pk", allow_null=True)
    name = serializers.CharField()
    family = serializers.IntegerField(source="person.family_id", allow_null=True)
    referral = serializers.IntegerField(source="referral.pk", allow_null=True)
    date_of_birth = serializers.DateField(allow_null=True)
    reason = serializers.CharField()


def _readable_cases(request: HttpRequest | None) -> QuerySet[Case]:
    if request is None:
        return Case.objects.none()
    return Case.objects.restrict(request.user, Action.VIEW)


class FamilyMemberFilterSet(django_filters.FilterSet):
    """`case`: the members of that case's family; `current`: not removed or merged; `q`: names, as
    matching meets them (spellings, aliases, a slip of a letter)."""

    case = django_filters.ModelChoiceFilter(queryset=_readable_cases, method="filter_case")
    current = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull")
    q = django_filters.CharFilter(label=_("Name"), method="search")

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_case(self, queryset: QuerySet[Person], name: str, value: Case | None) -> QuerySet[Person]:
        return queryset.filter(family_id=value.family_id) if value is not None else queryset

    def search(self, queryset: QuerySet[Person], name: str, value: str) -> Any:
        key = name_key(value)
        aliases = alias_match("other_name_keys", key) if key else None
        return key_search(queryset, value, ("family_name_key", "given_name_key"), also=aliases)


class FamilyMemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """The members of the families whose case files you read, current and former. Add one (`case`
    in the body), change one (`PATCH`), `remove` one with a reason (nothing is deleted), `merge`
    another record of the same person into one (a supervisor), read one's `history`; `known`
    finds people already recorded whom a new member may be (across spellings, among what you see)."""

    queryset = Person.objects.prefetch_related("relations__person")
    serializer_class = FamilyMemberSerializer
    filterset_class = FamilyMemberFilterSet
    # Adding names the case in the body (its field and the service check CHANGE); the others act
    # on the member, for the change they make.
    action_access: ClassVar[dict[str, Action]] = {
        "create": Action.VIEW,
        "partial_update": Action.CHANGE,
        "remove": Action.CHANGE,
        "merge": Action.CHANGE,
    }
    permission_required: ClassVar[dict[Action, str]] = {
        Action.VIEW: "cases.view_case",
        Action.CHANGE: "cases.change_case",
    }

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = data.pop("case", None)
        if case is None:
            raise api_exceptions.ValidationError({"case": [_("Name the case of the family.")]})
        person = services.add_member(case, actor=self.actor, **data)
        return Response(self.get_serializer(self._read(person)).data, status=201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        serializer = self.get_serializer(person, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = data.pop("case", None) or services.family_case(person, self.actor)
        person = services.change_member(case, person, actor=self.actor, **data)
        return Response(self.get_serializer(self._read(person)).data)

    @extend_schema(request=RemoveMemberSerializer, responses=FamilyMemberSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request: Request, pk: str | None = None) -> Response:
        person = self.get_object()
        data = RemoveMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.family_case(person, self.actor)
        person = services.remove_member(case, person, reason=data.validated_data["reason"], actor=self.actor)
        return Response(self.get_serializer(self._read(person)).data)

    @extend_schema(request=MergeMembersSerializer, responses=FamilyMemberSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """Merge `other` into this member: a supervisor's act (403 for anyone else)."""
        if not request.user.has_perm("families.merge_person"):
            raise api_exceptions.PermissionDenied
        person = self.get_object()
        data = MergeMembersSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        case = services.family_case(person, self.actor)
        try:
            kept = services.merge_members(
                case, person, data.validated_data["other"], reason=data.validated_data["reason"], actor=self.actor
            )
        except PermissionDenied:
            raise api_exceptions.PermissionDenied from None
        return Response(self.get_serializer(self._read(kept)).data)

    @extend_schema(responses=HistorySerializer)
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """The member's history: every change with the values before and after, and their
        whereabouts over time."""
        person = self.get_object()
        user = request.user
        changes = MemberChange.objects.restrict(user, Action.VIEW).filter(person=person).select_related("actor")
        where = Whereabouts.objects.restrict(user, Action.VIEW).filter(person=person)
        return Response(HistorySerializer({"changes": changes, "whereabouts": where}).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("given_name", str),
            OpenApiParameter("family_name", str, required=True),
            OpenApiParameter("date_of_birth", str, description="YYYY-MM-DD"),
        ],
        responses=KnownPersonSerializer(many=True),
        filters=False,  # its own parameters, and one short list (not paged)
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def known(self, request: Request) -> Response:
        """People already recorded whom a new member may be: in the registers you read in full, or
        named in earlier referrals you may read."""
        params = request.query_params
        typed = params.get("date_of_birth") or None
        born = serializers.DateField(allow_null=True).run_validation(typed) if typed else None
        found = known_people(
            request.user,
            given_name=params.get("given_name", ""),
            family_name=params.get("family_name", ""),
            date_of_birth=born,
        )
        return Response(KnownPersonSerializer(found, many=True).data)

    def _read(self, person: Person) -> Person:
        visible = Person.objects.restrict(self.actor, Action.VIEW).prefetch_related("relations__person")
        read: Person = visible.get(pk=person.pk)
        return read
