"""A visit recorded without a connection (decision 89): the key the page's script encrypts with.

What a worker types while the tablet is offline is held in the browser only encrypted (AES-GCM,
static/ura/offline.js). The key is made here, kept in the server's session and given to a signed-in
page, which imports it as a non-extractable key held in memory: the device never stores it. A
sign-out flushes the session, so the key is gone with it, and the browser is told to clear what
the site stored (`Clear-Site-Data`); after URA_OFFLINE_HOURS a new key replaces it, so anything
older can no longer be read, and the script deletes it.
"""

import base64
import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse

from .access import Action
from .kept import _SignedInJson

__all__ = ["CLEAR_SITE_DATA", "OfflineKeyView", "offline_key", "signed_out"]

KEY = "ura_offline_key"
KEY_AT = "ura_offline_key_at"
# What a browser deletes when the session ends: IndexedDB, localStorage and the caches.
CLEAR_SITE_DATA = '"cache", "storage"'


def offline_key(request: HttpRequest) -> str:
    """This session's key (base64, 256 bits), made anew once it is URA_OFFLINE_HOURS old."""
    now = int(time.time())
    made = int(request.session.get(KEY_AT, 0))
    if KEY not in request.session or now - made >= settings.URA_OFFLINE_HOURS * 3600:
        request.session[KEY] = base64.b64encode(secrets.token_bytes(32)).decode()
        request.session[KEY_AT] = now
    key: str = request.session[KEY]
    return key


class OfflineKeyView(_SignedInJson):
    """GET: the session's key, and how many hours what it encrypts may be held in the browser."""

    action = Action.VIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        return JsonResponse({"key": offline_key(request), "hours": settings.URA_OFFLINE_HOURS})


@receiver(user_logged_out)
def signed_out(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """Every sign-out (the button, the idle time-out) tells the browser to clear the site's storage
    (agencies.security.NoStoreMiddleware sends the header)."""
    if request is not None:
        request.ura_signed_out = True  # type: ignore[attr-defined]
