"""The API of joining and leaving (decision 117) and induction (decision 118). No case data: the
partnership's directory; who may do what is `agencies.joining`'s and `agencies.induction`'s answer."""

import datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from .. import induction, joining
from ..models import Agency, Departure, Membership, Protocol, User

__all__ = [
    "AcknowledgeView",
    "AddMemberView",
    "AgencyListView",
    "AgencyMembershipsView",
    "EndMembershipView",
    "InductionView",
    "InviteView",
    "RolesView",
]


class AgencySerializer(serializers.ModelSerializer[Agency]):
    class Meta:
        model = Agency
        fields = ["id", "name", "sector", "partner_kind"]


class InviteSerializer(serializers.Serializer[User]):
    agency = serializers.IntegerField()
    role = serializers.ChoiceField(
        choices=Membership.Role.choices,
        help_text="An agency administrator grants practitioner, supervisor, panel member or agency administrator; "
        "the other roles only a coordinator.",
    )
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    username = serializers.CharField(max_length=150, required=False, allow_blank=True)
    language = serializers.CharField(max_length=8, required=False, allow_blank=True)


class InvitedPersonSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email"]


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    """A role of a person in an agency, as the agency's page shows it to who manages the agency."""

    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    # Not EmailField: an account may have no address (blank), which the schema's "email" format refuses.
    email = serializers.CharField(source="user.email", read_only=True)
    joined = serializers.SerializerMethodField(help_text="Whether they have chosen a password (else: invited).")
    leaves_on = serializers.SerializerMethodField(help_text="The last day set for this membership, if any.")

    class Meta:
        model = Membership
        fields = ["id", "agency", "user", "username", "full_name", "email", "role", "joined", "leaves_on", "created_at"]
        read_only_fields = fields

    def get_joined(self, membership: Membership) -> bool:
        return membership.user.has_usable_password()

    def get_leaves_on(self, membership: Membership) -> datetime.date | None:
        departure = getattr(membership, "departure", None)  # the reverse one-to-one: absent raises
        return departure.ended_on if departure is not None else None


class AddMemberSerializer(serializers.Serializer[Membership]):
    agency = serializers.IntegerField()
    who = serializers.CharField(
        max_length=254, help_text="The user name or e-mail address of someone who already has an account in Ura."
    )
    role = serializers.ChoiceField(
        choices=Membership.Role.choices,
        help_text="An agency administrator grants practitioner, supervisor, panel member or agency administrator; "
        "the other roles only a coordinator.",
    )


class RolesSerializer(serializers.Serializer[Membership]):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Membership.Role.choices),
        allow_empty=False,
        help_text="Every role the person is to hold in the membership's agency: those left out are taken away.",
    )


class EndSerializer(serializers.Serializer[Departure]):
    ended_on = serializers.DateField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class DepartureSerializer(serializers.ModelSerializer[Departure]):
    class Meta:
        model = Departure
        fields = ["id", "user", "agency", "role", "ended_on", "reason"]


class ProtocolSerializer(serializers.ModelSerializer[Protocol]):
    title = serializers.CharField(source="shown_title", read_only=True)
    text = serializers.CharField(source="shown_text", read_only=True)

    class Meta:
        model = Protocol
        fields = ["id", "title", "text", "version", "published_at"]


class AcknowledgeSerializer(serializers.Serializer[Protocol]):
    protocols = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


