"""Signing in as people do: through the sign-in form, with the test users' password."""

from typing import Any

from django.test import Client
from django.urls import reverse

from agencies.models import User
from tests.factories import PASSWORD


def sign_in(client: Client, user: User) -> Any:
    """Post the sign-in form with the user's password; the response (a redirect when accepted)."""
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


JOINING_PASSWORD = "Tirana-river-lantern-77"


def joined(actor: User, agency: Any, role: str, name: str) -> User:
    """A person invited to `agency` in `role` by `actor` who opened their invitation and chose
    `JOINING_PASSWORD`, as a new worker does (decision 117); their e-mail is <first name>@example.org."""
    import re

    from agencies import joining
    from outbox.models import Message

    first, last = name.split()
    person = joining.invite_person(
        actor=actor, agency=agency, role=role, first_name=first, last_name=last, email=f"{first.lower()}@example.org"
    )
    body = Message.objects.filter(to=person.email, kind="invitation").latest("pk").body
    found = re.search(r"/accounts/invitation/([^\s/]+)/", body)
    assert found, body
    return joining.accept_invitation(found.group(1), JOINING_PASSWORD)


def signed_in(user: User) -> Client:
    """A browser in which `user` signed in with the sign-in form (`JOINING_PASSWORD`)."""
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": JOINING_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client
