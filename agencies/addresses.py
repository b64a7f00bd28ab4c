"""The client's address behind a configured number of trusted proxies (decision 80).

Each proxy in front of Ura appends the address it saw to `X-Forwarded-For`; a client may send any
value of its own in front of those. With `URA_TRUSTED_PROXIES` = N, the client is the N-th address
from the right (the one our outermost proxy saw), never one further left; with N = 0 the header is
ignored. The same rule as Django REST framework's `NUM_PROXIES` (its throttles), and django-axes
calls `client_ip` (AXES_CLIENT_IP_CALLABLE), so the lock-out, the throttles and the audit trail
agree on who the client is.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

__all__ = ["client_ip"]


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "URA_TRUSTED_PROXIES", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote
    return _valid(addresses[-min(proxies, len(addresses))]) or remote
