"""The whole meeting's attendance in one form: every person invited, present, absent or
sent apologies, saved at once or not at all."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from cases.models import Case
from panels import services
from panels.models import MeetingAttendance, PanelMeeting
from tests.conftest import member

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def meeting(panel: Panel, coordinator: User, case: Case, panel_member: User) -> PanelMeeting:
    # a case on the panel whose review falls due: on the agenda, its owner invited to the table
    Case.objects.filter(pk=case.pk).update(panel=panel, next_review_on=timezone.localdate())
    return services.schedule_meeting(
        panel, scheduled_for=timezone.now() + datetime.timedelta(days=1), actor=coordinator
    )


def marks(meeting: PanelMeeting) -> dict[str, tuple[bool, bool]]:
    rows = MeetingAttendance.objects.filter(meeting=meeting).select_related("user")
    return {row.user.username: (row.present, row.apologies) for row in rows}


def test_the_coordinator_records_the_whole_meeting_in_one_post(
    meeting: PanelMeeting, coordinator: User, panel_member: User, caseworker: User
) -> None:
    client = client_for(coordinator)
    url = reverse("panels:meeting_register", args=[meeting.pk])
    # the form lists everyone invited: the coordinator, the panel's members, the agenda's case owners
    form = client.get(url).context["form"]
    assert set(form.fields) == {f"person_{u.pk}" for u in (coordinator, panel_member, caseworker)}
    # when each is marked and the form posted once
    response = client.post(
        url,
        {
            f"person_{coordinator.pk}": "present",
            f"person_{panel_member.pk}": "apologies",
            f"person_{caseworker.pk}": "absent",
        },
    )
    # then the whole register is saved, and the meeting page tells apologies from absence
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert marks(meeting) == {
        "coordinator": (True, False),
        "panel_member": (False, True),
        "caseworker": (False, False),
    }
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "absent, sent apologies" in page
    # and the register opens again with each mark chosen
    again = client.get(url).context["form"]
    assert again[f"person_{panel_member.pk}"].value() == "apologies"


def test_a_register_with_a_person_left_unmarked_saves_nobody(
    meeting: PanelMeeting, coordinator: User, panel_member: User, caseworker: User
) -> None:
    client = client_for(coordinator)
    url = reverse("panels:meeting_register", args=[meeting.pk])
    response = client.post(url, {f"person_{coordinator.pk}": "present", f"person_{panel_member.pk}": "absent"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose present, absent or sent apologies." in body
    # one error summary, the shared one that ura.js focuses; the unmarked person's fieldset points at
    # its error and its radios say they are invalid; the marked ones do not
    assert body.count("data-error-summary") == 1
    unmarked = f"id_person_{caseworker.pk}"
    assert f'aria-describedby="{unmarked}_error"' in body and f'id="{unmarked}_error"' in body
    assert f'id="{unmarked}_0" aria-invalid="true"' in body
    assert f'id="id_person_{coordinator.pk}_0" checked>' in body
    # what was chosen is kept on the form, and nothing is saved
    assert f'value="absent" id="id_person_{panel_member.pk}_1" checked' in body
    assert marks(meeting) == {}


def test_the_register_refuses_someone_not_invited_as_a_whole(
    meeting: PanelMeeting, coordinator: User, caseworker_other_agency: User
) -> None:
    with pytest.raises(Exception, match="not invited"):
        services.record_register(
            meeting, marks={coordinator.pk: "present", caseworker_other_agency.pk: "present"}, actor=coordinator
        )
    assert marks(meeting) == {}


def test_a_closed_meeting_has_no_register(meeting: PanelMeeting, coordinator: User) -> None:
    PanelMeeting.objects.filter(pk=meeting.pk).update(status=PanelMeeting.Status.HELD)
    assert client_for(coordinator).get(reverse("panels:meeting_register", args=[meeting.pk])).status_code == 403


def test_a_panel_member_cannot_record_the_register(meeting: PanelMeeting, panel_member: User) -> None:
    url = reverse("panels:meeting_register", args=[meeting.pk])
    assert client_for(panel_member).post(url, {f"person_{panel_member.pk}": "present"}).status_code == 403
    assert marks(meeting) == {}


def test_the_register_costs_the_same_for_few_people_and_many(
    meeting: PanelMeeting,
    coordinator: User,
    other_agency: Agency,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for(coordinator)
    url = reverse("panels:meeting_register", args=[meeting.pk])

    def costs() -> tuple[int, int]:
        with django_assert_max_num_queries(40) as shown:
            form = client.get(url).context["form"]
        data = {name: "present" for name in form.fields}
        with django_assert_max_num_queries(60) as saved:
            assert client.post(url, data).status_code == 302
        MeetingAttendance.objects.filter(meeting=meeting).delete()
        return len(shown), len(saved)

    few = costs()
    for number in range(6):
        member(other_agency, Membership.Role.PANEL_MEMBER, username=f"member{number}")
    many = costs()
    assert len(client.get(url).context["form"].fields) == 9
    assert many == few


def test_the_register_is_one_audit_record_naming_the_changes(
    meeting: PanelMeeting, coordinator: User, panel_member: User, caseworker: User
) -> None:
    marks_ = {coordinator.pk: "present", panel_member.pk: "apologies", caseworker.pk: "absent"}
    services.record_register(meeting, marks=marks_, actor=coordinator)
    services.record_register(meeting, marks={**marks_, caseworker.pk: "present"}, actor=coordinator)
    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.ATTENDANCE_RECORDED).order_by("pk"))
    assert [e.data for e in events] == [
        {"present": ["coordinator"], "absent": ["caseworker"], "apologies": ["panel_member"]},
        {"present": ["caseworker"]},
    ]
    assert marks(meeting)["caseworker"] == (True, False)
