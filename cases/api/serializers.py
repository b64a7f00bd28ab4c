"""Case data over the API, at the level the user may see."""

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from agencies.access import Action, CaseAccess, reads_in_full
from agencies.access.api import RestrictedPrimaryKeyRelatedField
from agencies.api.serializers import AgencyRefSerializer, PanelRefSerializer, UserRefSerializer
from agencies.models import Agency, User
from families.models import Consent, Person

from ..models import Case, CaseShare, DisclosureCheck, ExportJob, ReassignmentJob, SharingAgreement

__all__ = [
    "AssignOwnerSerializer",
    "CaseDetailSerializer",
    "CaseSerializer",
    "CaseShareSerializer",
    "DisclosureCheckSerializer",
    "ExportJobSerializer",
    "PeopleMetSerializer",
    "PersonMetSerializer",
    "ReassignPreviewSerializer",
    "ReassignSerializer",
    "RevokeShareSerializer",
]


class IndexPersonSerializer(serializers.ModelSerializer[Person]):
    age = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "given_name", "family_name", "age"]

    def get_age(self, person: Person) -> int | None:
        return person.age()


class PersonSerializer(IndexPersonSerializer):
    turns_18_on = serializers.SerializerMethodField()

    class Meta(IndexPersonSerializer.Meta):
        fields = [*IndexPersonSerializer.Meta.fields, "date_of_birth", "relationship", "languages", "turns_18_on"]

    def get_turns_18_on(self, person: Person) -> datetime.date | None:
        """The 18th birthday of a child (the hand-over to adult services is planned before it)."""
        turns = person.eighteenth_birthday()
        return turns if turns is not None and turns > timezone.localdate() else None


class CaseSerializer(serializers.ModelSerializer[Case]):
    """A case's summary: what a panel member sees. `access` says whether the file is open to you."""

    url = serializers.HyperlinkedIdentityField(view_name="cases-api:case-detail")
    access = serializers.SerializerMethodField()
    family = serializers.CharField(source="family.name", read_only=True)
    index_person = IndexPersonSerializer(read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    owner = UserRefSerializer(read_only=True)
    owning_agency = AgencyRefSerializer(read_only=True)
    panel = PanelRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "url",
            "reference",
            "access",
            "family",
            "index_person",
            "stage",
            "stage_label",
            "risk_level",
            "owner",
            "owning_agency",
            "panel",
            "next_step",
            "next_review_on",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["full", "summary"]))
    def get_access(self, case: Case) -> str:
        return "full" if reads_in_full(case) else "summary"


class CaseShareSerializer(serializers.ModelSerializer[CaseShare]):
    """A share of a case with an agency. Created and revoked through the services, never edited."""

    case = RestrictedPrimaryKeyRelatedField(queryset=Case.objects.all(), action=Action.MANAGE)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    granted_by = UserRefSerializer(read_only=True)
    consent = RestrictedPrimaryKeyRelatedField(
        queryset=Consent.objects.all(), action=Action.VIEW, required=False, allow_null=True
    )
    consent_withdrawn = serializers.BooleanField(read_only=True)
    agreement = RestrictedPrimaryKeyRelatedField(
        queryset=SharingAgreement.objects.all(),
        action=Action.VIEW,
        required=False,
        allow_null=True,
        help_text="On a safeguarding or legal-duty basis: the current information-sharing agreement covering "
        "both agencies. Chosen by itself when exactly one does.",
    )
    agreement_title = serializers.CharField(source="agreement.title", read_only=True, allow_null=True, default=None)
    agreement_expired = serializers.BooleanField(read_only=True)
    agreement_override = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="An emergency override: why the information is shared before an agreement covers both "
        "agencies (at least 20 characters). The data protection officer is told.",
    )

    class Meta:
        model = CaseShare
        fields = [
            "id",
            "case",
            "agency",
            "agency_name",
            "scope",
            "basis",
            "justification",
            "consent_given_by",
            "consent_given_on",
            "consent",
            "consent_withdrawn",
            "legal_duty",
            "agreement",
            "agreement_title",
            "agreement_expired",
            "agreement_override",
            "purpose",
            "ends_at",
            "granted_by",
            "granted_at",
            "revoked_at",
            "revoke_reason",
        ]
        read_only_fields = ["granted_by", "granted_at", "revoked_at", "revoke_reason"]
        # The database constraints are checked by the service, with the same messages.
        validators: list[Any] = []

    # What the share says about the family is case content: only full readers of the case get it
    # (a coordinator manages shares from the summary).
    FULL_ONLY = (
        "justification",
        "consent_given_by",
        "consent_given_on",
        "consent",
        "consent_withdrawn",
        "legal_duty",
        "agreement_override",
        "revoke_reason",
        "purpose",
    )

    def to_representation(self, instance: CaseShare) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not reads_in_full(instance):  # the share's case, read in full (CaseAccess.reads_share_particulars)
            for name in self.FULL_ONLY:
                data[name] = None
        return data

    def validate_consent_given_on(self, value: Any) -> Any:
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError(_("Consent cannot be given in the future."))
        return value


