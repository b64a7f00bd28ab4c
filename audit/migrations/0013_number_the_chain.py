"""Give the records chained so far their place (`seq` = id: they were chained in id order), and let
the PostgreSQL trigger allow the one change the chain needs: a waiting record (no `seq`) getting
its place and hash, once, with nothing else changed (decision 78)."""

from django.db import migrations

FIELDS = (
    "created_at",
    "actor_id",
    "actor_username",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "reason",
    "ip_address",
    "data",
)
SAME = " AND ".join(f"NEW.{name} IS NOT DISTINCT FROM OLD.{name}" for name in ("id", *FIELDS))

TRIGGER = f"""
CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND {SAME} THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
"""
OLD_TRIGGER = """
CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
"""


def number(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cursor.execute("UPDATE audit_auditevent SET seq = id WHERE seq IS NULL")
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")
            cursor.execute(TRIGGER)


def unnumber(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0012_chain_after_commit"),
    ]

    operations = [
        migrations.RunPython(number, unnumber),
    ]
