# The tables take the app's name, and so do their constraints and index (decision 47): a reader of
# the database finds `panels_*` where the code says `panels`. Renaming keeps every row; on
# PostgreSQL a rename is a catalogue change, on SQLite ALTER TABLE ... RENAME updates the foreign
# keys that point at the table.

from django.db import migrations, models


def _rename_constraint(model_name, old, new):
    """Drop the constraint under its old name and add it again under the new one."""
    return [
        migrations.RemoveConstraint(model_name=model_name, name=old.name),
        migrations.AddConstraint(model_name=model_name, constraint=new),
    ]


def _check(name, condition, message):
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


NO_MINUTES = models.Q(models.Q(("record_mode", "no_minutes"), _negated=True), ("minutes", ""), _connector="OR")
CASE_OR_REFERRAL = models.Q(
    models.Q(("case__isnull", True), ("referral__isnull", False)),
    models.Q(("case__isnull", False), ("referral__isnull", True)),
    _connector="OR",
)


def _constraints(app_label):
    return {
        ("panelmeeting", "no_minutes_kept"): _check(
            f"{app_label}_panelmeeting_no_minutes_kept", NO_MINUTES, "This panel keeps no minutes."
        ),
        ("meetingattendance", "unique_person"): models.UniqueConstraint(
            fields=("meeting", "user"),
            name=f"{app_label}_meetingattendance_unique_person",
            violation_error_message="This person is already on the attendance list.",
        ),
        ("agendaitem", "case_or_referral"): _check(
            f"{app_label}_agendaitem_case_or_referral",
            CASE_OR_REFERRAL,
            "An agenda item is about one case or one referral.",
        ),
        ("agendaitem", "unique_case"): models.UniqueConstraint(
            condition=models.Q(("case__isnull", False)),
            fields=("meeting", "case"),
            name=f"{app_label}_agendaitem_unique_case",
            violation_error_message="This case is already on the agenda.",
        ),
        ("agendaitem", "unique_referral"): models.UniqueConstraint(
            condition=models.Q(("referral__isnull", False)),
            fields=("meeting", "referral"),
            name=f"{app_label}_agendaitem_unique_referral",
            violation_error_message="This referral is already on the agenda.",
        ),
        ("sharedeclined", "unique_agency"): models.UniqueConstraint(
            fields=("item", "agency"),
            name=f"{app_label}_sharedeclined_unique_agency",
            violation_error_message="This agency's refusal is already recorded.",
        ),
    }


OLD, NEW = _constraints("agencies"), _constraints("panels")


class Migration(migrations.Migration):
    dependencies = [
        ("panels", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="panelmeeting", table=None),
        migrations.AlterModelTable(name="meetingattendance", table=None),
        migrations.AlterModelTable(name="agendaitem", table=None),
        migrations.AlterModelTable(name="involvedagency", table=None),
        migrations.AlterModelTable(name="sharedeclined", table=None),
        migrations.RenameIndex(
            model_name="panelmeeting", new_name="panels_meeting_date_idx", old_name="agencies_meeting_date_idx"
        ),
        *(
            operation
            for (model_name, what), old in OLD.items()
            for operation in _rename_constraint(model_name, old, NEW[model_name, what])
        ),
    ]
