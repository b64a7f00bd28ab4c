"""Moving models between apps keeps every row, every relation and every permission (decisions 47, 48).

The test migrates the database back to the schema of before the move (panel meetings in
`agencies`, a panel's deadlines in `reminders`), fills it there through the historical models,
migrates forward and reads everything back through today's models. Slow-ish (it migrates twice),
and run in the normal suite on SQLite and PostgreSQL alike.
"""

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from agencies.models import Agency, Membership, PanelReminderSettings, User
from panels.models import AgendaItem, InvolvedAgency, MeetingAttendance, PanelMeeting, ShareDeclined
from reminders.models import Reminder
from tests.factories import AgencyFactory, CaseFactory, MembershipFactory, PanelFactory, ReferralFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The last migrations before the move (main before decisions 47 and 48).
BEFORE = [("agencies", "0005_name_shown_to_others"), ("reminders", "0003_information_request_reminders")]
MOVED = {
    "agencies.panelmeeting": PanelMeeting,
    "agencies.meetingattendance": MeetingAttendance,
    "agencies.agendaitem": AgendaItem,
    "agencies.involvedagency": InvolvedAgency,
    "agencies.sharedeclined": ShareDeclined,
    "reminders.panelremindersettings": PanelReminderSettings,
}


def _migrate(targets: list[tuple[str, str | None]]) -> Any:
    """Migrate to `targets` and return the historical models of what is applied then."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor = MigrationExecutor(connection)  # a fresh loader sees what is applied now
    return executor._create_project_state(with_applied_migrations=True).apps


def _latest() -> list[tuple[str, str | None]]:
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _rows(model: Any) -> list[dict[str, Any]]:
    return list(model._base_manager.order_by("pk").values())


def _fill(old: Any, *, case: Any, referral: Any, coordinator: User, member: User, agency: Agency) -> None:
    """Meetings, attendance, decisions, declines, a panel's deadlines, a reminder about a meeting and
    permissions given to a group and a user, all in the schema of before the move."""
    Meeting, Item = old.get_model("agencies", "PanelMeeting"), old.get_model("agencies", "AgendaItem")
    ContentTypeThen, PermissionThen = old.get_model("contenttypes", "ContentType"), old.get_model("auth", "Permission")
    now = timezone.now()
    held = Meeting.objects.create(
        panel_id=case.panel_id,
        scheduled_for=now - datetime.timedelta(days=14),
        status="held",
        record_mode="full_minutes",
        minutes="General minutes.",
        created_by_id=coordinator.pk,
    )
    planned = Meeting.objects.create(
        panel_id=case.panel_id,
        scheduled_for=now + datetime.timedelta(days=12),
        record_mode="decisions_only",
        created_by_id=coordinator.pk,
    )
    for meeting in (held, planned):
        old.get_model("agencies", "MeetingAttendance").objects.create(
            meeting=meeting, user_id=member.pk, agency_id=agency.pk, confidentiality_acknowledged_at=now
        )
    decided = Item.objects.create(
        meeting=held,
        position=1,
        reason="review_due",
        case_id=case.pk,
        decided_at=now,
        decided_by_id=coordinator.pk,
        urgency="urgent",
        first_contact_agency_id=agency.pk,
        owner_id=case.owner_id,
        next_review_on=timezone.localdate() + datetime.timedelta(days=30),
        decision_notes="Needs assessment with the parents.",
        discussion="Discussed at length.",
    )
    Item.objects.create(meeting=planned, position=1, reason="new_referral", referral_id=referral.pk)
    old.get_model("agencies", "InvolvedAgency").objects.create(item=decided, agency_id=agency.pk, reason="Security")
    old.get_model("agencies", "ShareDeclined").objects.create(
        item=decided, agency_id=agency.pk, reason="Health data", recorded_by_id=member.pk
    )
    old.get_model("reminders", "PanelReminderSettings").objects.create(
        panel_id=case.panel_id, triage_hours=8, review_months=2, escalate_after_days=5
    )
    meeting_type, _ = ContentTypeThen.objects.get_or_create(app_label="agencies", model="panelmeeting")
    old.get_model("reminders", "Reminder").objects.create(
        kind="agenda",
        content_type=meeting_type,
        object_id=planned.pk,
        role="member",
        recipient_id=member.pk,
        recipient_key=member.pk,
        due_at=planned.scheduled_for - datetime.timedelta(days=2),
        stage="due_soon",
    )

    def perm(app_label: str, model: str, codename: str) -> Any:
        content_type, _ = ContentTypeThen.objects.get_or_create(app_label=app_label, model=model)
        return PermissionThen.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": codename}
        )[0]

    group = old.get_model("auth", "Group").objects.create(name="meeting clerks (made in the admin)")
    group.permissions.add(
        perm("agencies", "panelmeeting", "add_panelmeeting"),
        perm("reminders", "panelremindersettings", "change_panelremindersettings"),
    )
    old.get_model("agencies", "User").objects.get(pk=member.pk).user_permissions.add(
        perm("agencies", "agendaitem", "view_agendaitem")
    )


def test_moving_panel_meetings_and_deadlines_keeps_every_row_relation_and_permission() -> None:
    # given: people, a case and a referral (tables the move leaves alone), made today
    agency = AgencyFactory(name="Social care")
    coordinator = MembershipFactory(agency=AgencyFactory(), role=Membership.Role.COORDINATOR).user
    member = MembershipFactory(agency=agency, role=Membership.Role.PANEL_MEMBER).user
    panel = PanelFactory(coordinator=coordinator)
    panel.agencies.add(agency)
    case = CaseFactory(owning_agency=agency, panel=panel)
    referral = ReferralFactory(received_by=agency, panel=panel)
    # and the schema of before the move, with panel meetings and deadlines in it
    old = _migrate([*BEFORE, ("panels", None)])
    assert "agencies_panelmeeting" in connection.introspection.table_names()
    _fill(old, case=case, referral=referral, coordinator=coordinator, member=member, agency=agency)
    before = {label: _rows(old.get_model(*label.split("."))) for label in MOVED}
    type_ids = {label: old.get_model("contenttypes", "ContentType").objects.get_by_natural_key(*label.split(".")).pk
                for label in ("agencies.panelmeeting", "reminders.panelremindersettings")}  # fmt: skip

    # when
    _migrate(_latest())

    # then: every row, with every value, in the tables of its new app
    # (columns added by later migrations, such as an attendance's apologies, are not the move's)
    for label, model in MOVED.items():
        moved = [{name: row[name] for name in then} for row, then in zip(_rows(model), before[label], strict=False)]
        assert (len(_rows(model)), moved) == (len(before[label]), before[label]), label
    tables = set(connection.introspection.table_names())
    assert {"panels_panelmeeting", "panels_agendaitem", "agencies_panelremindersettings"} <= tables
    assert not {"agencies_panelmeeting", "agencies_agendaitem", "reminders_panelremindersettings"} & tables
    # the relations read both ways
    held, planned = PanelMeeting.objects.filter(panel=panel).order_by("scheduled_for")
    decided = held.items.get()
    assert (decided.case, decided.meeting.panel, decided.first_contact_agency) == (case, panel, agency)
    assert [i.reason for i in decided.involved.all()] == ["Security"]
    assert [d.agency for d in decided.declines.all()] == [agency]
    assert planned.items.get().referral == referral
    assert {a.user for a in MeetingAttendance.objects.filter(meeting__in=[held, planned])} == {member}
    assert list(case.agenda_items.all()) == [decided]
    assert panel.reminder_settings.timing_for(panel.pk).triage_hours == 8
    # the content types were renamed, not made anew: what pointed at them still does
    assert ContentType.objects.get_for_model(PanelMeeting).pk == type_ids["agencies.panelmeeting"]
    assert ContentType.objects.get_for_model(PanelReminderSettings).pk == type_ids["reminders.panelremindersettings"]
    assert Reminder.objects.get().content_type.get_object_for_this_type(pk=planned.pk) == planned
    granted = Group.objects.get(name="meeting clerks (made in the admin)").permissions.all()
    assert {f"{p.content_type.app_label}.{p.codename}" for p in granted} == {
        "panels.add_panelmeeting",
        "agencies.change_panelremindersettings",
    }
    assert User.objects.get(pk=member.pk).has_perm("panels.view_agendaitem")
    assert not Permission.objects.filter(content_type__app_label="agencies", codename__endswith="_panelmeeting")
    # and the constraints hold under their new names
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.create(meeting=held, reason="added", case=case)


def test_a_migrate_stopped_half_way_still_keeps_the_permissions_and_reminders() -> None:
    # given: the models moved but their content types not yet renamed, and Django's post_migrate
    # already made new ones for `panels` (what `migrate panels 0002` leaves behind)
    member = MembershipFactory(role=Membership.Role.PANEL_MEMBER).user
    old = _migrate([("panels", "0002_panels_tables")])
    ContentTypeThen, PermissionThen = old.get_model("contenttypes", "ContentType"), old.get_model("auth", "Permission")
    before, _ = ContentTypeThen.objects.get_or_create(app_label="agencies", model="panelmeeting")
    granted, _ = PermissionThen.objects.get_or_create(
        content_type=before, codename="add_panelmeeting", defaults={"name": "Can add panel meeting"}
    )
    made_anew = ContentTypeThen.objects.create(app_label="panels", model="panelmeeting")
    PermissionThen.objects.create(content_type=made_anew, codename="add_panelmeeting", name="Can add panel meeting")
    old.get_model("auth", "Group").objects.create(name="clerks").permissions.add(granted)
    old.get_model("reminders", "Reminder").objects.create(
        kind="agenda",
        content_type=before,
        object_id=1,
        role="member",
        recipient_id=member.pk,
        recipient_key=member.pk,
        due_at=timezone.now(),
        stage="due",
    )

    # when
    _migrate(_latest())

    # then: one content type, the group's permission and the reminder on it
    assert list(ContentType.objects.filter(model="panelmeeting")) == [ContentType.objects.get(pk=made_anew.pk)]
    assert {(p.content_type_id, p.codename) for p in Group.objects.get(name="clerks").permissions.all()} == {
        (made_anew.pk, "add_panelmeeting")
    }
    assert Reminder.objects.get().content_type_id == made_anew.pk
