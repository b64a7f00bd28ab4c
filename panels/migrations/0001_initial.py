# The panel-meeting models come from `agencies` (decision 47). State only: they take over the
# tables `agencies` created, with every row; 0002 renames the tables and their constraints.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("agencies", "0006_meetings_move_to_panels"),
        ("cases", "0008_information_requests"),
        ("referrals", "0006_name_key_prefix_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PanelMeeting",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("scheduled_for", models.DateTimeField(verbose_name="date and time")),
                        ("location", models.CharField(blank=True, max_length=200, verbose_name="place")),
                        (
                            "status",
                            models.CharField(
                                choices=[("scheduled", "Scheduled"), ("held", "Held"), ("cancelled", "Cancelled")],
                                default="scheduled",
                                max_length=16,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "record_mode",
                            models.CharField(
                                choices=[
                                    ("full_minutes", "Full minutes"),
                                    ("decisions_only", "Decisions only"),
                                    ("no_minutes", "No minutes"),
                                ],
                                max_length=32,
                                verbose_name="meeting record",
                            ),
                        ),
                        (
                            "minutes",
                            models.TextField(
                                blank=True, help_text="Only where the panel keeps full minutes.", verbose_name="minutes"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "panel",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="meetings",
                                to="agencies.panel",
                                verbose_name="panel",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "agencies_panelmeeting",
                        "indexes": [models.Index(fields=["panel", "-scheduled_for"], name="agencies_meeting_date_idx")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("record_mode", "no_minutes"), _negated=True),
                                    ("minutes", ""),
                                    _connector="OR",
                                ),
                                name="agencies_panelmeeting_no_minutes_kept",
                                violation_error_message="This panel keeps no minutes.",
                            )
                        ],
                        "verbose_name": "panel meeting",
                        "verbose_name_plural": "panel meetings",
                        "ordering": ["-scheduled_for", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="MeetingAttendance",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("present", models.BooleanField(default=True, verbose_name="present")),
                        (
                            "confidentiality_acknowledged_at",
                            models.DateTimeField(null=True, verbose_name="confidentiality acknowledged at"),
                        ),
                        (
                            "agency",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="agencies.agency",
                                verbose_name="for agency",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attendance",
                                to="panels.panelmeeting",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "agencies_meetingattendance",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("meeting", "user"),
                                name="agencies_meetingattendance_unique_person",
                                violation_error_message="This person is already on the attendance list.",
                            )
                        ],
                        "verbose_name": "attendance",
                        "verbose_name_plural": "attendance",
                        "ordering": ["meeting", "agency__name", "user__last_name"],
                    },
                ),
                migrations.CreateModel(
                    name="AgendaItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                        (
                            "reason",
                            models.CharField(
                                choices=[
                                    ("new_referral", "New referral"),
                                    ("review_due", "Review due"),
                                    ("overdue", "Overdue items"),
                                    ("added", "Added by the coordinator"),
                                ],
                                max_length=32,
                                verbose_name="on the agenda because",
                            ),
                        ),
                        ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided at")),
                        (
                            "urgency",
                            models.CharField(
                                blank=True,
                                choices=[("routine", "Routine"), ("urgent", "Urgent"), ("crisis", "Crisis")],
                                max_length=16,
                                verbose_name="urgency",
                            ),
                        ),
                        ("next_review_on", models.DateField(blank=True, null=True, verbose_name="next review")),
                        ("decision_notes", models.TextField(blank=True, verbose_name="decision")),
                        ("discussion", models.TextField(blank=True, verbose_name="discussion")),
                        (
                            "case",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="agenda_items",
                                to="cases.case",
                            ),
                        ),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "first_contact_agency",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="agencies.agency",
                                verbose_name="first contact by",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="case owner",
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="items",
                                to="panels.panelmeeting",
                            ),
                        ),
                        (
                            "referral",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="agenda_items",
                                to="referrals.referral",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "agencies_agendaitem",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("case__isnull", True), ("referral__isnull", False)),
                                    models.Q(("case__isnull", False), ("referral__isnull", True)),
                                    _connector="OR",
                                ),
                                name="agencies_agendaitem_case_or_referral",
                                violation_error_message="An agenda item is about one case or one referral.",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("case__isnull", False)),
                                fields=("meeting", "case"),
                                name="agencies_agendaitem_unique_case",
                                violation_error_message="This case is already on the agenda.",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("referral__isnull", False)),
                                fields=("meeting", "referral"),
                                name="agencies_agendaitem_unique_referral",
                                violation_error_message="This referral is already on the agenda.",
                            ),
                        ],
                        "verbose_name": "agenda item",
                        "verbose_name_plural": "agenda items",
                        "ordering": ["meeting", "position", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="InvolvedAgency",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("reason", models.CharField(max_length=300, verbose_name="why")),
                        (
                            "agency",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="agencies.agency",
                                verbose_name="agency",
                            ),
                        ),
                        (
                            "item",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="involved",
                                to="panels.agendaitem",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "agencies_involvedagency",
                        "verbose_name": "involved agency",
                        "verbose_name_plural": "involved agencies",
                        "ordering": ["item", "agency__name"],
                    },
                ),
                migrations.CreateModel(
                    name="ShareDeclined",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("reason", models.CharField(blank=True, max_length=300, verbose_name="reason (optional)")),
                        (
                            "recorded_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="recorded at"),
                        ),
                        (
                            "agency",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="agencies.agency",
                                verbose_name="agency",
                            ),
                        ),
                        (
                            "item",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="declines",
                                to="panels.agendaitem",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "agencies_sharedeclined",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("item", "agency"),
                                name="agencies_sharedeclined_unique_agency",
                                violation_error_message="This agency's refusal is already recorded.",
                            )
                        ],
                        "verbose_name": "declined to share",
                        "verbose_name_plural": "declined to share",
                        "ordering": ["item", "recorded_at"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
