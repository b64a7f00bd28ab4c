"""Every page carries a strict Content Security Policy and the headers that go with it, and no
template needs an exception: no inline script, event handler or style (decision 39)."""

import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

from agencies.models import User

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_pages_carry_a_strict_content_security_policy(caseworker: User, client: Client) -> None:
    client.force_login(caseworker)
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_has_inline_script_handlers_or_styles() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    style = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if inline_script.search(text := path.read_text()) or handler.search(text) or style.search(text)
    ]
    assert offenders == []
