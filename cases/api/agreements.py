"""The register of information-sharing agreements in the API (decision 113)."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions as api_exceptions
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import RestrictedViewSet
from agencies.models import Agency, Panel

from .. import services
from ..models import SharingAgreement

__all__ = ["SharingAgreementSerializer", "SharingAgreementViewSet"]


class SharingAgreementSerializer(serializers.ModelSerializer[SharingAgreement]):
    """An agreement between partner agencies. `state` is `status` as it stands today: a current
    agreement past its review date is `expired`. The signed document is uploaded in the browser."""

    parties = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True)
    panels = serializers.PrimaryKeyRelatedField(queryset=Panel.objects.all(), many=True, required=False)
    status = serializers.ChoiceField(
        choices=[
            (value, label) for value, label in SharingAgreement.Status.choices if value in SharingAgreement.SETTABLE
        ]
    )
    state = serializers.ChoiceField(choices=SharingAgreement.Status.choices, read_only=True)
    document_url = serializers.SerializerMethodField()

    class Meta:
        model = SharingAgreement
        fields = [
            "id",
            "title",
            "instrument",
            "parties",
            "panels",
            "purpose",
            "data_categories",
            "sharing_rules",
            "signatories",
            "signed_on",
            "review_on",
            "status",
            "state",
            "document_name",
            "document_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "state", "document_name", "document_url", "created_at", "updated_at"]
        validators: list[Any] = []  # the service checks the model, with its own messages

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_document_url(self, agreement: SharingAgreement) -> str | None:
        if not agreement.document:
            return None
        return reverse("agreements:agreement_document", kwargs={"pk": agreement.pk})

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        return {"parties": list(data.pop("parties", [])), "panels": list(data.pop("panels", [])), **data}


class SharingAgreementViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    RestrictedViewSet,
):
    """Information-sharing agreements of your agencies and of the panels you coordinate. A
    coordinator or an agency administrator records one; one of a party (or its panel's coordinator)
    changes it. Anyone else: 404."""

    queryset = SharingAgreement.objects.prefetch_related("parties", "panels")
    serializer_class = SharingAgreementSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not services.may_register_agreements(request.user):
            raise api_exceptions.PermissionDenied
        serializer = SharingAgreementSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        agreement = services.record_agreement(actor=self.actor, **serializer.service_fields())
        return Response(self.get_serializer(self.get_queryset().get(pk=agreement.pk)).data, status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        agreement = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = SharingAgreementSerializer(
            agreement, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = serializer.service_fields()
        if "parties" not in serializer.validated_data:
            fields["parties"] = list(agreement.parties.all())
        if "panels" not in serializer.validated_data:
            fields["panels"] = list(agreement.panels.all())
        services.change_agreement(agreement, actor=self.actor, **fields)
        return Response(self.get_serializer(SharingAgreement.objects.get(pk=agreement.pk)).data)
