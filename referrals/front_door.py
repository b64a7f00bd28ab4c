"""What keeps the public page open to real concerns and closed to floods (decision 126).

- A per-address limit, counted in Django's cache (shared by every web process when Redis is there):
  a flood from one address is refused with 429 while another address's concern still arrives. The
  page and the API count on the same counter; an IPv6 address counts by its /64. The address is
  kept in the cache only as a keyed hash, and only for the window.
- A honeypot field no person sees, and a minimum time between the form being given and sent back
  (a signed timestamp): a robot that fills every field at once is refused with the form kept, so a
  person who was quicker than the limit sends it again and loses nothing.
"""

import ipaddress
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from agencies.addresses import client_ip

__all__ = ["HONEYPOT", "Limit", "client_network", "issue_started", "seconds_since", "throttled"]

HONEYPOT = "homepage"  # a field name autofill leaves alone; hidden from people and assistive tech
_SALT = "ura.referrals.front_door.started"


class Limit:
    """How many requests one address may make within a window, per kind of request."""

    def __init__(self, scope: str, setting: str, default: int, window: int) -> None:
        self.scope, self.setting, self.default, self.window = scope, setting, default, window

    @property
    def allowed(self) -> int:
        return int(getattr(settings, self.setting, self.default))


SUBMIT = Limit("submit", "URA_PUBLIC_CONCERNS_PER_HOUR", 5, 3600)
STATUS = Limit("status", "URA_PUBLIC_STATUS_CHECKS_PER_HOUR", 20, 3600)


def client_network(request: HttpRequest) -> str:
    """The address counted: an IPv4 address as it is, an IPv6 address by its /64 (one household or
    one host is given a whole /64, so counting single IPv6 addresses would let it through)."""
    address = client_ip(request) or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _key(request: HttpRequest, limit: Limit) -> str:
    address = client_network(request)
    hashed = salted_hmac("ura.referrals.front_door.address", address, algorithm="sha256").hexdigest()[:32]
    window = int(time.time()) // limit.window
    return f"ura:front-door:{limit.scope}:{window}:{hashed}"


def throttled(request: HttpRequest, limit: Limit) -> bool:
    """Count this request against its address; True once the address is over its limit."""
    key = _key(request, limit)
    cache.add(key, 0, timeout=limit.window + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.window + 60)
        count = 1
    return count > limit.allowed


def issue_started(at: float | None = None) -> str:
    """A signed timestamp for the form, given with the page (`at`: another moment, for tests)."""
    return signing.TimestampSigner(salt=_SALT).sign(str(int(time.time() if at is None else at)))


def seconds_since(value: str) -> float | None:
    """How long ago the form was given, or None for a missing, forged or day-old stamp."""
    try:
        stamp = signing.TimestampSigner(salt=_SALT).unsign(value, max_age=86400)
    except signing.BadSignature:
        return None
    try:
        return time.time() - int(stamp)
    except ValueError:
        return None


def minimum_seconds() -> float:
    return float(getattr(settings, "URA_PUBLIC_CONCERN_MIN_SECONDS", 4))