class CaseDetailSerializer(CaseSerializer):
    """The case page: the summary, plus the family and the shares when the file is open to you."""

    members = serializers.SerializerMethodField()
    shares = serializers.SerializerMethodField()
    key_worker = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "urgency",
            "first_contact_agency",
            "first_contact_due_on",
            "first_contact_on",
            "key_worker",
            "members",
            "shares",
        ]
        read_only_fields = fields

    @extend_schema_field(
        inline_serializer(
            "KeyWorker",
            {"person": serializers.IntegerField(allow_null=True), "note": serializers.CharField()},
            allow_null=True,
        )
    )
    def _access(self, case: Case) -> CaseAccess:
        return CaseAccess.of(case, self.context["request"].user)

    def get_key_worker(self, case: Case) -> dict[str, Any] | None:
        """Who is closest to the index person: for full readers of the file."""
        if not self._access(case).full or not (case.key_worker_person_id or case.key_worker_note):
            return None
        return {"person": case.key_worker_person_id, "note": case.key_worker_note}

    @extend_schema_field(PersonSerializer(many=True, allow_null=True))
    def get_members(self, case: Case) -> list[dict[str, Any]] | None:
        if not self._access(case).full:
            return None
        members = (
            Person.objects.restrict(self.context["request"].user, Action.VIEW)
            .current()
            .filter(family_id=case.family_id)
        )
        # A list of rows (`many=True`), which the stubs type as a single row's dict.
        return list(PersonSerializer(members, many=True).data)

    @extend_schema_field(CaseShareSerializer(many=True, allow_null=True))
    def get_shares(self, case: Case) -> list[dict[str, Any]] | None:
        """The shares, for those who see them: full readers and managers (CaseAccess.sees_shares)."""
        if not self._access(case).sees_shares:
            return None
        user = self.context["request"].user
        shares = (
            CaseShare.objects.restrict(user, Action.VIEW)
            .filter(case=case)
            .active()
            .select_related("agency", "granted_by", "agreement")
            .annotate_access(user)
        )
        return list(CaseShareSerializer(shares, many=True, context=self.context).data)


class AssignOwnerSerializer(serializers.Serializer[None]):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )


class RevokeShareSerializer(serializers.Serializer[None]):
    reason = serializers.CharField(max_length=2000)


