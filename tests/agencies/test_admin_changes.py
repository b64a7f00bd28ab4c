"""Changes made in the admin: each is in the audit chain, the data protection officer hears of a
membership change, and no administrator gives themself a membership or a role."""

from typing import Any

import pytest
from django.core import mail
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Membership, Panel, User
from audit.chain import verify_chain
from audit.models import AuditEvent
from tests.conftest import member

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def admins(db: None) -> tuple[User, User]:
    return (
        User.objects.create_superuser("admin.one", "one@example.org", "pw-admin-one-2026"),
        User.objects.create_superuser("admin.two", "two@example.org", "pw-admin-two-2026"),
    )


@pytest.fixture
def dpo(agency: Agency) -> User:
    officer = member(agency, Role.DATA_PROTECTION_OFFICER, username="dpo")
    officer.email = "dpo@example.org"
    officer.save()
    return officer


def _admin(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_role_given_in_the_admin_is_in_the_verified_chain_and_the_dpo_is_told(
    admins: tuple[User, User], agency: Agency, dpo: User, django_capture_on_commit_callbacks: Any
) -> None:
    # given a person with no membership
    first, _second = admins
    person = User.objects.create_user("new.worker")
    # when one administrator gives them a role
    with django_capture_on_commit_callbacks(execute=True):
        response = _admin(first).post(
            reverse("admin:agencies_membership_add"),
            {"user": person.pk, "agency": agency.pk, "role": Role.SUPERVISOR},
        )
    # then it is saved, recorded in the chain with who, what and which role, and the DPO is told
    assert response.status_code == 302
    membership = Membership.objects.get(user=person)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ADMIN_CHANGED, object_id=str(membership.pk))
    assert event.actor == first and event.object_type == "agencies.membership"
    assert event.data["role"] == Role.SUPERVISOR and event.data["change"] == "added"
    assert verify_chain().broken_id is None  # beat's step (verify's first) gives it its place
    event.refresh_from_db()
    assert event.seq is not None
    assert [message.to for message in mail.outbox] == [["dpo@example.org"]]
    assert "new.worker" not in mail.outbox[0].body  # ids only in the mail


def test_the_dpo_notice_goes_through_the_outbox_when_the_mail_server_is_down(
    admins: tuple[User, User],
    agency: Agency,
    dpo: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core.mail.backends.locmem import EmailBackend

    from outbox.models import Message

    def refused(*args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError(111, "Connection refused")

    # given the mail server refuses every connection
    monkeypatch.setattr(EmailBackend, "send_messages", refused)
    person = User.objects.create_user("new.worker")
    # when an administrator gives someone a role
    with django_capture_on_commit_callbacks(execute=True):
        response = _admin(admins[0]).post(
            reverse("admin:agencies_membership_add"),
            {"user": person.pk, "agency": agency.pk, "role": Role.SUPERVISOR},
        )
    # then the change is saved and the DPO's notice waits in the outbox to be sent again
    assert response.status_code == 302 and Membership.objects.filter(user=person).exists()
    notice = Message.objects.get(to="dpo@example.org")
    assert notice.status == Message.Status.PENDING and notice.attempts == 1
    assert notice.about == f"agencies.membership:{Membership.objects.get(user=person).pk}"


def test_deleting_a_membership_and_changing_an_agency_are_recorded(
    admins: tuple[User, User], agency: Agency, caseworker: User
) -> None:
    first, _ = admins
    membership = caseworker.memberships.get()
    client = _admin(first)
    client.post(reverse("admin:agencies_membership_delete", args=[membership.pk]), {"post": "yes"})
    client.post(
        reverse("admin:agencies_agency_change", args=[agency.pk]),
        {
            "name": "Renamed social services",
            "sector": agency.sector,
            "partner_kind": agency.partner_kind,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    changes = AuditEvent.objects.filter(action=AuditEvent.Action.ADMIN_CHANGED)
    assert changes.filter(object_type="agencies.membership", data__change="deleted").exists()
    assert changes.filter(object_type="agencies.agency", data__change="changed").exists()


def test_an_administrator_cannot_give_themself_a_membership(admins: tuple[User, User], agency: Agency) -> None:
    # given an administrator with no membership
    first, second = admins
    # when they try to give themself a role
    response = _admin(first).post(
        reverse("admin:agencies_membership_add"), {"user": first.pk, "agency": agency.pk, "role": Role.SUPERVISOR}
    )
    # then it is refused, saying another administrator must
    assert response.status_code == 200
    assert "another administrator must" in response.content.decode()
    assert not Membership.objects.filter(user=first).exists()
    # while another administrator may
    done = _admin(second).post(
        reverse("admin:agencies_membership_add"), {"user": first.pk, "agency": agency.pk, "role": Role.SUPERVISOR}
    )
    assert done.status_code == 302 and Membership.objects.filter(user=first).exists()


def test_an_administrator_cannot_add_themself_on_an_agency_page(admins: tuple[User, User], agency: Agency) -> None:
    first, _ = admins
    response = _admin(first).post(
        reverse("admin:agencies_agency_change", args=[agency.pk]),
        {
            "name": agency.name,
            "sector": agency.sector,
            "partner_kind": agency.partner_kind,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": first.pk,
            "memberships-0-agency": agency.pk,
            "memberships-0-role": Role.PRACTITIONER,
        },
    )
    assert response.status_code == 200 and not Membership.objects.filter(user=first).exists()


def test_an_administrator_cannot_change_their_own_groups_or_rights(admins: tuple[User, User]) -> None:
    first, _ = admins
    response = _admin(first).get(reverse("admin:agencies_user_change", args=[first.pk]))
    form = response.context["adminform"].form
    assert form.fields["groups"].disabled and form.fields["is_superuser"].disabled


def _panel_form(panel: Panel, **changes: Any) -> dict[str, Any]:
    data = {**model_to_dict(panel), **changes}
    data["agencies"] = [agency.pk for agency in data["agencies"]]
    return {name: ("" if value is None else value) for name, value in data.items()}


def test_an_administrator_cannot_make_themself_a_panels_coordinator(
    admins: tuple[User, User], agency: Agency, panel: Panel
) -> None:
    # given an administrator who holds a panel role in an agency of the panel
    first, second = admins
    Membership.objects.create(user=first, agency=agency, role=Role.COORDINATOR)
    url = reverse("admin:agencies_panel_change", args=[panel.pk])
    # when they name themself the panel's coordinator, chair or single point of contact
    for field in ("coordinator", "chair", "single_point_of_contact"):
        response = _admin(first).post(url, _panel_form(panel, **{field: first.pk}))
        # then it is refused, saying another administrator must
        assert response.status_code == 200, field
        assert "another administrator must" in response.content.decode(), field
    panel.refresh_from_db()
    assert first.pk not in (panel.coordinator_id, panel.chair_id, panel.single_point_of_contact_id)
    # while another administrator may
    done = _admin(second).post(url, _panel_form(panel, coordinator=first.pk))
    assert done.status_code == 302
    panel.refresh_from_db()
    assert panel.coordinator_id == first.pk
    # and an administrator who already is its coordinator may still edit the rest of the panel
    renamed = _admin(first).post(url, _panel_form(panel, name="Info-house north"))
    assert renamed.status_code == 302
