"""Endpoints for what is recorded in a case file. Same rows and rights as the browser: an entry is
reached through its case's full file, a draft by its author only, and every write goes through a
service."""

from typing import Any, ClassVar

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions as api_exceptions
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, RestrictedViewSet
from audit.reads import note_read
from families.models import Consent, DisclosureRestriction

from .. import services
from ..entry_kinds import EntryKind, entry_kinds
from ..filtersets import (
    CaseEventFilterSet,
    ConsentFilterSet,
    InformationRequestFilterSet,
    OwnerQuestionFilterSet,
    RestrictionFilterSet,
    RiskRecordFilterSet,
    entry_filterset,
)
from ..models import CaseEvent, Entry, InformationRequest, OwnerQuestion, RiskRecord
from . import schema  # noqa: F401 (registers the schema extension of entries)
from .entry_serializers import (
    AnswerSerializer,
    CaseEventSerializer,
    ConsentSerializer,
    InformationRequestSerializer,
    OwnerQuestionSerializer,
    RestrictionSerializer,
    RiskRecordSerializer,
    WithdrawConsentSerializer,
)

__all__ = [
    "ENTRY_VIEWSETS",
    "CaseEventViewSet",
    "ConsentViewSet",
    "InformationRequestViewSet",
    "OwnerQuestionViewSet",
    "RestrictionViewSet",
    "RiskRecordViewSet",
    "entry_viewset",
]

# Reading and writing entries both need the full file; which rows, the access rule decides.
CASE_FILE: dict[Action, str] = {Action.VIEW: "cases.view_case", Action.CHANGE: "cases.view_case"}


class _EntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Create an entry (`is_draft: true` keeps it yours alone); update your own draft, and finish
    it with `is_draft: false`. A final entry is not edited: it is added to. One viewset per kind of
    entry is made from its declaration (`entry_viewset`)."""

    kind: ClassVar[EntryKind]
    permission_required: ClassVar[dict[Action, str]] = CASE_FILE
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return self.queryset.select_related("author", "author_agency").annotate_content(self.actor)

    def _answer(self, entry: Entry, status: int = 200) -> Response:
        fresh = type(entry)._default_manager.restrict(self.actor, Action.VIEW)
        obj = fresh.select_related("author", "author_agency").annotate_content(self.actor).get(pk=entry.pk)
        return Response(self.get_serializer(obj).data, status=status)

    def _split(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], bool]:
        data = dict(data)
        finalise = not data.pop("is_draft", False)
        extra = {name: data.pop(name) for name in self.kind.extra if name in data}
        return data, extra, finalise

    def _record(self, entry: Entry, extra: dict[str, Any], *, finalise: bool) -> Entry:
        return self.kind.record(entry, actor=self.actor, finalise=finalise, **extra)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, extra, finalise = self._split(serializer.validated_data)
        entry = self.kind.model(**fields)
        if "visibility" not in fields:
            entry.visibility = services.default_visibility(self.kind.model, self.actor, entry.case)
        if not self.kind.allows(self.actor, entry.case):
            raise api_exceptions.PermissionDenied
        return self._answer(self._record(entry, extra, finalise=finalise), status=201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()  # CHANGE: the actor's own draft, else 404
        serializer = self.get_serializer(entry, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields, extra, finalise = self._split(serializer.validated_data)
        if "is_draft" not in serializer.validated_data:
            finalise = False
        for name, value in fields.items():
            setattr(entry, name, value)
        return self._answer(self._record(entry, self.kind.existing(entry) | extra, finalise=finalise))


class _FileViewSet(_EntryViewSet):
    """An entry with a file: uploaded in a multipart body, recorded at once (no draft to finish,
    so no PATCH), downloaded by `file` by those who may read it."""

    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser]  # the only bodies with a file (JSON everywhere else)

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


def entry_viewset(kind: EntryKind) -> type[_EntryViewSet]:
    """The API of one kind of entry, made from its declaration."""
    name = f"{kind.model.__name__}ViewSet"
    queryset = kind.model.objects.select_related(*kind.select_related).prefetch_related(*kind.prefetch_related)
    attrs = {
        "__doc__": kind.doc,
        "__module__": __name__,
        "__qualname__": name,
        "kind": kind,
        "queryset": queryset,
        "serializer_class": kind.serializer,
        "filterset_class": entry_filterset(kind.model, *kind.filters),
    }
    return type(name, (_FileViewSet if kind.downloads else _EntryViewSet,), attrs)


# By the kind's slug, in the order of the declarations (cases.api.urls registers their routes).
ENTRY_VIEWSETS = {kind.slug: entry_viewset(kind) for kind in entry_kinds()}


class CaseEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """The case timeline: everything that happened on the cases whose file you read, newest first;
    filter by `case` and `kind`."""

    queryset = CaseEvent.objects.select_related("actor", "author_agency")
    serializer_class = CaseEventSerializer
    filterset_class = CaseEventFilterSet
    permission_required: ClassVar[dict[Action, str]] = {Action.VIEW: "cases.view_case"}

    def get_queryset(self) -> Any:
        return self.queryset.annotate_content(self.request.user)


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
            actor=self.actor,
        )
        return Response(self.get_serializer(restriction).data, status=201)

    @extend_schema(request=None, responses=RestrictionSerializer)
    @action(detail=True, methods=["post"])
    def lift(self, request: Request, pk: str | None = None) -> Response:
        restriction = services.lift_restriction(self.get_object(), actor=self.actor)
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
            actor=self.actor,
        )
        return Response(self.get_serializer(consent).data, status=201)

    @extend_schema(request=WithdrawConsentSerializer, responses=ConsentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        consent = self.get_object()
        data = WithdrawConsentSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        consent = services.withdraw_consent(
            data.validated_data["case"], consent, reason=data.validated_data["reason"], actor=self.actor
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

    filterset_class = InformationRequestFilterSet

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        info = services.ask_information(
            data["case"], to_agency=data["to_agency"], question=data["question"], actor=self.actor
        )
        return Response(self.get_serializer(info).data, status=201)

    @extend_schema(request=AnswerSerializer, responses=InformationRequestSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        info = self.get_object()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        info = services.answer_information(info, answer=data.validated_data["answer"], actor=self.actor)
        return Response(self.get_serializer(info).data)


class OwnerQuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Questions to a case's owner (decision 91): the asker reads their own, the owner (or a
    supervisor) those put to them; asked by whoever reads the case's summary only, answered once."""

    queryset = OwnerQuestion.objects.select_related("asked_by", "answered_by")
    serializer_class = OwnerQuestionSerializer
    filterset_class = OwnerQuestionFilterSet
    # Asking names the case in the body (the service checks the asker reads its summary only);
    # answering needs the row's CHANGE (whoever changes the case).
    action_access: ClassVar[dict[str, Action]] = {"create": Action.VIEW, "answer": Action.CHANGE}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        asked = services.ask_owner(data["case"], kind=data["kind"], question=data["question"], actor=self.actor)
        return Response(self.get_serializer(asked).data, status=201)

    @extend_schema(request=AnswerSerializer, responses=OwnerQuestionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        question = self.get_object()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.answer_owner_question(question, answer=data.validated_data["answer"], actor=self.actor)
        return Response(self.get_serializer(question).data)
