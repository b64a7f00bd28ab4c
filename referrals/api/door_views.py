"""The front door over the API (decisions 125 to 127): a partner's concerns and their receipts, the
police's checks, and the public endpoints (no sign-in, throttled per address)."""

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.access import Action, RestrictedViewSet
from cases.services import casework_agencies

from .. import front_door, services
from ..models import ConcernReceipt, DeconflictionCheck
from .serializers import (
    ConcernReceiptSerializer,
    DeconflictionAnswerSerializer,
    DeconflictionCheckSerializer,
    FollowUpCodeSerializer,
    FrontDoorSerializer,
    PublicConcernSerializer,
    PublicReceiptSerializer,
    PublicStageSerializer,
    PublicStampSerializer,
)

__all__ = ["ConcernViewSet", "DeconflictionCheckViewSet", "PublicConcernView", "PublicStatusView"]


class ConcernViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet):
    """Concerns sent to a panel's front door by you or your agency: their stage and the feedback
    given, never the referral or the case they joined."""

    queryset = ConcernReceipt.objects.filter(sent_by__isnull=False).select_related("sent_by", "sent_by_agency")
    serializer_class = ConcernReceiptSerializer
    filterset_fields: ClassVar[list[str]] = ["stage"]
    # Sending writes a new referral at the front door; the receipts themselves are only read.
    permission_required: ClassVar[dict[Action, str]] = {Action.CHANGE: "referrals.add_referral"}

    @extend_schema(request=FrontDoorSerializer, responses={201: ConcernReceiptSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = FrontDoorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        agencies = casework_agencies(self.actor)
        agency = fields.pop("sent_by_agency", None) or (agencies[0] if len(agencies) == 1 else None)
        if agency not in agencies:
            raise ValidationError({"sent_by_agency": [_("Choose the agency of yours that sends the concern.")]})
        receipt = services.send_to_front_door(
            actor=self.actor,
            panel=fields.pop("panel"),
            sent_by_agency=agency,
            indicators=fields.pop("indicators"),
            **fields,
        )
        answer = ConcernReceiptSerializer(receipt, context=self.get_serializer_context())
        return Response(answer.data, status=status.HTTP_201_CREATED)


class DeconflictionCheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Police checks: whether the person of a referral is already under investigation. Listed for the
    police asked (who answer) and for those who triage the referral (who read the answer)."""

    queryset = DeconflictionCheck.objects.select_related("police_agency", "answered_by")
    serializer_class = DeconflictionCheckSerializer
    filterset_fields: ClassVar[list[str]] = ["answer"]
    action_access: ClassVar[dict[str, Action]] = {"answer": Action.CHANGE}
    permission_required: ClassVar[dict[Action, str]] = {
        Action.VIEW: "referrals.view_referral",
        Action.CHANGE: "referrals.view_referral",
    }

    @extend_schema(request=DeconflictionAnswerSerializer, responses=DeconflictionCheckSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """Say whether the person is already under investigation: yes, no, or not told."""
        check = self.get_object()
        data = DeconflictionAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.answer_deconfliction(check, answer=data.validated_data["answer"], actor=self.actor)
        return Response(DeconflictionCheckSerializer(check, context=self.get_serializer_context()).data)


class PublicConcernView(APIView):
    """A concern from the public, no sign-in (decision 126): answered with a follow-up code, once.

    `GET` gives a signed stamp; `POST` sends it back with the concern, no sooner than
    `minimum_seconds` later, and `homepage` empty, as the page does. The page and the API count on
    one counter per address (an IPv6 address by its /64): a flood is refused with 429."""

    permission_classes = [AllowAny]
    authentication_classes = ()
    throttle_classes = ()
    # A concern sent twice with one Idempotency-Key is stored once, answered with the same code (decision 159).
    idempotent_without_sign_in = True

    @extend_schema(responses=PublicStampSerializer, auth=[])
    def get(self, request: Request) -> Response:
        return Response({"started": front_door.issue_started(), "minimum_seconds": front_door.minimum_seconds()})

    @extend_schema(request=PublicConcernSerializer, responses={201: PublicReceiptSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        if front_door.throttled(request, front_door.SUBMIT):
            raise Throttled(wait=front_door.SUBMIT.window)
        data = PublicConcernSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        elapsed = front_door.seconds_since(fields.pop("started"))
        if fields.pop(front_door.HONEYPOT) or elapsed is None or elapsed < front_door.minimum_seconds():
            raise ValidationError({"started": [_("Please check what you wrote, then send it again.")]})
        if fields["reporter_anonymous"] and (fields["reporter_name"] or fields["reporter_contact"]):
            raise ValidationError({"reporter_name": [_("An anonymous reporter has no name or contact on record.")]})
        receipt, code = services.submit_public_concern(panel=fields.pop("panel"), **fields)
        return Response({"code": code, "stage": receipt.stage}, status=status.HTTP_201_CREATED)


class PublicStatusView(APIView):
    """The stage of a concern by its follow-up code: received, being looked at or closed. A wrong
    code is a 404 whatever it is; counted per address on the status page's own counter."""

    permission_classes = [AllowAny]
    authentication_classes = ()
    throttle_classes = ()

    @extend_schema(request=FollowUpCodeSerializer, responses=PublicStageSerializer, auth=[])
    def post(self, request: Request) -> Response:
        if front_door.throttled(request, front_door.STATUS):
            raise Throttled(wait=front_door.STATUS.window)
        data = FollowUpCodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stage = services.public_stage(data.validated_data["code"])
        if stage is None:
            raise NotFound
        return Response({"stage": stage})
