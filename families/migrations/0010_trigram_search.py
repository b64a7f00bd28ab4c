"""Trigram similarity for name searches on PostgreSQL (decision 69): the pg_trgm extension and a
GIN index on the name keys. Other databases keep the Python fallback (families.search)."""

from django.db import migrations

INDEXES = [
    ("families_person_key_trgm", "families_person", "family_name_key"),
    ("families_person_given_trgm", "families_person", "given_name_key"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("families", "0009_family_register")]

    operations = [migrations.RunPython(forwards, backwards)]
