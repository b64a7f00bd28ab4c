"""The data migration that gives the closures and withdrawals already kept their case's panel
(decision 172): run on rows made before the column existed, it fills each from its case, a case on
no panel leaving its rows on none."""

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from agencies.models import Agency, Panel, User
from interventions.models import Closure, Withdrawal
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def test_existing_closures_and_withdrawals_get_their_cases_panel(
    panel: Panel, agency: Agency, caseworker: User
) -> None:
    # given, before the column existed: a case of the panel closed twice (reopened in between) and
    # withdrawn from, and a case on no panel closed
    latest = list(MigrationExecutor(connection).loader.graph.leaf_nodes())
    on_panel = CaseFactory(owning_agency=agency, owner=caseworker, panel=panel)
    on_none = CaseFactory(owning_agency=agency, owner=caseworker, panel=None)
    old = _migrate([("interventions", "0006_action_open_due_index")])
    closure, withdrawal = old.get_model("interventions", "Closure"), old.get_model("interventions", "Withdrawal")
    today, now = timezone.localdate(), timezone.now()
    for case_id, reopened in ((on_panel.pk, now), (on_panel.pk, None), (on_none.pk, None)):
        closure._base_manager.create(
            case_id=case_id,
            decided_on=today,
            reason="Goals met",
            recorded_by_id=caseworker.pk,
            reopened_at=reopened,
            reopened_by_id=caseworker.pk if reopened else None,
            reopen_reason="A new concern" if reopened else "",
        )
    withdrawal._base_manager.create(
        case_id=on_panel.pk,
        withdrawn_on=today,
        reason="Enough",
        open_door_message="Call us",
        recorded_by_id=caseworker.pk,
    )

    # when the migrations run forward
    _migrate(latest)

    # then each row keeps its case's panel
    assert sorted((row.case_id, row.panel_id) for row in Closure._base_manager.all()) == sorted(
        [(on_panel.pk, panel.pk), (on_panel.pk, panel.pk), (on_none.pk, None)]
    )
    assert [(row.case_id, row.panel_id) for row in Withdrawal._base_manager.all()] == [(on_panel.pk, panel.pk)]
