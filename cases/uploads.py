"""Uploaded files are judged by their content, not their name (issue #6: uploads).

Only a few kinds are accepted: PDF, PNG, JPEG, GIF, plain text (e-mails and chat exports) and
office documents (OOXML/ODF zips). The first bytes decide; the file is stored under a random name
with the extension of what it really is.
"""

import re
import secrets
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

__all__ = ["Checked", "check", "safe_name"]

MAGIC = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
]
OFFICE = {
    "[Content_Types].xml": ("application/vnd.openxmlformats-officedocument", "docx"),
    "mimetype": ("application/vnd.oasis.opendocument", "odt"),
}


@dataclass(frozen=True)
class Checked:
    content_type: str
    stored_name: str


def _office(upload: UploadedFile) -> tuple[str, str] | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)
    return next((kind for marker, kind in OFFICE.items() if marker in names), None)


def _text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # a multi-byte character cut at the end of the sample is still text
        return error.start >= len(head) - 3
    return True


def check(upload: UploadedFile) -> Checked:
    """Return what the file really is, or refuse it."""
    limit = settings.URA_MAX_UPLOAD_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if not head:
        raise ValidationError(_("The file is empty."))
    found: tuple[str, str] | None = next(((kind, ext) for magic, kind, ext in MAGIC if head.startswith(magic)), None)
    if found is None and head.startswith(b"PK\x03\x04"):
        found = _office(upload)
    if found is None and _text(head):
        found = ("text/plain", "txt")
    if found is None:
        raise ValidationError(_("This kind of file is not accepted: PDF, images, text and office documents only."))
    content_type, extension = found
    return Checked(content_type=content_type, stored_name=f"{secrets.token_hex(16)}.{extension}")


def safe_name(name: str) -> str:
    """The original name, kept for the download, without path or control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r'[\x00-\x1f\x7f"]', "", name).strip() or "file"
    return name[:255]