def _refused(error: ValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


class AgencyListView(generics.ListCreateAPIView[Agency]):
    """The agencies whose people the caller manages; a coordinator adds one (anyone else: 404)."""

    serializer_class = AgencySerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return joining.managed_agencies(self.request.user).order_by("name")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not joining.may_add_agencies(request.user):  # before the body is read: 404, not 400
            raise NotFound
        serializer = AgencySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            agency = joining.add_agency(actor=cast(User, request.user), **serializer.validated_data)
        except ValidationError as error:
            raise _refused(error) from None
        return Response(AgencySerializer(agency).data, status=status.HTTP_201_CREATED)


def _managed_agency(request: Request, pk: int) -> Agency:
    """The agency `pk` among those the caller manages; one answer for any other (a 400 on the field)."""
    agency = joining.managed_agencies(request.user).filter(pk=pk).first()
    if agency is None:
        raise serializers.ValidationError({"agency": [_("No such agency among those you manage.")]})
    return agency


class InviteView(generics.GenericAPIView[User]):
    """Add a person to an agency the caller manages; their invitation is e-mailed."""

    serializer_class = InviteSerializer
    queryset = User.objects.none()

    @extend_schema(request=InviteSerializer, responses={201: InvitedPersonSerializer})
    def post(self, request: Request) -> Response:
        serializer = InviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agency = _managed_agency(request, data.pop("agency"))
        try:
            person = joining.invite_person(actor=cast(User, request.user), agency=agency, **data)
        except ValidationError as error:
            raise _refused(error) from None
        return Response(InvitedPersonSerializer(person).data, status=status.HTTP_201_CREATED)


def _managed_membership(request: Request, pk: int) -> Membership:
    """A membership of an agency the caller manages; any other is 404."""
    return get_object_or_404(joining.managed_memberships(request.user), pk=pk)


class EndMembershipView(generics.GenericAPIView[Departure]):
    """End a membership with a date: the person's tokens and sessions end. A role the caller may
    not grant: 403; one's own, or (for an agency administrator) the agency's last administrator not
    leaving: 400."""

    serializer_class = EndSerializer
    queryset = Departure.objects.none()

    @extend_schema(request=EndSerializer, responses={200: DepartureSerializer})
    def post(self, request: Request, pk: int) -> Response:
        membership = _managed_membership(request, pk)
        serializer = EndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            departure = joining.end_membership(
                actor=cast(User, request.user), membership=membership, **serializer.validated_data
            )
        except ValidationError as error:
            raise _refused(error) from None
        except PermissionError as refused:
            raise PermissionDenied(str(refused) or None) from None
        return Response(DepartureSerializer(departure).data)


class AgencyMembershipsView(generics.ListAPIView[Membership]):
    """The people of an agency the caller manages, one row a role (404 for any other agency)."""

    serializer_class = MembershipSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = Membership.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema's
            return Membership.objects.none()
        agency = get_object_or_404(joining.managed_agencies(self.request.user), pk=self.kwargs["pk"])
        return joining.people_of(agency)


class AddMemberView(generics.GenericAPIView[Membership]):
    """Make someone who already has an account a member of an agency; they are told by e-mail (a
    leaver who comes back: invited to choose a new password). A coordinator's or a superuser's act:
    anyone else gets 403."""

    serializer_class = AddMemberSerializer
    queryset = Membership.objects.none()

    @extend_schema(request=AddMemberSerializer, responses={201: MembershipSerializer})
    def post(self, request: Request) -> Response:
        if not joining.may_add_members(request.user):  # before the body is read: nothing is looked up
            raise PermissionDenied(_("Only a coordinator adds someone who already has an account in Ura."))
        serializer = AddMemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agency = _managed_agency(request, data.pop("agency"))
        try:
            membership = joining.add_member(actor=cast(User, request.user), agency=agency, **data)
        except ValidationError as error:
            raise _refused(error) from None
        except PermissionError as refused:
            raise PermissionDenied(str(refused) or None) from None
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class RolesView(generics.GenericAPIView[Membership]):
    """Give the person of a membership exactly these roles in its agency; answers their
    memberships there. A role the caller may not grant or take away, or one given to oneself: 403;
    the agency's last administrator taken away, or no role left: 400."""

    serializer_class = RolesSerializer
    queryset = Membership.objects.none()
    pagination_class = None  # the answer is the person's few memberships in the agency
    filter_backends: list[Any] = []

    @extend_schema(request=RolesSerializer, responses={200: MembershipSerializer(many=True)})
    def post(self, request: Request, pk: int) -> Response:
        membership = _managed_membership(request, pk)
        serializer = RolesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            joining.change_roles(
                actor=cast(User, request.user), membership=membership, roles=serializer.validated_data["roles"]
            )
        except ValidationError as error:
            raise _refused(error) from None
        except PermissionError as refused:
            raise PermissionDenied(str(refused) or None) from None
        memberships = joining.roles_in(membership).select_related("user", "departure")
        return Response(MembershipSerializer(memberships, many=True).data)


class InductionView(generics.ListAPIView[Protocol]):
    """The protocols the caller has still to acknowledge before any case answers them."""

    serializer_class = ProtocolSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = Protocol.objects.none()
    permission_classes = [IsAuthenticated]  # open before the protocols are acknowledged

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema's
            return Protocol.objects.none()
        return Protocol.objects.filter(pk__in=[p.pk for p in induction.pending(self.request.user)])


class AcknowledgeView(generics.GenericAPIView[Protocol]):
    """Acknowledge the protocols read (their current versions); answers what is still pending."""

    serializer_class = AcknowledgeSerializer
    queryset = Protocol.objects.none()
    pagination_class = None
    permission_classes = [IsAuthenticated]  # open before the protocols are acknowledged

    @extend_schema(request=AcknowledgeSerializer, responses={200: ProtocolSerializer(many=True)})
    def post(self, request: Request) -> Response:
        serializer = AcknowledgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = cast(User, request.user)
        wanted = set(serializer.validated_data["protocols"])
        induction.acknowledge(user, [p for p in induction.pending(user) if p.pk in wanted])
        return Response(ProtocolSerializer(induction.pending(user), many=True).data)
