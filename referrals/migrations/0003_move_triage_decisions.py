"""Move each referral's single triage decision into the decision history, and set its status."""

from django.db import migrations

STATUS_AFTER = {
    "no_further_action": "closed",
    "advice_given": "closed",
    "signposted": "closed",
    "gather_information": "gathering",
    "panel_agenda": "on_agenda",
    "open_case": "case_opened",
}
REASON = {"no_further_action": "other"}


def forwards(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    TriageDecision = apps.get_model("referrals", "TriageDecision")
    for referral in Referral.objects.exclude(decision="").iterator():
        TriageDecision.objects.create(
            referral=referral,
            decision=referral.decision,
            reason=REASON.get(referral.decision, ""),
            notes=referral.decision_reason,
            signposted_to="(not recorded)" if referral.decision == "signposted" else "",
            decided_by_id=referral.triaged_by_id,
            decided_at=referral.triaged_at,
        )
        referral.status = STATUS_AFTER[referral.decision]
        referral.save(update_fields=["status"])


def backwards(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    for referral in Referral.objects.iterator():
        first = referral.decisions.order_by("decided_at").first()
        if first is not None:
            referral.decision = first.decision
            referral.decision_reason = first.notes
            referral.triaged_by_id = first.decided_by_id
            referral.save(update_fields=["decision", "decision_reason", "triaged_by"])


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_intake_and_triage")]
    operations = [migrations.RunPython(forwards, backwards)]
