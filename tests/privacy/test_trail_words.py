"""The audit trail in words under Albanian (decision 86): every particular's key labelled in
the reader's language, choices and field names by their labels, dates in the reader's format, ids
left out."""

import re

import pytest
from django.utils import timezone, translation

from agencies.models import User
from audit.models import AuditEvent
from audit.services import record
from cases.models import Case
from privacy import subject_access, trail_text

pytestmark = pytest.mark.django_db

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def test_every_action_carrying_data_reads_in_albanian(full_case: Case, dpo: User) -> None:
    # given events of the case's services, an export, and a change of stage with its fields and dates
    sar = subject_access.open_request(
        full_case.index_person, requested_by="Vetë", received_on=timezone.localdate(), actor=dpo
    )
    subject_access.export_request(sar, actor=dpo, fmt="json")
    record(
        AuditEvent.Action.ADMIN_CHANGED,
        actor=full_case.owner, obj=full_case, fields=["risk_level", "stage"], stage=7,
        next_review_on=timezone.localdate().isoformat(), person=full_case.index_person_id,
    )  # fmt: skip
    events = [e for e in AuditEvent.objects.order_by("pk") if e.data]
    by_action = {e.action: e for e in events}
    assert len(by_action) >= 5, sorted(by_action)
    for event in by_action.values():
        with translation.override("en"):
            english = {k: trail_text._key_label(k, trail_text._model(event.object_type)) for k in event.data}
        with translation.override("sq"):
            text = trail_text.details(event.data, event.object_type)
            albanian = {k: trail_text._key_label(k, trail_text._model(event.object_type)) for k in event.data}
        shown = {k for k, v in event.data.items() if not trail_text._hidden(k, v)}
        # then every key shown is labelled in Albanian, no raw code, no ISO date, no id
        untranslated = {k for k in shown if albanian[k] == english[k]}
        assert not untranslated, (event.action, untranslated, text)
        assert "_" not in text and not ISO.search(text), (event.action, text)
        assert f": {full_case.index_person_id};" not in f"{text};"
    # the field names and the choice read as their labels
    with translation.override("sq"):
        text = trail_text.details({"fields": ["risk_level"], "stage": 7}, "cases.case")
    field = Case._meta.get_field("stage")
    with translation.override("sq"):
        assert str(dict(field.flatchoices)[7]) in text
        assert str(Case._meta.get_field("risk_level").verbose_name) in text
