# The table and its constraint take the app's name (decision 48); every row stays.

from django.db import migrations, models

POSITIVE = models.Q(("first_contact_days__gte", 1), ("review_months__gte", 1), ("triage_hours__gte", 1))


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0007_panel_reminder_settings"),
    ]

    operations = [
        migrations.AlterModelTable(name="panelremindersettings", table=None),
        migrations.RemoveConstraint(model_name="panelremindersettings", name="reminders_panelremindersettings_positive"),
        migrations.AddConstraint(
            model_name="panelremindersettings",
            constraint=models.CheckConstraint(
                condition=POSITIVE,
                name="agencies_panelremindersettings_positive",
                violation_error_message="A deadline is at least one hour or day away.",
            ),
        ),
    ]
