from django.db import migrations


def fill_references(apps, schema_editor):
    """Each break-the-glass record names its case's reference, kept if the case is deleted."""
    access_model = apps.get_model("audit", "BreakGlassAccess")
    for access in access_model.objects.filter(case__isnull=False).select_related("case"):
        access.case_reference = access.case.reference
        access.save(update_fields=["case_reference"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0015_break_glass_outlives_its_case"),
        ("cases", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill_references, migrations.RunPython.noop)]
