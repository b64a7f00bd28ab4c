"""Case endpoints. Every viewset subclasses RestrictedViewSet: same rows as the browser."""

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions as api_exceptions
from rest_framework import generics, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, CaseAccess, RestrictedViewSet
from agencies.addresses import client_ip
from agencies.exports import XLSX_TYPE, CsvRenderer, FileAnswers, XlsxRenderer, file_response
from agencies.pdf import PDF_TYPE, PdfDocument, PdfRenderer
from audit.models import AuditEvent
from audit.services import record

from .. import services
from ..choosers import restricted_in_chosen_agency
from ..continuity import people_met
from ..exports import list_filters
from ..filtersets import CaseFilterSet, CaseShareFilterSet, DisclosureCheckFilterSet
from ..models import Case, CaseShare, DisclosureCheck, ExportJob, ReassignmentJob, RiskRecord
from ..summaries import made_by_line, summary_of
from .entry_serializers import KeyWorkerSerializer, MoveStageSerializer, RiskLevelSerializer
from .pagination import CasePagination
from .serializers import (
    AssignOwnerSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    CaseShareSerializer,
    DisclosureCheckSerializer,
    ExportJobSerializer,
    PeopleMetSerializer,
    ReassignmentJobSerializer,
    ReassignPreviewSerializer,
    ReassignSerializer,
    RevokeShareSerializer,
)

__all__ = [
    "CaseShareViewSet",
    "CaseViewSet",
    "DisclosureCheckViewSet",
    "ExportJobFileView",
    "ExportJobView",
    "ReassignmentJobView",
]