class DisclosureCheckSerializer(serializers.ModelSerializer[DisclosureCheck]):
    """The six checks an agency records before sharing; seen by that agency only."""

    case = RestrictedPrimaryKeyRelatedField(queryset=Case.objects.all(), action=Action.VIEW)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    shared_with = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True, required=False)
    consent = RestrictedPrimaryKeyRelatedField(
        queryset=Consent.objects.all(), action=Action.VIEW, required=False, allow_null=True
    )
    agreement = RestrictedPrimaryKeyRelatedField(
        queryset=SharingAgreement.objects.all(), action=Action.VIEW, required=False, allow_null=True
    )
    recorded_by = UserRefSerializer(read_only=True)
    steps_done = serializers.IntegerField(read_only=True)

    class Meta:
        model = DisclosureCheck
        fields = [
            "id",
            "case",
            "agency",
            "concern_verified_on",
            "discussed_with_client_on",
            "not_discussed_because",
            "colleagues_consulted_on",
            "managers_consulted_on",
            "risk_assessed_on",
            "shared_on",
            "shared_with",
            "basis",
            "consent",
            "basis_detail",
            "agreement",
            "agreement_override",
            "notes",
            "steps_done",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["id", "steps_done", "recorded_by", "created_at"]
        validators: list[Any] = []  # the service checks the model, with its own messages


class AssignmentSerializer(serializers.Serializer[None]):
    case = RestrictedPrimaryKeyRelatedField(queryset=Case.objects.all(), action=Action.MANAGE)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )


class ReassignmentJobSerializer(serializers.ModelSerializer[ReassignmentJob]):
    """A background caseload reassignment: how far it is."""

    url = serializers.SerializerMethodField()
    done = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReassignmentJob
        fields = ["id", "url", "worker", "status", "done", "total", "error", "created_at", "finished_at"]
        read_only_fields = fields

    def get_url(self, job: ReassignmentJob) -> str:
        path = reverse("cases-api:reassignment-job", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ExportJobSerializer(serializers.ModelSerializer[ExportJob]):
    """A case list export made in the background: how far it is, and its file once made (a link
    for the person who asked, until `expires_at`)."""

    url = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id", "url", "format", "status", "done", "total", "error", "created_at", "finished_at", "expires_at",
            "download",
        ]  # fmt: skip
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, job: ExportJob) -> str:
        return self._absolute(reverse("cases-api:export-job", args=[job.pk]))

    def get_download(self, job: ExportJob) -> str | None:
        """The file, while its link works; null before it is made and once it has expired."""
        return self._absolute(reverse("cases-api:export-job-file", args=[job.pk])) if job.downloadable else None


class ReassignPreviewSerializer(serializers.Serializer[dict[str, Any]]):
    """The answer of `reassign` without `confirm`: the cases as they are, nothing changed."""

    confirmed = serializers.BooleanField(read_only=True)
    cases = CaseSerializer(many=True, read_only=True)


class ReassignSerializer(serializers.Serializer[None]):
    """Hand a leaving worker's cases to new owners. Without `confirm` nothing changes: the answer
    shows what would."""

    worker = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    assignments = AssignmentSerializer(many=True)
    confirm = serializers.BooleanField(default=False)


class PersonMetSerializer(serializers.Serializer[Any]):
    """A person the family met: named as they chose to be shown to the reader (decision 40)."""

    person = UserRefSerializer(source="user", read_only=True)
    first_met_at = serializers.DateTimeField(source="first", read_only=True, help_text="Their first contact.")
    last_met_at = serializers.DateTimeField(source="last", read_only=True, help_text="Their latest contact.")
    contacts = serializers.IntegerField(source="times", read_only=True, help_text="Contacts they took part in.")
    new = serializers.BooleanField(read_only=True, help_text="First met within `new_face_days`: a new face.")


class PeopleMetSerializer(serializers.Serializer[Any]):
    """The people the family met in the last year (since `since`), the most recently met first, at
    most twelve: the case page's "In the field" section (decisions 136, 144)."""

    since = serializers.DateTimeField(read_only=True)
    new_face_days = serializers.IntegerField(read_only=True)
    new_faces = serializers.IntegerField(read_only=True)
    people = PersonMetSerializer(many=True, read_only=True)
