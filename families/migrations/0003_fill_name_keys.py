"""Compute the matching keys of the people already recorded."""

from django.db import migrations


def forwards(apps, schema_editor):
    from families.matching import name_key

    Person = apps.get_model("families", "Person")
    for person in Person.objects.iterator():
        person.given_name_key = name_key(person.given_name)
        person.family_name_key = name_key(person.family_name)
        person.save(update_fields=["given_name_key", "family_name_key"])


class Migration(migrations.Migration):
    dependencies = [("families", "0002_person_name_keys")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
