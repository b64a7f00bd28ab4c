"""Case endpoints. Every viewset subclasses RestrictedViewSet: same rows as the browser."""

from typing import Any, ClassVar, cast

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, RestrictedViewSet
from agencies.models import User

from .. import services
from ..filtersets import CaseFilterSet
from ..models import Case, CaseShare
from .serializers import (
    AssignOwnerSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    CaseShareSerializer,
    RevokeShareSerializer,
)

__all__ = ["CaseShareViewSet", "CaseViewSet"]


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Cases you may know of. `access` is "full" when the whole file is open to you."""

    queryset = Case.objects.with_summary()
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    action_access: ClassVar[dict[str, Action]] = {
        "list": Action.VIEW_SUMMARY,
        "retrieve": Action.VIEW_SUMMARY,
        "assign_owner": Action.MANAGE,
    }
    permission_required: ClassVar[dict[Action, str]] = {
        Action.VIEW_SUMMARY: "cases.view_case_summary",
        Action.MANAGE: "cases.manage_case",
    }

    def get_queryset(self) -> Any:
        return self.queryset.annotate_access(self.request.user)  # type: ignore[union-attr]

    def get_serializer_class(self) -> Any:
        return CaseSerializer if self.action == "list" else CaseDetailSerializer

    @extend_schema(request=AssignOwnerSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="assign-owner")
    def assign_owner(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        data = AssignOwnerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = cast(User, request.user)
        services.assign_owner(
            case, owner=data.validated_data["owner"], agency=data.validated_data["agency"], actor=actor
        )
        # Re-read at the actor's (possibly new) level: restrict() still decides.
        case = (
            Case.objects.restrict(request.user, Action.VIEW_SUMMARY)
            .with_summary()
            .annotate_access(request.user)
            .get(pk=case.pk)
        )
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)


class CaseShareViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet):
    """Shares of cases with other agencies. Create one to share; `revoke` to end it."""

    queryset = CaseShare.objects.select_related("agency", "granted_by")
    serializer_class = CaseShareSerializer
    filterset_fields = ["case", "agency", "scope"]
    action_access: ClassVar[dict[str, Action]] = {"create": Action.MANAGE, "revoke": Action.MANAGE}
    permission_required: ClassVar[dict[Action, str]] = {Action.MANAGE: "cases.manage_case"}

    def get_queryset(self) -> Any:
        return self.queryset.annotate_access(self.request.user)  # type: ignore[union-attr]

    def perform_create(self, serializer: CaseShareSerializer) -> None:  # type: ignore[override]
        data = serializer.validated_data
        serializer.instance = services.share_case(
            data["case"],
            agency=data["agency"],
            scope=data["scope"],
            basis=data["basis"],
            justification=data.get("justification", ""),
            consent_given_by=data.get("consent_given_by", ""),
            consent_given_on=data.get("consent_given_on"),
            ends_at=data.get("ends_at"),
            actor=self.request.user,
        )
        user = self.request.user
        serializer.instance = (
            CaseShare.objects.restrict(user, Action.VIEW).annotate_access(user).get(pk=serializer.instance.pk)
        )

    @extend_schema(request=RevokeShareSerializer, responses=CaseShareSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        share = self.get_object()
        data = RevokeShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.revoke_share(share, reason=data.validated_data["reason"], actor=cast(User, request.user))
        share = self.get_queryset().get(pk=share.pk)
        return Response(CaseShareSerializer(share, context=self.get_serializer_context()).data)
