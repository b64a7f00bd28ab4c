"""The audit trail: who did what to which record, when, from where and why; and break-the-glass
grants, the one way to open a case beyond one's reach."""

import datetime
import hashlib
import json
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import RestrictedQuerySet, rules

__all__ = [
    "AppendOnlyError",
    "AuditEvent",
    "BreakGlassAccess",
    "RetentionReview",
    "SubjectAccessRequest",
    "canonical_hash",
]


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit record."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """The trail is append-only: no bulk update or delete path."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are never updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events are never deleted")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are added one at a time, chained, by audit.services.append")

    def reads_of_case(self, case_id: int) -> "AuditEventQuerySet":
        """Who looked at one case: reads recorded against it, break-the-glass openings, and the
        individual grants made, revoked and ended on it (decision 96)."""
        return self.filter(case_id=case_id, action__in=AuditEvent.CASE_LOG_ACTIONS)


# The fields the hash covers, in order; `prev_hash` joins them to the chain.
HASHED_FIELDS = (
    "created_at",
    "actor_id",
    "actor_username",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "reason",
    "ip_address",
    "data",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return value


def canonical_hash(values: dict[str, Any], prev_hash: str) -> str:
    """sha256 over a canonical JSON of the hashed fields and the previous record's hash."""
    payload = {name: _canonical(values[name]) for name in HASHED_FIELDS}
    payload["prev_hash"] = prev_hash
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def audit_actions() -> list[tuple[str, str]]:
    """The actions, given as a callable: a new action then needs no migration (decision 94)."""
    return AuditEvent.Action.choices


class AuditEvent(models.Model):
    """One append-only audit record, chained to the one before it by `prev_hash`.

    Actor, agency and case are kept as plain ids (no database constraint) so that the record
    survives, unchanged, whatever happens to the user, agency or case later. Rows are only ever
    added through `audit.services.record`; `audit.services.chain_waiting` gives each its place
    (`seq`) and hash, once, under the chain lock.
    """

    class Action(models.TextChoices):
        CASE_SHARED = "case_shared", _("Case shared")
        SHARE_REVOKED = "share_revoked", _("Share revoked")
        SHARE_EXPIRED = "share_expired", _("Share ended")
        OWNER_ASSIGNED = "owner_assigned", _("Owner assigned")
        SIGNED_IN = "signed_in", _("Signed in")
        SIGNED_OUT = "signed_out", _("Signed out")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        TOKENS_REVOKED = "tokens_revoked", _("API tokens ended")
        SIGN_INS_REVOKED = "sign_ins_revoked", _("Sign-ins ended")
        ENROLMENT_CODE_ISSUED = "enrolment_code_issued", _("Two-factor enrolment code issued")
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Two-factor sign-in turned on")
        RECOVERY_CODES_ISSUED = "recovery_codes_issued", _("Recovery codes issued")
        RECOVERY_CODE_USED = "recovery_code_used", _("Signed in with a recovery code")
        REFERRAL_RECORDED = "referral_recorded", _("Referral recorded")
        REFERRAL_ADDED = "referral_added", _("Concern added to an earlier record")
        REFERRAL_TRIAGED = "referral_triaged", _("Referral triaged")
        REFERRAL_FEEDBACK = "referral_feedback", _("Feedback given to the reporter")
        FRONT_DOOR_CONCERN_SENT = "front_door_concern_sent", _("Concern sent to a panel's front door")
        PUBLIC_CONCERN_RECEIVED = "public_concern_received", _("Concern received through the public page")
        DECONFLICTION_ASKED = "deconfliction_asked", _("Police asked whether the person is under investigation")
        DECONFLICTION_ANSWERED = "deconfliction_answered", _("Police said whether the person is under investigation")
        PANEL_CHANGED = "panel_changed", _("Panel settings changed")
        MEETING_SCHEDULED = "meeting_scheduled", _("Panel meeting scheduled")
        MEETING_CLOSED = "meeting_closed", _("Panel meeting closed")
        ATTENDANCE_RECORDED = "attendance_recorded", _("Meeting attendance recorded")
        CONFIDENTIALITY_ACKNOWLEDGED = "confidentiality_acknowledged", _("Confidentiality acknowledged")
        PANEL_DECISION = "panel_decision", _("Panel decision recorded")
        SHARE_DECLINED = "share_declined", _("Agency declined to share")
        CASELOAD_REASSIGNED = "caseload_reassigned", _("Caseload reassigned")
        DISCLOSURE_CHECKED = "disclosure_checked", _("Disclosure checks recorded")
        ENTRY_RECORDED = "entry_recorded", _("Entry recorded")
        RISK_CHANGED = "risk_changed", _("Risk level changed")
        STAGE_CHANGED = "stage_changed", _("Stage changed")
        RESTRICTION_ADDED = "restriction_added", _("Disclosure restriction recorded")
        RESTRICTION_LIFTED = "restriction_lifted", _("Disclosure restriction lifted")
        KEY_WORKER_SET = "key_worker_set", _("Key worker recorded")
        SAFETY_WARNING_ADDED = "safety_warning_added", _("Staff-safety warning recorded")
        SAFETY_WARNING_REVIEWED = "safety_warning_reviewed", _("Staff-safety warning reviewed")
        SAFETY_WARNING_ENDED = "safety_warning_ended", _("Staff-safety warning ended")
        VISIT_PLANNED = "visit_planned", _("Visit planned with an expected return")
        VISIT_CHECKED_IN = "visit_checked_in", _("Back safe from a visit")
        CRISIS_ALERT_SENT = "crisis_alert_sent", _("Crisis alert sent to the police")
        PLAN_RECORDED = "plan_recorded", _("Intervention plan recorded")
        PLAN_STARTED = "plan_started", _("Intervention plan started")
        PLAN_ACTION_UPDATED = "plan_action_updated", _("Plan action updated")
        SERVICE_LISTED = "service_listed", _("Service listed in the directory")
        SERVICE_REFERRED = "service_referred", _("Family referred to a service")
        SERVICE_REFERRAL_UPDATED = "service_referral_updated", _("Referral to a service updated")
        REVIEW_RECORDED = "review_recorded", _("Plan review recorded")
        WITHDRAWAL_RECORDED = "withdrawal_recorded", _("Withdrawal from the plan recorded")
        CASE_CLOSED = "case_closed", _("Case closed")
        CASE_REOPENED = "case_reopened", _("Case reopened")
        FOLLOW_UP_RECORDED = "follow_up_recorded", _("Post-exit follow-up recorded")
        CONSENT_RECORDED = "consent_recorded", _("Consent recorded")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        MEMBER_ADDED = "member_added", _("Family member added")
        MEMBER_CHANGED = "member_changed", _("Family member changed")
        MEMBER_REMOVED = "member_removed", _("Family member removed")
        MEMBERS_MERGED = "members_merged", _("Two records of one person merged")
        SUBJECT_ACCESS_OPENED = "sar_opened", _("Subject access request opened")
        SUBJECT_ACCESS_EXPORTED = "sar_exported", _("Subject access export produced")
        SUBJECT_ACCESS_COMPLETED = "sar_completed", _("Subject access request completed")
        RETENTION_KEPT = "retention_kept", _("Retention review: kept")
        RETENTION_ANONYMISED = "retention_anonymised", _("Retention review: anonymised")
        RETENTION_DELETED = "retention_deleted", _("Retention review: deleted")
        CASE_READ = "case_read", _("Case read")
        ENTRY_READ = "entry_read", _("Entry read")
        RECORD_READ = "record_read", _("Record read")
        LIST_READ = "list_read", _("List read")
        EXPORT_READ = "export_read", _("Export read")
        ACCESS_DENIED = "access_denied", _("Access refused")
        BREAK_GLASS = "break_glass", _("Case opened by breaking the glass")
        ACCESS_LOG_READ = "access_log_read", _("Case access log read")
        AUDIT_SEARCHED = "audit_searched", _("Audit trail searched")
        AUDIT_EXPORTED = "audit_exported", _("Audit trail exported")
        STATISTICS_EXPORTED = "statistics_exported", _("Anonymised statistics exported")
        LESSONS_WRITTEN = "lessons_written", _("Lessons learned written")
        ADMIN_CHANGED = "admin_changed", _("Changed in the administration")
        UPLOAD_REFUSED = "upload_refused", _("Upload refused by the virus scanner")
        UPLOAD_UNSCANNED = "upload_unscanned", _("Upload stored without a virus scan")
        ACCESS_GRANTED = "access_granted", _("Individual access granted")
        GRANT_REVOKED = "grant_revoked", _("Individual access revoked")
        GRANT_EXPIRED = "grant_expired", _("Individual access ended")
        CASE_LIST_EXPORTED = "case_list_exported", _("Case list exported")
        CASE_SUMMARY_EXPORTED = "case_summary_exported", _("Case summary printed or exported")
        PANEL_PACK_EXPORTED = "panel_pack_exported", _("Panel pack printed or exported")
        AGREEMENT_RECORDED = "agreement_recorded", _("Information-sharing agreement recorded")
        AGREEMENT_CHANGED = "agreement_changed", _("Information-sharing agreement changed")
        AGREEMENT_OVERRIDDEN = "agreement_overridden", _("Shared without an agreement: emergency override")
        # The partnership's structure (decisions 121-124).
        AGENCY_PROFILE_CHANGED = "agency_profile_changed", _("Agency mandate and contact changed")
        NETWORK_ORGANISATION_SAVED = "network_organisation_saved", _("Network map organisation saved")
        NETWORK_ORGANISATION_REMOVED = "network_organisation_removed", _("Network map organisation removed")
        EXPERT_SAVED = "expert_saved", _("Expert saved in the register")
        DUTY_SHIFT_SAVED = "duty_shift_saved", _("Duty shift saved")
        DUTY_SHIFT_REMOVED = "duty_shift_removed", _("Duty shift removed")
        EMERGENCY_PLAN_CHANGED = "emergency_plan_changed", _("Emergency plan changed")
        MEETING_TOPIC_SAVED = "meeting_topic_saved", _("Meeting topic saved")
        URGENT_MEETING_CALLED = "urgent_meeting_called", _("Urgent meeting called")
        AGENCY_ADDED = "agency_added", _("Partner agency added")
        MEMBERSHIP_ADDED = "membership_added", _("Person added to an agency")
        PERSON_INVITED = "person_invited", _("Invitation sent")
        INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
        MEMBERSHIP_ENDED = "membership_ended", _("Membership ended")
        MEMBERSHIP_ROLES_CHANGED = "membership_roles_changed", _("Roles in an agency changed")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PROTOCOL_PUBLISHED = "protocol_published", _("Protocol published")
        PROTOCOLS_ACKNOWLEDGED = "protocols_acknowledged", _("Protocols acknowledged")
        TRAINING_RECORDED = "training_recorded", _("Training recorded")
        TRAINING_REMOVED = "training_removed", _("Training record removed")
        RESOURCE_ADDED = "resource_added", _("Library resource added")
        RESOURCE_REMOVED = "resource_removed", _("Library resource removed")

    READ_ACTIONS = (
        Action.CASE_READ,
        Action.ENTRY_READ,
        Action.RECORD_READ,
        Action.LIST_READ,
        Action.EXPORT_READ,
    )
    # Who may read the file through an individual grant is part of who looked at it (decision 96).
    CASE_LOG_ACTIONS = (
        *READ_ACTIONS,
        Action.BREAK_GLASS,
        Action.ACCESS_GRANTED,
        Action.GRANT_REVOKED,
        Action.GRANT_EXPIRED,
        Action.CASE_SUMMARY_EXPORTED,
    )

    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    agency_id = models.BigIntegerField(_("acting for agency"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=32, choices=audit_actions)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # The record's place in the chain, given under the chain lock once its transaction has committed
    # (empty until then: decision 78); `prev_hash` is the hash of the record at `seq - 1`.
    seq = models.BigIntegerField(_("place in the chain"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["actor", "created_at"], name="audit_event_actor_at"),
            # the records still waiting to be chained: few, found at every chaining step
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_event_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are never deleted")

    def hashed_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in HASHED_FIELDS}

    def compute_hash(self) -> str:
        return canonical_hash(self.hashed_values(), self.prev_hash)

    @property
    def ids_shown(self) -> list[Any]:
        """The ids a list read showed (one record per page, not one per row)."""
        return list(self.data.get("ids", []))


class BreakGlassQuerySet(models.QuerySet["BreakGlassAccess"]):
    def current(self) -> "BreakGlassQuerySet":
        now = timezone.now()
        return self.filter(starts_at__lte=now, ends_at__gt=now)


class BreakGlassAccess(models.Model):
    """A supervisor (or a superuser) opened a case beyond their reach, giving a reason.

    While current it is one more small branch of `restrict()` (agencies/access/core.py): the case
    reads as if shared in full with this one user, until `ends_at`. Rows are kept after they end:
    they are the DPO's report.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass", verbose_name=_("user")
    )
    # A case deleted at its retention review leaves the record, with its reference (decision 61).
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, related_name="break_glass", verbose_name=_("case")
    )
    case_reference = models.CharField(_("case reference"), max_length=20, blank=True)
    reason = models.TextField(_("reason"))
    starts_at = models.DateTimeField(_("from"), default=timezone.now)
    ends_at = models.DateTimeField(_("until"))
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("break-the-glass access")
        verbose_name_plural = _("break-the-glass accesses")
        indexes = [models.Index(fields=["user", "ends_at"], name="audit_breakglass_user_ends")]

    def __str__(self) -> str:
        return f"{self.user} → {self.case_id} ({self.starts_at:%Y-%m-%d %H:%M})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The reference is kept with the record: it names the case after the case is gone.
        if self.case is not None and not self.case_reference:
            self.case_reference = self.case.reference
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.starts_at <= timezone.now() < self.ends_at


class SubjectAccessRequest(models.Model):
    """A person's request to see what Ura holds on them, opened and answered by the data protection
    officer within a calendar month of its receipt (decision 44)."""

    person = models.ForeignKey(
        "families.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("data subject"),
    )
    # The name as it was when the request was opened: the person may later be anonymised.
    person_label = models.CharField(_("data subject"), max_length=200)
    requested_by = models.CharField(
        _("who asked"), max_length=200, help_text=_("The person, a parent for a child, or a representative.")
    )
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"))
    notes = models.TextField(_("notes"), blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    exported_at = models.DateTimeField(_("last exported at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.data_protection

    class Meta:
        ordering = ["completed_at", "due_on", "pk"]
        verbose_name = _("subject access request")
        verbose_name_plural = _("subject access requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("received_on")),
                name="%(app_label)s_%(class)s_due_after_received",
                violation_error_message=_("The request cannot be due before it was received."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_label} · {self.received_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("privacy:sar", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.completed_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()


class RetentionReview(models.Model):
    """The decision on a record that reached the end of its retention period: keep it (with a
    reason and the next review), anonymise it, or delete it (decision 45). Holds ids and the
    reference, never content, so it outlives the record."""

    class RecordClass(models.TextChoices):
        CASE = "case", _("Closed case")
        REFERRAL = "referral", _("Referral with no further action")

    class Decision(models.TextChoices):
        KEEP = "keep", _("Keep")
        ANONYMISE = "anonymise", _("Anonymise")
        DELETE = "delete", _("Delete")

    record_class = models.CharField(_("record"), max_length=16, choices=RecordClass.choices)
    object_id = models.BigIntegerField(_("record id"))
    label = models.CharField(_("reference"), max_length=40)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    access_rule = rules.data_protection

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("retention review")
        verbose_name_plural = _("retention reviews")
        indexes = [models.Index(fields=["record_class", "object_id"], name="audit_retention_record_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="keep") | (~models.Q(reason="") & models.Q(next_review_on__isnull=False)),
                name="%(app_label)s_%(class)s_keep_has_reason",
                violation_error_message=_("Keeping a record needs a reason and the next review date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.get_decision_display()}"
