"""Copy each case's index person's name keys onto the case row (decision 82): one statement, set-wise,
so a million cases take seconds. Backwards there is nothing to undo (0015 drops the columns)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

COPIED = {
    "index_given_name_key": "given_name_key",
    "index_family_name_key": "family_name_key",
    "index_other_name_keys": "other_name_keys",
}


def forwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Person = apps.get_model("families", "Person")
    person = Person._base_manager.filter(pk=OuterRef("index_person_id"))
    Case._base_manager.update(**{column: Subquery(person.values(source)[:1]) for column, source in COPIED.items()})


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_index_person_name_keys")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
