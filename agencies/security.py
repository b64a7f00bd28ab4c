"""Hardened sign-in: two-factor sign-in, the idle timeout and the lock-out page (decisions 37 to 39).

Two-factor sign-in is django-otp's TOTP device; the password is checked by Django's sign-in page
as before, and until the session has also been verified with a code, `TwoFactorMiddleware` lets it
reach only the two-factor pages and sign-out. Lock-out after failed sign-ins is django-axes'.
"""

import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.db.models import F
from django.dispatch import Signal, receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device
from knox.models import AuthToken

from .access import forget_access
from .api.errors import api_error

__all__ = [
    "IdleTimeoutMiddleware",
    "NoStoreMiddleware",
    "TwoFactorMiddleware",
    "account_changed",
    "locked_out",
    "needs_second_factor",
    "revoke_sign_ins",
    "revoke_tokens",
    "signed_in_user",
]

# Sent when something about a user's sign-in changes, with `user`, `event` (one of the names
# below), `actor` (who did it, when not the user) and `detail`; the audit app records it (it stands
# above this app, so it listens instead of being called). Events: "tokens_revoked",
# "sign_ins_revoked", "enrolment_code_issued", "two_factor_enrolled", "recovery_codes_issued",
# "recovery_code_used".
account_changed = Signal()

# Session keys.
OTP_PENDING = "ura_otp_pending"
LAST_SEEN = "ura_last_seen"
# The last-seen time is written at most this often, so that a page does not always write the session.
LAST_SEEN_RESOLUTION = 60


