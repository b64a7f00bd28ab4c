"""Indexes of the case search (decision 82), made once the keys are filled (0016): prefix indexes on
every database, and on PostgreSQL GIN trigram indexes (pg_trgm, as families 0010) on the keys and
on the reference, so that each branch of the search is an index scan the access branches combine
with. Other databases keep the Python fallback (families.search)."""

from django.db import migrations, models

TRIGRAMS = [
    ("cases_case_family_key_trgm", "index_family_name_key"),
    ("cases_case_given_key_trgm", "index_given_name_key"),
    ("cases_case_other_keys_trgm", "index_other_name_keys"),
    # `reference__icontains` is `UPPER("reference"::text) LIKE UPPER(...)`: the same expression.
    ("cases_case_reference_trgm", "upper(reference::text)"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAMS:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_case USING gin (({column}) gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in TRIGRAMS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_fill_index_person_name_keys")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["index_family_name_key"], name="cases_case_family_key_idx", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["index_given_name_key"], name="cases_case_given_key_idx", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
