"""A visit recorded without a connection (decision 89): the key the page's script encrypts with.

What a worker types while the tablet is offline is held in the browser only encrypted (AES-GCM,
static/ura/offline.js). The key is made here and kept on the server (in the database), for the user and their current
sign-ins (user and `sign_in_generation`), for URA_OFFLINE_HOURS; a signed-in page is given it and
imports it as a non-extractable key held in memory: the device never stores it. It outlives an idle
sign-out, so that what was typed offline on a page closed meanwhile can be read and sent once the
worker signs in again. It ends with an explicit sign-out (which also tells the browser to clear what
the site stored, `Clear-Site-Data`), with `revoke_sign_ins`, and after URA_OFFLINE_HOURS, when a new
key replaces it: anything older can no longer be read, and the script deletes it.
"""

import base64
import datetime
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone

from .access import Action
from .kept import _SignedInJson

__all__ = ["CLEAR_SITE_DATA", "IDLE_SIGN_OUT", "OfflineKeyView", "forget_key", "offline_key", "signed_out"]

# What a browser deletes at an explicit sign-out: IndexedDB, localStorage and the caches.
CLEAR_SITE_DATA = '"cache", "storage"'
# Sent with the sign-out the page's script makes at the idle time-out: not an explicit sign-out.
IDLE_SIGN_OUT = "ura_idle"


def offline_key(user: Any) -> str:
    """The user's key (base64, 256 bits), made anew once it is URA_OFFLINE_HOURS old. One row per
    user and sign-in generation: two first requests at once get the same key."""
    from .models import OfflineKey

    now = timezone.now()
    oldest = now - datetime.timedelta(hours=int(settings.URA_OFFLINE_HOURS))
    generation = user.sign_in_generation
    with transaction.atomic():
        OfflineKey.objects.filter(user=user, made_at__lte=oldest).delete()
        OfflineKey.objects.filter(user=user).exclude(generation=generation).delete()
        try:
            with transaction.atomic():
                row, _made = OfflineKey.objects.get_or_create(
                    user=user,
                    generation=generation,
                    defaults={"key": base64.b64encode(secrets.token_bytes(32)).decode(), "made_at": now},
                )
        except IntegrityError:  # another request made it in the meantime
            row = OfflineKey.objects.get(user=user, generation=generation)
    return row.key


def forget_key(user: Any, generation: int | None = None) -> None:
    """End the user's key: what it encrypted can no longer be read."""
    from .models import OfflineKey

    generation = user.sign_in_generation if generation is None else generation
    OfflineKey.objects.filter(user=user, generation=generation).delete()


class OfflineKeyView(_SignedInJson):
    """GET: the user's key, and how many hours what it encrypts may be held in the browser."""

    action = Action.VIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        return JsonResponse({"key": offline_key(self.actor), "hours": settings.URA_OFFLINE_HOURS})


def explicit_sign_out(request: HttpRequest) -> bool:
    """The worker signed out on purpose (the button), not the idle time-out (the server's or the
    page's script's)."""
    return request.path == reverse("logout") and request.POST.get(IDLE_SIGN_OUT) != "1"


@receiver(user_logged_out)
def signed_out(sender: Any, request: HttpRequest | None, user: Any = None, **kwargs: Any) -> None:
    """An explicit sign-out ends the key and tells the browser to clear the site's storage
    (agencies.security.NoStoreMiddleware sends the header); an idle sign-out keeps both, so that
    nothing typed offline is lost."""
    if request is not None and user is not None and explicit_sign_out(request):
        forget_key(user)
        request.ura_signed_out = True  # type: ignore[attr-defined]
