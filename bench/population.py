"""Load bench/population.sql: the bench's synthetic population, built set-wise on PostgreSQL.

The SQL names the columns the population is about; every other column takes the model's default.
Django keeps defaults in Python, not in the schema, so each new NOT NULL field broke the SQL
(issue 19). While the population loads, each column whose model field has a default gets it as a
database default too, and loses it again after: the schema stays what the migrations made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED

__all__ = ["load"]

SQL = Path(__file__).resolve().parent / "population.sql"


def _defaults() -> list[tuple[str, str, Any]]:
    """(table, column, value) of every NOT NULL column whose model field has a default (an empty
    string counts for a text field, as in a form)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.local_concrete_fields:
            if field.null or field.primary_key or getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
                continue
            value = field.get_default()
            if value is None:
                continue
            found.append((model._meta.db_table, field.column, field.get_db_prep_save(value, connection)))
    return found


def load(n_cases: int) -> None:
    """Build the population of `n_cases` cases in one transaction, then ANALYZE outside it."""
    sql = SQL.read_text().replace("{N_CASES}", str(int(n_cases)))
    defaults = _defaults()
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        # The served statement timeout (decision 71) is for requests, not for building a population.
        cursor.execute("SET LOCAL statement_timeout = 0")
        for table, column, value in defaults:
            cursor.execute(f"ALTER TABLE {qn(table)} ALTER COLUMN {qn(column)} SET DEFAULT %s", [value])
        cursor.execute(sql)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the keys now: ALTER refuses pending checks
        for table, column, _value in defaults:
            cursor.execute(f"ALTER TABLE {qn(table)} ALTER COLUMN {qn(column)} DROP DEFAULT")
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            # VACUUM too: a bulk load leaves the GIN trigram indexes' pending lists full, which every
            # search then reads (autovacuum would flush them later, in the middle of a timing).
            cursor.execute("VACUUM ANALYZE")
