"""The audit trail: who did what to which record, when, from where and why."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["AuditEvent"]


class AuditEvent(models.Model):
    """One append-only audit record. Nothing in Ura updates or deletes these rows.

    Actor and agency are kept as plain ids (no database constraint) so that the record survives,
    unchanged, whatever happens to the user or agency later.
    """

    class Action(models.TextChoices):
        CASE_SHARED = "case_shared", _("Case shared")
        SHARE_REVOKED = "share_revoked", _("Share revoked")
        SHARE_EXPIRED = "share_expired", _("Share ended")
        OWNER_ASSIGNED = "owner_assigned", _("Owner assigned")
        SIGNED_IN = "signed_in", _("Signed in")
        SIGNED_OUT = "signed_out", _("Signed out")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        REFERRAL_RECORDED = "referral_recorded", _("Referral recorded")
        REFERRAL_ADDED = "referral_added", _("Concern added to an earlier record")
        REFERRAL_TRIAGED = "referral_triaged", _("Referral triaged")
        REFERRAL_FEEDBACK = "referral_feedback", _("Feedback given to the reporter")
        PANEL_CHANGED = "panel_changed", _("Panel settings changed")
        MEETING_SCHEDULED = "meeting_scheduled", _("Panel meeting scheduled")
        MEETING_CLOSED = "meeting_closed", _("Panel meeting closed")
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
        CRISIS_ALERT_SENT = "crisis_alert_sent", _("Crisis alert sent to the police")
        PLAN_RECORDED = "plan_recorded", _("Intervention plan recorded")
        PLAN_STARTED = "plan_started", _("Intervention plan started")
        PLAN_ACTION_UPDATED = "plan_action_updated", _("Plan action updated")
        REVIEW_RECORDED = "review_recorded", _("Plan review recorded")
        WITHDRAWAL_RECORDED = "withdrawal_recorded", _("Withdrawal from the plan recorded")
        CASE_CLOSED = "case_closed", _("Case closed")
        CASE_REOPENED = "case_reopened", _("Case reopened")
        FOLLOW_UP_RECORDED = "follow_up_recorded", _("Post-exit follow-up recorded")

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
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action}"
