"""An optional virus scan of every upload, by a ClamAV daemon over its socket (decision 97).

Families hand over files from their own phones; an office document or a PDF can carry malware
that a worker then opens. When `URA_CLAMAV_URL` names a clamd socket (`unix:///run/clamav/clamd.ctl`
or `tcp://clamav:3310`), each upload is streamed to it with the `zINSTREAM` command before it is
stored. A hit is refused and recorded in the audit chain; a scanner that cannot be reached refuses
the upload too (fail closed), unless `URA_CLAMAV_FAIL_OPEN` says to store it unscanned.

The protocol is a few lines (clamd(8), "INSTREAM"), so it is spoken here rather than through the
`clamd` package, which has not been released since 2014.
"""

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

__all__ = ["Infected", "ScannerUnavailable", "Verdict", "scan"]

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """The scanner could not be reached, or answered something that is not a verdict."""


class Infected(Exception):
    """The scanner found something; `signature` names it."""

    def __init__(self, signature: str) -> None:
        super().__init__(signature)
        self.signature = signature


@dataclass(frozen=True)
class Verdict:
    """What happened: `scanned` False when no scanner is set, or it failed and failing open is allowed."""

    scanned: bool
    skipped_because: str = ""


def _connect(url: str, timeout: float) -> socket.socket:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(parts.path)
        return sock
    if parts.scheme == "tcp" and parts.hostname:
        return socket.create_connection((parts.hostname, parts.port or 3310), timeout=timeout)
    raise ScannerUnavailable(f"URA_CLAMAV_URL must be unix:///path or tcp://host:port, not {url!r}")


def _instream(url: str, upload: UploadedFile, timeout: float) -> str:
    """Stream the file to clamd and return its answer ("stream: OK", "stream: X FOUND", "... ERROR")."""
    with _connect(url, timeout) as sock:
        sock.sendall(b"zINSTREAM\0")
        upload.seek(0)
        for chunk in iter(lambda: upload.read(CHUNK), b""):
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        answer = b""
        while not answer.endswith(b"\0"):
            received = sock.recv(4096)
            if not received:
                break
            answer += received
    upload.seek(0)
    return answer.rstrip(b"\0").decode("utf-8", "replace").strip()


def _verdict(answer: str) -> None:
    if answer.endswith(" OK") or answer == "OK":
        return
    if answer.endswith(" FOUND"):
        signature = answer.removeprefix("stream:").removesuffix(" FOUND").strip()
        raise Infected(signature or "unknown")
    raise ScannerUnavailable(answer or "no answer")


def scan(upload: UploadedFile) -> Verdict:
    """Scan `upload`; raise `Infected` on a hit, and `ScannerUnavailable` when the scanner cannot
    answer and failing closed (the default). Without a scanner configured, nothing is scanned."""
    url = settings.URA_CLAMAV_URL
    if not url:
        return Verdict(scanned=False, skipped_because="no scanner configured")
    try:
        _verdict(_instream(url, upload, settings.URA_CLAMAV_TIMEOUT))
    except (OSError, ScannerUnavailable) as error:
        upload.seek(0)
        if settings.URA_CLAMAV_FAIL_OPEN:
            return Verdict(scanned=False, skipped_because=f"scanner unavailable: {error}")
        raise ScannerUnavailable(str(error)) from error
    return Verdict(scanned=True)
