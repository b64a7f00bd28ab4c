"""The Content Security Policy holds in a real browser: no page of the app, nor the API's
documentation page, makes Chromium report a violation (decision 39)."""

from typing import Any

import pytest
from django.urls import reverse

from agencies.models import User
from cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_page_breaks_the_content_security_policy(page: Any, live_server: Any, caseworker: User, case: Case) -> None:
    violations: list[str] = []

    def keep(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", keep)
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Username").fill(caseworker.username)
    page.get_by_label("Password").fill("test-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    for url in (
        reverse("cases:case_list"),
        reverse("cases:case", args=[case.pk]),
        reverse("two_factor"),
        reverse("name_shown"),
        reverse("api-docs"),
    ):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}{reverse('api-docs')}")
    page.wait_for_selector(".swagger-ui .info")  # the documentation page drew itself from its script
    assert violations == []
