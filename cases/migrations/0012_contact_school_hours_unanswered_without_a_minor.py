"""A contact without a minor stored "outside school hours: yes" by default: it was never asked."""

from typing import Any

from django.db import migrations


def clear_unasked(apps: Any, schema_editor: Any) -> None:
    apps.get_model("cases", "Contact").objects.filter(minor_present=False).update(outside_school_hours=None)


def restore_default(apps: Any, schema_editor: Any) -> None:
    apps.get_model("cases", "Contact").objects.filter(outside_school_hours__isnull=True).update(
        outside_school_hours=True
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_contact_school_hours_only_with_a_minor")]

    operations = [migrations.RunPython(clear_unasked, restore_default)]
