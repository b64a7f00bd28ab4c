# A panel's deadline settings come from `reminders` (decision 48). State only: the model takes over
# the table `reminders` created, with every row; 0008 renames the table and its constraint.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0006_meetings_move_to_panels"),
        ("reminders", "0004_panel_settings_move_to_agencies"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PanelReminderSettings",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "triage_hours",
                            models.PositiveSmallIntegerField(
                                default=24, verbose_name="triage a referral within (hours)"
                            ),
                        ),
                        (
                            "first_contact_days",
                            models.PositiveSmallIntegerField(default=7, verbose_name="first contact within (days)"),
                        ),
                        (
                            "needs_assessment_working_days",
                            models.PositiveSmallIntegerField(
                                default=45, verbose_name="needs assessment within (working days after first contact)"
                            ),
                        ),
                        (
                            "review_months",
                            models.PositiveSmallIntegerField(default=3, verbose_name="plan review every (months)"),
                        ),
                        (
                            "agenda_notice_days",
                            models.PositiveSmallIntegerField(
                                default=2, verbose_name="send the agenda (days before a meeting)"
                            ),
                        ),
                        (
                            "due_soon_days",
                            models.PositiveSmallIntegerField(default=2, verbose_name="remind (days before a deadline)"),
                        ),
                        (
                            "escalate_after_days",
                            models.PositiveSmallIntegerField(
                                default=3,
                                verbose_name="escalate to supervisors and the coordinator after (days overdue)",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                        (
                            "panel",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reminder_settings",
                                to="agencies.panel",
                                verbose_name="panel",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "reminders_panelremindersettings",
                        "verbose_name": "panel reminder settings",
                        "verbose_name_plural": "panel reminder settings",
                        "ordering": ["panel"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("first_contact_days__gte", 1), ("review_months__gte", 1), ("triage_hours__gte", 1)
                                ),
                                name="reminders_panelremindersettings_positive",
                                violation_error_message="A deadline is at least one hour or day away.",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