def signed_in_user(request: HttpRequest) -> Any:
    """The signed-in user: the session's, or the API token's, which DRF reads only in the view. A
    request refused before the view (a NUL byte, an address no route takes) has no user unless the
    token is read here (None for no token or a bad one: the view refuses those)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    if not request.headers.get("Authorization", "").startswith("Token "):
        return None
    from knox.auth import TokenAuthentication
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.request import Request

    try:
        found = TokenAuthentication().authenticate(Request(request))
    except AuthenticationFailed:
        return None
    return found[0] if found else None


def revoke_tokens(user: Any, *, reason: str, actor: Any = None) -> int:
    """End every API token of `user` (decision 64). Returns how many there were."""
    ended, _kinds = AuthToken.objects.filter(user=user).delete()
    if ended:  # a password set on an account with no token (a new one, the demo's) is no event
        account_changed.send(sender=type(user), user=user, event="tokens_revoked", actor=actor, detail=reason)
        forget_access(user)  # the audit record read the user's memberships, which may be changing
    return int(ended)


def revoke_sign_ins(user: Any, *, reason: str, actor: Any = None) -> None:
    """End every API token and every browser session of `user`: their next request signs in again.

    Sessions end by raising the user's `sign_in_generation`, part of the hash every session
    carries, so no session store has to be searched."""
    from .offline import forget_key

    generation = type(user).objects.filter(pk=user.pk).values_list("sign_in_generation", flat=True).first()
    type(user).objects.filter(pk=user.pk).update(sign_in_generation=F("sign_in_generation") + 1)
    forget_key(user, generation)  # what was typed offline under the ended sign-ins cannot be read
    revoke_tokens(user, reason=reason, actor=actor)
    # (the calendar feed, which opens by its secret alone like a session, ends on this signal: decision 92)
    account_changed.send(sender=type(user), user=user, event="sign_ins_revoked", actor=actor, detail=reason)
    forget_access(user)  # memberships changed: what the user may see is read again


def needs_second_factor(user: Any) -> bool:
    """Whether this user must give a code: always when 2FA is required, else once they enrolled."""
    return bool(settings.URA_REQUIRE_2FA) or user_has_device(user, confirmed=True)


@receiver(user_logged_in, dispatch_uid="agencies.security.signed_in")
def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    # Decided once at sign-in and kept in the session: no query on every page for who needs a code.
    # Browser sign-ins only: the API token endpoint's request (DRF's) keeps no session.
    if not isinstance(request, HttpRequest) or not hasattr(request, "session"):
        return
    verified = getattr(user, "is_verified", lambda: False)()
    request.session[OTP_PENDING] = not verified and needs_second_factor(user)
    request.session[LAST_SEEN] = int(time.time())


def _verified(user: object) -> bool:
    """Whether the session gave its code: django-otp's middleware gives the signed-in user
    `is_verified()` (an attribute of the request's user, not of the model)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def _exempt(path: str) -> bool:
    return path.startswith(
        (
            reverse("two_factor"),
            reverse("two_factor_verify"),
            reverse("logout"),
            reverse("login"),
            reverse("set_language"),
            settings.STATIC_URL,
        )
    )


class TwoFactorMiddleware:
    """A session signed in with a password only reaches the two-factor pages until it gives a code.

    API calls signed with a token are not concerned: the token endpoint itself asks for the code.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and request.session.get(OTP_PENDING)
            and not _verified(user)
            and not _exempt(request.path)
        ):
            if request.path.startswith("/api/"):
                return api_error(403, _("Two-factor sign-in is not complete."), "two_factor_required")
            enrolled = user_has_device(user, confirmed=True)
            target = reverse("two_factor_verify" if enrolled else "two_factor")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class NoStoreMiddleware:
    """No answer of Ura's is kept by a browser or a proxy (decision 63).

    A shared tablet's browser cache would otherwise keep a family's file after sign-out, and the
    back button would show it. Every response Django makes is `no-store` (with `Pragma: no-cache`
    for HTTP/1.0 caches): a page, an API answer, a download, a refusal, a redirect. Only the
    vendored static files are cached, and WhiteNoise serves them before this middleware runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        response.headers["Pragma"] = "no-cache"
        if getattr(request, "ura_signed_out", False):
            # A visit typed offline is held in the browser, encrypted; an explicit sign-out wipes it
            # (decision 89; not the idle time-out, or a visit typed offline would be lost).
            from .offline import CLEAR_SITE_DATA

            response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response


class IdleTimeoutMiddleware:
    """Sign a browser session out after URA_IDLE_TIMEOUT_MINUTES without a request.

    A form sent after the time-out is kept for the user before the sign-out, and given back on its
    page once they sign in again (`#ura-restore`, agencies.kept); a kept form that went through is
    forgotten (decision 76)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .kept import AUTHOR_COOKIE, MARKER, forget, remember_author

        user = request.user
        api = request.path.startswith("/api/")
        if request.method == "POST" and not api and not user.is_authenticated and self._session_ended(request):
            ended = self._keep_after_the_end(request)
            if ended is not None:
                return ended
        if user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN)
            # The page's own poll for the unread count is no sign of a person: it neither keeps the
            # session alive nor ends it (a form posted after the time-out must still be kept).
            if request.path == reverse("reminders:unread_count"):
                idle = last_seen is not None and now - int(last_seen) > settings.URA_IDLE_TIMEOUT_MINUTES * 60
                return JsonResponse({}, status=401) if idle else self.get_response(request)
            if last_seen is not None and now - int(last_seen) > settings.URA_IDLE_TIMEOUT_MINUTES * 60:
                posted = not api and _keep_what_was_sent(request, user)
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity. Please sign in again."))
                if api:
                    return api_error(403, _("Signed out after inactivity."), "signed_out")
                return _to_sign_in(request, posted)
            # "Stay signed in" and the script's keeps always count, so that its clock never runs
            # ahead of the server's.
            keeping = request.path in (reverse("kept_form"), reverse("keep_alive"))
            if last_seen is None or keeping or now - int(last_seen) >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN] = now
        response = self.get_response(request)
        if (
            request.method == "POST"
            and not api
            and 300 <= response.status_code < 400
            and user.is_authenticated
            and request.POST.get(MARKER)
        ):
            forget(user, request.path)
        if request.path == reverse("logout"):
            response.delete_cookie(AUTHOR_COOKIE, samesite="Lax")  # signed out on purpose: nobody to keep for
        elif not api and request.user.is_authenticated:
            remember_author(request, response, request.user)
        return response

    @staticmethod
    def _session_ended(request: HttpRequest) -> bool:
        """The browser sent a session the server no longer has (it ran out, or was ended)."""
        return settings.SESSION_COOKIE_NAME in request.COOKIES and not request.session.get("_auth_user_id")

    @staticmethod
    def _keep_after_the_end(request: HttpRequest) -> HttpResponse | None:
        """A form sent once the session ran out on its own (the 8-hour limit): the user is no longer
        signed in, but the browser's author cookie still names them; keep it for them, as after the
        idle time-out, and send them to sign in and back to it."""
        from .kept import author_of

        if request.method != "POST":
            return None
        author = author_of(request)
        if author is None or not _keep_what_was_sent(request, author):
            return None
        messages.info(request, _("Your session had ended. Please sign in again."))
        return _to_sign_in(request, posted=request.path != reverse("kept_form"))


def _keep_what_was_sent(request: HttpRequest, user: Any) -> bool:
    """Keep for `user` the form (or the script's last keep) sent when their session had ended.
    Whether a page's form was kept (the script's keep is no page to go back to)."""
    from .kept import keep_posted, keep_sent

    if request.method != "POST" or _exempt(request.path) or request.path.startswith("/api/"):
        return False
    if not _csrf_valid(request):
        return False  # kept before CsrfViewMiddleware runs: a forged post must not be kept either
    if request.path == reverse("kept_form"):
        # The script's last keep, sent after the end: kept all the same.
        with suppress(ValueError):
            keep_sent(user, request.body)
        return False
    if request.path == reverse("keep_alive"):
        return False
    keep_posted(user, request.path, request.POST)
    return True


def _csrf_valid(request: HttpRequest) -> bool:
    """Whether the post carries a valid CSRF token (Django's own check; None means it passed)."""
    check = CsrfViewMiddleware(lambda _request: HttpResponse())
    return check.process_view(request, lambda *_args, **_kwargs: HttpResponse(), (), {}) is None


def _to_sign_in(request: HttpRequest, posted: bool) -> HttpResponse:
    if posted:
        messages.info(request, _("What you sent is kept: it comes back once you sign in again."))
        back = f"{request.get_full_path()}#ura-restore"
        return redirect(f"{reverse('login')}?{urlencode({'next': back})}")
    return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")


def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes' answer once a username has failed too often from one address."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed sign-ins for this account from this address. Try again in %(minutes)d minutes, "
        "or ask your agency's administrator to unlock it."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return api_error(429, message, "locked_out")
    return render(request, "registration/locked_out.html", {"message": message}, status=429)
