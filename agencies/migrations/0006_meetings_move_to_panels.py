# The panel-meeting models move to the `panels` app (decision 47). Only Django's model state
# changes here: the tables stay, with every row, and `panels` takes them over in its 0001.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0005_name_shown_to_others"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                # Those that point at the others first.
                migrations.DeleteModel(name="InvolvedAgency"),
                migrations.DeleteModel(name="ShareDeclined"),
                migrations.DeleteModel(name="MeetingAttendance"),
                migrations.DeleteModel(name="AgendaItem"),
                migrations.DeleteModel(name="PanelMeeting"),
            ],
            database_operations=[],
        ),
    ]
