"""Trigram similarity for the referral search on PostgreSQL (decision 69), as for people."""

from django.db import migrations

INDEXES = [
    ("referrals_subject_key_trgm", "referrals_referral", "subject_family_name_key"),
    ("referrals_subject_given_trgm", "referrals_referral", "subject_given_name_key"),
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
    dependencies = [("referrals", "0006_name_key_prefix_indexes"), ("families", "0010_trigram_search")]

    operations = [migrations.RunPython(forwards, backwards)]
