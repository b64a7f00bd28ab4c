# A panel's deadline settings move to `agencies`, beside the panel (decision 48). Only Django's
# model state changes here: the table stays, with every row, and `agencies` takes it over.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0003_information_request_reminders"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PanelReminderSettings")],
            database_operations=[],
        ),
    ]
