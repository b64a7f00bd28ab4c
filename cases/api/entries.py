"""Endpoints for what is recorded in a case file. Same rows and rights as the browser: an entry is
reached through its case's full file, a draft by its author only, and every write goes through a
service."""

from typing import Any, ClassVar, cast

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions as api_exceptions
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, CaseAccess, RestrictedViewSet
from agencies.models import User
from audit.reads import note_read
from families.models import Consent, DisclosureRestriction

from .. import services
from ..filtersets import (
    CaseEventFilterSet,
    ConsentFilterSet,
    RestrictionFilterSet,
    RiskRecordFilterSet,
    entry_filterset,
)
from ..models import (
    Attachment,
    CaseEvent,
    CaseNote,
    ChildNeeds,
    Contact,
    Entry,
    InformationRequest,
    NeedsAssessment,
    RiskRecord,
    SecurityAssessment,
)
from .entry_serializers import (
    AnswerSerializer,
    AttachmentSerializer,
    CaseEventSerializer,
    CaseNoteSerializer,
    ChildNeedsSerializer,
    ConsentSerializer,
    ContactSerializer,
    InformationRequestSerializer,
    NeedsAssessmentSerializer,
    RestrictionSerializer,
    RiskRecordSerializer,
    SecurityAssessmentSerializer,
    WithdrawConsentSerializer,
)

__all__ = [
    "AttachmentViewSet",
    "CaseEventViewSet",
    "CaseNoteViewSet",
    "ChildNeedsViewSet",
    "ConsentViewSet",
    "ContactViewSet",
    "InformationRequestViewSet",
    "NeedsAssessmentViewSet",
    "RestrictionViewSet",
    "RiskRecordViewSet",
    "SecurityAssessmentViewSet",
]

# Reading and writing entries both need the full file; which rows, the access rule decides.
CASE_FILE: dict[Action, str] = {Action.VIEW: "cases.view_case", Action.CHANGE: "cases.view_case"}


class _EntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Create an entry (`is_draft: true` keeps it yours alone); update your own draft, and finish
    it with `is_draft: false`. A final entry is not edited: it is added to."""

    permission_required: ClassVar[dict[Action, str]] = CASE_FILE
    http_method_names = ["get", "post", "patch", "head", "options"]
    # Fields the service takes besides the model's own (many-to-many rows, nested rows).
    EXTRA: ClassVar[tuple[str, ...]] = ()

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    def get_queryset(self) -> Any:
        return self.queryset.select_related("author", "author_agency").annotate_content(self.actor)  # type: ignore[union-attr]

    def allowed(self, entry: Entry) -> bool:
        """Whether the actor may write this kind of entry on this case at all (else 403): not
        through a break-the-glass access (decision 35)."""
        return CaseAccess.fetch(entry.case, self.actor).writes

    def record(self, entry: Entry, extra: dict[str, Any], *, finalise: bool) -> Entry:
        raise NotImplementedError

    def existing_extra(self, entry: Entry) -> dict[str, Any]:
        """What a partial update keeps when it does not send the extra fields."""
        return {}

    def _answer(self, entry: Entry, status: int = 200) -> Response:
        fresh = type(entry)._default_manager.restrict(self.actor, Action.VIEW)  # type: ignore[attr-defined]
        obj = fresh.select_related("author", "author_agency").annotate_content(self.actor).get(pk=entry.pk)
        return Response(self.get_serializer(obj).data, status=status)

    def _split(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], bool]:
        data = dict(data)
        finalise = not data.pop("is_draft", False)
        extra = {name: data.pop(name) for name in self.EXTRA if name in data}
        return data, extra, finalise

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, extra, finalise = self._split(serializer.validated_data)
        model = self.queryset.model  # type: ignore[union-attr]
        entry = model(**fields)
        if "visibility" not in fields:
            entry.visibility = services.default_visibility(model, self.actor, entry.case)
        if not self.allowed(entry):
            raise api_exceptions.PermissionDenied
        return self._answer(self.record(entry, extra, finalise=finalise), status=201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()  # CHANGE: the actor's own draft, else 404
        serializer = self.get_serializer(entry, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields, extra, finalise = self._split(serializer.validated_data)
        if "is_draft" not in serializer.validated_data:
            finalise = False
        for name, value in fields.items():
            setattr(entry, name, value)
        return self._answer(self.record(entry, self.existing_extra(entry) | extra, finalise=finalise))


class ContactViewSet(_EntryViewSet):
    """Contacts and home visits (step 3), including those that did not take place."""

    queryset = Contact.objects.prefetch_related("visitors", "present")
    serializer_class = ContactSerializer
    filterset_class = entry_filterset(Contact, "kind", "outcome")
    EXTRA = ("visitors", "present")

    def record(self, entry: Entry, extra: dict[str, Any], *, finalise: bool) -> Entry:
        return services.record_contact(
            cast(Contact, entry),
            actor=self.actor,
            finalise=finalise,
            visitors=extra.get("visitors", ()),
            present=extra.get("present", ()),
        )

    def existing_extra(self, entry: Entry) -> dict[str, Any]:
        contact = cast(Contact, entry)
        return {"visitors": list(contact.visitors.all()), "present": list(contact.present.all())}


class NeedsAssessmentViewSet(_EntryViewSet):
    """Needs assessments (step 4) with their network overview. A final one with a level of concern
    sets the case's risk level when its author may change the case."""

    queryset = NeedsAssessment.objects.prefetch_related("network")
    serializer_class = NeedsAssessmentSerializer
    filterset_class = entry_filterset(NeedsAssessment, "concern_level")
    EXTRA = ("network",)

    def record(self, entry: Entry, extra: dict[str, Any], *, finalise: bool) -> Entry:
        return services.record_needs_assessment(
            cast(NeedsAssessment, entry), actor=self.actor, finalise=finalise, network=extra.get("network", ())
        )

    def existing_extra(self, entry: Entry) -> dict[str, Any]:
        links = cast(NeedsAssessment, entry).network.values("kind", "name", "influence", "notes")
        return {"network": list(links)}


