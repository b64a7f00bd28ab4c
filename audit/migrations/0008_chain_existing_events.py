"""Chain the records written before the hash chain existed, then make the table append-only on
PostgreSQL with a trigger (the model refuses updates and deletes on every database)."""

from django.db import migrations

from audit.models import HASHED_FIELDS, canonical_hash

TRIGGER = """
CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_refuse_change();
"""


def chain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    previous = ""
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000):
        values = {name: getattr(event, name) for name in HASHED_FIELDS}
        digest = canonical_hash(values, previous)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=previous, hash=digest)
        previous = digest


def trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_chain_reads_break_glass"),
    ]

    operations = [
        migrations.RunPython(chain, migrations.RunPython.noop),
        migrations.RunPython(trigger, drop_trigger),
    ]
