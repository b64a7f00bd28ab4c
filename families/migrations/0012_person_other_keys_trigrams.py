"""A GIN trigram index on a person's alias keys, on PostgreSQL (decision 176): the check for people
already known (families.search) matches the family name typed against them, and with no index of
its own that one branch made PostgreSQL read every person (1.3-1.7 s at a million). Other
databases keep the Python fallback."""

from django.db import migrations

NAME = "families_person_other_keys_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON families_person USING gin (other_name_keys gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("families", "0011_safety_warning")]

    operations = [migrations.RunPython(forwards, backwards)]