class SecurityAssessmentViewSet(_EntryViewSet):
    """The police's security risk assessments (step 4): others read the abstract only."""

    queryset = SecurityAssessment.objects.all()
    serializer_class = SecurityAssessmentSerializer
    filterset_class = entry_filterset(SecurityAssessment)

    def allowed(self, entry: Entry) -> bool:
        return CaseAccess.fetch(entry.case, self.actor).records_security_assessments

    def record(self, entry: Entry, extra: dict[str, Any], *, finalise: bool) -> Entry:
        return services.record_security_assessment(cast(SecurityAssessment, entry), actor=self.actor, finalise=finalise)


class ChildNeedsViewSet(_EntryViewSet):
    """Each child's own needs record (step 5)."""

    queryset = ChildNeeds.objects.select_related("child")
    serializer_class = ChildNeedsSerializer
    filterset_class = entry_filterset(ChildNeeds, "age_band", "conflict_zone")

    def record(self, entry: Entry, extra: dict[str, Any], *, finalise: bool) -> Entry:
        return services.record_child_needs(cast(ChildNeeds, entry), actor=self.actor, finalise=finalise)


class CaseNoteViewSet(_EntryViewSet):
    """Notes on a case."""

    queryset = CaseNote.objects.all()
    serializer_class = CaseNoteSerializer
    filterset_class = entry_filterset(CaseNote)

    def record(self, entry: Entry, extra: dict[str, Any], *, finalise: bool) -> Entry:
        return services.record_note(cast(CaseNote, entry), actor=self.actor, finalise=finalise)


class AttachmentViewSet(_EntryViewSet):
    """Attached communication and documents (multipart, file in `upload`), checked by content.
    `file` downloads one, for those who may read it."""

    queryset = Attachment.objects.all()
    serializer_class = AttachmentSerializer
    filterset_class = entry_filterset(Attachment, "kind")
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    EXTRA = ("upload",)

    def record(self, entry: Entry, extra: dict[str, Any], *, finalise: bool) -> Entry:
        return services.attach_file(cast(Attachment, entry), extra["upload"], actor=self.actor)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str | None = None) -> FileResponse:
        attachment = self.get_object()
        if not attachment.content_visible:
            raise api_exceptions.PermissionDenied
        note_read(request, attachment, file=True)  # the file itself, as the browser's download
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class CaseEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """The case timeline: everything that happened on the cases whose file you read, newest first;
    filter by `case` and `kind`."""

    queryset = CaseEvent.objects.select_related("actor", "author_agency")
    serializer_class = CaseEventSerializer
    filterset_class = CaseEventFilterSet
    permission_required: ClassVar[dict[Action, str]] = {Action.VIEW: "cases.view_case"}

    def get_queryset(self) -> Any:
        return self.queryset.annotate_content(self.request.user)  # type: ignore[union-attr]


class RiskRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """The history of the cases' risk levels, on the common scale."""

    queryset = RiskRecord.objects.select_related("recorded_by", "agency")
    serializer_class = RiskRecordSerializer
    filterset_class = RiskRecordFilterSet
    permission_required: ClassVar[dict[Action, str]] = {Action.VIEW: "cases.view_case"}


class RestrictionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """What family members must not be told. Anyone in the case team records one (with the `case`
    it concerns); the case owner or a supervisor lifts it."""

    queryset = DisclosureRestriction.objects.select_related("recorded_by")
    serializer_class = RestrictionSerializer
    filterset_class = RestrictionFilterSet
    # Recording needs the case team (the serializer's case field); lifting, the right to change
    # one of the family's cases (the row rule, then the service).
    action_access: ClassVar[dict[str, Action]] = {"lift": Action.CHANGE}
    permission_required: ClassVar[dict[Action, str]] = CASE_FILE

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        restriction = services.add_restriction(
            data["case"],
            person=data["person"],
            knows=data.get("knows", ""),
            must_not_be_told=data["must_not_be_told"],
            actor=cast(User, request.user),
        )
        return Response(self.get_serializer(restriction).data, status=201)

    @extend_schema(request=None, responses=RestrictionSerializer)
    @action(detail=True, methods=["post"])
    def lift(self, request: Request, pk: str | None = None) -> Response:
        restriction = services.lift_restriction(self.get_object(), actor=cast(User, request.user))
        return Response(self.get_serializer(restriction).data)


class ConsentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Consents to support of the families whose case files you read. Recording takes a `case` of
    the family you manage (its owner, a supervisor, the coordinator); withdrawing, one you change
    (its owner, a supervisor)."""

    queryset = Consent.objects.select_related("recorded_by", "withdrawn_by").prefetch_related("agencies")
    serializer_class = ConsentSerializer
    filterset_class = ConsentFilterSet
    # Recording names the case in the body (the case field and the service check MANAGE on it);
    # withdrawing needs the consent and the case named for CHANGE (decision 51).
    action_access: ClassVar[dict[str, Action]] = {"create": Action.VIEW, "withdraw": Action.CHANGE}
    permission_required: ClassVar[dict[Action, str]] = {Action.VIEW: "cases.view_case_summary"}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        consent = services.record_consent(
            data["case"],
            person=data["person"],
            given_by=data["given_by"],
            given_on=data["given_on"],
            purposes=data.get("purposes", []),
            agencies=data.get("agencies", []),
            purpose_text=data.get("purpose_text", ""),
            actor=cast(User, request.user),
        )
        return Response(self.get_serializer(consent).data, status=201)

    @extend_schema(request=WithdrawConsentSerializer, responses=ConsentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        consent = self.get_object()
        data = WithdrawConsentSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        consent = services.withdraw_consent(
            data.validated_data["case"], consent, reason=data.validated_data["reason"], actor=cast(User, request.user)
        )
        return Response(self.get_serializer(consent).data)


class InformationRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Information requests to partner agencies (24 hours): read by the case's full readers and by
    the agency asked; asked by whoever runs the case, answered once by the agency asked."""

    queryset = InformationRequest.objects.select_related("to_agency", "asked_by", "answered_by")
    serializer_class = InformationRequestSerializer
    # Asking names the case in the body (the service checks who runs it); answering needs the
    # row's CHANGE (a member of the agency asked).
    action_access: ClassVar[dict[str, Action]] = {"create": Action.VIEW, "answer": Action.CHANGE}

    def get_queryset(self) -> Any:
        queryset = self.queryset
        case = self.request.query_params.get("case", "")
        return queryset.filter(case_id=case) if case.isdigit() else queryset  # type: ignore[union-attr]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        info = services.ask_information(
            data["case"], to_agency=data["to_agency"], question=data["question"], actor=cast(User, request.user)
        )
        return Response(self.get_serializer(info).data, status=201)

    @extend_schema(request=AnswerSerializer, responses=InformationRequestSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        info = self.get_object()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        info = services.answer_information(info, answer=data.validated_data["answer"], actor=cast(User, request.user))
        return Response(self.get_serializer(info).data)
