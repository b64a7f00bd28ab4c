"""The data migration that copies the index person's keys onto existing cases (decision 82): run
on rows made before the copy existed, it fills every case's keys from its person."""

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import Case
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def test_existing_cases_get_their_index_persons_keys() -> None:
    # given cases whose rows hold no copy yet (as before the columns were filled)
    cases = CaseFactory.create_batch(2, index_person__family_name="Krasniçi", index_person__other_names="Abu Ardit")
    latest = list(MigrationExecutor(connection).loader.graph.leaf_nodes())
    old = _migrate([("cases", "0015_index_person_name_keys")])
    old.get_model("cases", "Case")._base_manager.update(
        index_given_name_key="", index_family_name_key="", index_other_name_keys=""
    )
    # when the migrations run forward
    _migrate(latest)
    # then each case carries its person's keys
    for case in Case.objects.filter(pk__in=[c.pk for c in cases]).select_related("index_person"):
        person = case.index_person
        assert (case.index_given_name_key, case.index_family_name_key, case.index_other_name_keys) == (
            person.given_name_key,
            "krasnici",
            "abu ardit",
        )
