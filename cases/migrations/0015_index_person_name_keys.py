"""The index person's name keys on the case row (decision 82); filled by 0016, indexed by 0017."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_owner_question"),
        ("families", "0010_trigram_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="index_family_name_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="case",
            name="index_given_name_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="case",
            name="index_other_name_keys",
            field=models.CharField(blank=True, default="", editable=False, max_length=400),
        ),
    ]
