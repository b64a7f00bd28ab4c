"""Signing in as people do: through the sign-in form, with the test users' password."""

from typing import Any

from django.test import Client
from django.urls import reverse

from agencies.models import User
from tests.factories import PASSWORD


def sign_in(client: Client, user: User) -> Any:
    """Post the sign-in form with the user's password; the response (a redirect when accepted)."""
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