class CaseViewSet(FileAnswers, mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Cases you may know of. `access` is "full" when the whole file is open to you."""

    queryset = Case.objects.with_summary()
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    pagination_class = CasePagination
    action_access: ClassVar[dict[str, Action]] = {
        "list": Action.VIEW_SUMMARY,
        "retrieve": Action.VIEW_SUMMARY,
        "assign_owner": Action.MANAGE,
        "reassign": Action.MANAGE,
        "move_stage": Action.CHANGE,
        "set_risk_level": Action.CHANGE,
        "key_worker": Action.CHANGE,
        "export": Action.VIEW_SUMMARY,
        "summary": Action.VIEW_SUMMARY,
        "people_met": Action.VIEW,
    }
    permission_required: ClassVar[dict[Action, str]] = {
        Action.VIEW_SUMMARY: "cases.view_case_summary",
        # The case page's permission: its full-file sections are for full readers among its readers.
        Action.VIEW: "cases.view_case_summary",
        Action.CHANGE: "cases.change_case",
        Action.MANAGE: "cases.manage_case",
    }

    def restricted(self, queryset: Any, user: Any, action: Action) -> Any:
        # The list's filters run on the list (its export reads through `cases.exports`, which
        # narrows the same way): elsewhere `?agency=` means nothing.
        if self.action == "list":
            return restricted_in_chosen_agency(queryset, user, action, self.request.query_params)
        return super().restricted(queryset, user, action)

    def get_queryset(self) -> Any:
        # A list row says only how much of the case you read; one case comes with its CaseAccess.
        user = self.request.user
        return self.queryset.annotate_access(user) if self.action == "list" else self.queryset.with_access(user)

    def get_serializer_class(self) -> Any:
        return CaseSerializer if self.action == "list" else CaseDetailSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["csv", "xlsx"], description="the file's format (CSV by default)")
        ],
        responses={
            (200, CsvRenderer.media_type): OpenApiTypes.BINARY,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            (202, "application/json"): ExportJobSerializer,
        },
        filters=True,
    )
    @action(detail=False, methods=["get"], renderer_classes=[JSONRenderer, CsvRenderer, XlsxRenderer])
    def export(self, request: Request) -> Any:
        """The case list as a spreadsheet, with the list's filters: the rows and columns the list
        gives you (a summary-level row holds only the summary), no cell a formula, the first line
        saying who made it and when; recorded with its row count. A list longer than the
        background threshold answers 202 with the job making it (`url`; `download` once made)."""
        fmt = request.query_params.get("format") or "csv"
        try:
            made = services.export_case_list(
                self.actor, filters=list_filters(request.query_params), fmt=fmt, ip_address=client_ip(request)
            )
        except ValidationError as error:
            raise api_exceptions.ValidationError({"non_field_errors": error.messages}) from None
        if isinstance(made, ExportJob):
            self.answer_in_json()
            answer = ExportJobSerializer(made, context=self.get_serializer_context()).data
            return Response(answer, status=status.HTTP_202_ACCEPTED, headers={"Location": answer["url"]})
        return file_response(made.content, made.content_type, made.filename)

    @extend_schema(responses={(200, PDF_TYPE): OpenApiTypes.BINARY}, filters=False)
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def summary(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The case's summary as a PDF (A4): what every reader of the case knows, never the file's
        content; the first line says who made it and when. Recorded as an export of the case."""
        case_row = self.get_object()
        user = self.actor
        record(AuditEvent.Action.CASE_SUMMARY_EXPORTED, actor=user, obj=case_row, case_id=case_row.pk, format="pdf")
        title = _("Case summary: %(reference)s") % {"reference": case_row.reference}
        first = made_by_line(user, _("Case summary"))
        document = PdfDocument(title, first_line=first, footer=_("Confidential"), language=request.LANGUAGE_CODE)
        document.fields(summary_of(case_row, user))
        return file_response(document.output(), PDF_TYPE, f"ura-summary-{case_row.reference}.pdf")

    @extend_schema(responses=PeopleMetSerializer, filters=False)
    @action(detail=True, methods=["get"], url_path="people-met")
    def people_met(self, request: Request, pk: str | None = None) -> Response:
        """The people the family met in the last year and its new faces (continuity of contact
        persons, decision 136): the case page's "In the field" rows, for full readers of the case
        (403 for a reader of the summary; 404 for a case you may not know of)."""
        case = self.get_object()
        return Response(PeopleMetSerializer(people_met(case, self.actor), context=self.get_serializer_context()).data)

    @extend_schema(request=AssignOwnerSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="assign-owner")
    def assign_owner(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        data = AssignOwnerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = self.actor
        services.assign_owner(
            case, owner=data.validated_data["owner"], agency=data.validated_data["agency"], actor=actor
        )
        return self._case_answer(case)

    def _case_answer(self, case: Case) -> Response:
        # Re-read at the actor's (possibly new) level: restrict() still decides.
        user = self.request.user
        fresh = Case.objects.restrict(user, Action.VIEW_SUMMARY).with_summary().with_access(user).get(pk=case.pk)
        return Response(CaseDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=MoveStageSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="move-stage")
    def move_stage(self, request: Request, pk: str | None = None) -> Response:
        """Move the case to another of the ten steps, along the legal moves."""
        case = self.get_object()
        data = MoveStageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.move_stage(case, stage=data.validated_data["stage"], actor=self.actor)
        return self._case_answer(case)

    @extend_schema(request=RiskLevelSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="risk-level")
    def set_risk_level(self, request: Request, pk: str | None = None) -> Response:
        """Set the risk level on the common scale, saying why; the history is kept."""
        case = self.get_object()
        data = RiskLevelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_risk_level(
            case,
            level=data.validated_data["level"],
            rationale=data.validated_data["rationale"],
            source=RiskRecord.Source.MANUAL,
            actor=self.actor,
        )
        return self._case_answer(case)

    @extend_schema(request=KeyWorkerSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="key-worker")
    def key_worker(self, request: Request, pk: str | None = None) -> Response:
        """Record the key worker: a family member (`person`) or someone else (`note`)."""
        case = self.get_object()
        data = KeyWorkerSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        services.set_key_worker(
            case, person=data.validated_data["person"], note=data.validated_data["note"], actor=self.actor
        )
        return self._case_answer(case)

    @extend_schema(
        request=ReassignSerializer,
        responses={200: ReassignPreviewSerializer, 202: ReassignmentJobSerializer},
        filters=False,
    )
    @action(detail=False, methods=["post"])
    def reassign(self, request: Request) -> Response:
        """Move a leaving worker's cases (those you may manage) to new owners, all or none.

        Without `confirm`: 200 and the cases as they are. With it: 202 and the background job
        (`url` to follow its `status` and `done`); the cases move together when it runs.
        """
        data = ReassignSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        assignments = [(row["case"], row["owner"], row["agency"]) for row in values["assignments"]]
        if values["confirm"]:
            job = services.start_reassignment(
                values["worker"], assignments=assignments, actor=self.actor, confirmed=True
            )
            answer = ReassignmentJobSerializer(job, context=self.get_serializer_context()).data
            return Response(answer, status=status.HTTP_202_ACCEPTED, headers={"Location": answer["url"]})
        cases = self.get_queryset().filter(pk__in=[case.pk for case, _owner, _agency in assignments])
        preview = {"confirmed": False, "cases": cases}
        return Response(ReassignPreviewSerializer(preview, context=self.get_serializer_context()).data)


class CaseShareViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet):
    """Shares of cases with other agencies. Create one to share; `revoke` to end it."""

    queryset = CaseShare.objects.select_related("agency", "granted_by", "consent", "agreement")
    serializer_class = CaseShareSerializer
    filterset_class = CaseShareFilterSet
    action_access: ClassVar[dict[str, Action]] = {"create": Action.MANAGE, "revoke": Action.MANAGE}
    permission_required: ClassVar[dict[Action, str]] = {Action.MANAGE: "cases.manage_case"}

    def get_queryset(self) -> Any:
        return self.queryset.annotate_access(self.request.user)

    def perform_create(self, serializer: serializers.BaseSerializer[CaseShare]) -> None:
        data = serializer.validated_data
        share = services.share_case(
            data["case"],
            agency=data["agency"],
            scope=data["scope"],
            basis=data["basis"],
            justification=data.get("justification", ""),
            consent_given_by=data.get("consent_given_by", ""),
            consent_given_on=data.get("consent_given_on"),
            consent=data.get("consent"),
            legal_duty=data.get("legal_duty", ""),
            agreement=data.get("agreement"),
            agreement_override=data.get("agreement_override", ""),
            ends_at=data.get("ends_at"),
            actor=self.actor,
        )
        user = self.actor
        serializer.instance = CaseShare.objects.restrict(user, Action.VIEW).annotate_access(user).get(pk=share.pk)

    @extend_schema(request=RevokeShareSerializer, responses=CaseShareSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        share = self.get_object()
        data = RevokeShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.revoke_share(share, reason=data.validated_data["reason"], actor=self.actor)
        share = self.get_queryset().get(pk=share.pk)
        return Response(CaseShareSerializer(share, context=self.get_serializer_context()).data)


class DisclosureCheckViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet
):
    """The six checks your agency recorded before sharing (seed 001); no other agency sees them."""

    queryset = DisclosureCheck.objects.select_related("recorded_by").prefetch_related("shared_with")
    serializer_class = DisclosureCheckSerializer
    filterset_class = DisclosureCheckFilterSet
    action_access: ClassVar[dict[str, Action]] = {"create": Action.VIEW}
    permission_required: ClassVar[dict[Action, str]] = {Action.CHANGE: "cases.add_disclosurecheck"}

    def perform_create(self, serializer: serializers.BaseSerializer[DisclosureCheck]) -> None:
        user = self.actor
        case = serializer.validated_data["case"]
        if not CaseAccess.fetch(case, user).records_checks:  # the permission is part of the rule
            raise api_exceptions.PermissionDenied
        data = dict(serializer.validated_data)
        case, agency, shared_with = data.pop("case"), data.pop("agency"), data.pop("shared_with", [])
        serializer.instance = services.record_disclosure_check(
            case, agency=agency, shared_with=shared_with, actor=self.actor, **data
        )


class ReassignmentJobView(generics.RetrieveAPIView[ReassignmentJob]):
    """A caseload reassignment you started: `status` (queued, running, done, failed), `done` of
    `total`, and `error` when nothing changed. Anyone else's: 404."""

    serializer_class = ReassignmentJobSerializer

    def get_queryset(self) -> Any:
        return ReassignmentJob.objects.filter(started_by_id=self.request.user.pk)


class ExportJobView(generics.RetrieveAPIView[ExportJob]):
    """A case list export you asked for: `status` (queued, running, done, failed, expired), `done`
    of `total` rows, and `download` while its link works. Anyone else's: 404."""

    serializer_class = ExportJobSerializer

    def get_queryset(self) -> Any:
        return ExportJob.objects.filter(requested_by_id=self.request.user.pk)


class ExportJobFileView(FileAnswers, generics.GenericAPIView[ExportJob]):
    """The file of an export you asked for, until its link expires (then 404, as for anyone else's)."""

    renderer_classes = [JSONRenderer, CsvRenderer, XlsxRenderer]

    def get_queryset(self) -> Any:
        return ExportJob.objects.filter(requested_by_id=self.request.user.pk)

    @extend_schema(
        responses={
            (200, CsvRenderer.media_type): OpenApiTypes.BINARY,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
        }
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> FileResponse:
        job = self.get_object()
        if not job.downloadable or not services.may_still_download(request.user):
            raise api_exceptions.NotFound
        record(AuditEvent.Action.EXPORT_READ, actor=request.user, job=job.pk, count=job.done, format=job.format)
        name = job.file.name.rsplit("/", 1)[-1]
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=name)
