"""Uploaded files are judged by their content, not their name (issue #6: uploads).

Only a few kinds are accepted: PDF, PNG, JPEG, GIF, plain text (e-mails and chat exports) and
office documents (OOXML/ODF zips). The first bytes decide; the file is stored under a random name
with the extension of what it really is, and downloaded under its own name with that extension
(a text file called "run.bat" comes back as "run.bat.txt").
"""

import posixpath
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import Element  # nosec B405: a type only; parts are parsed by defusedxml

from defusedxml import ElementTree as SafeXML
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

__all__ = ["Checked", "check", "safe_name"]


@dataclass(frozen=True)
class Checked:
    content_type: str
    stored_name: str
    # Extensions a file of this kind may carry; the first is the one it is stored with.
    extensions: tuple[str, ...] = ()


MAGIC = [
    (b"%PDF-", "application/pdf", ("pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", ("png",)),
    (b"\xff\xd8\xff", "image/jpeg", ("jpg", "jpeg")),
    (b"GIF87a", "image/gif", ("gif",)),
    (b"GIF89a", "image/gif", ("gif",)),
]
TEXT = ("text/plain", ("txt", "eml", "log"))
_OOXML = "application/vnd.openxmlformats-officedocument."
# OOXML: the folder of the main part says what the document is.
OOXML = {
    "word/": (_OOXML + "wordprocessingml.document", ("docx",)),
    "xl/": (_OOXML + "spreadsheetml.sheet", ("xlsx",)),
    "ppt/": (_OOXML + "presentationml.presentation", ("pptx",)),
}
# ODF: the `mimetype` member says it.
ODF = {
    b"application/vnd.oasis.opendocument.text": ("odt",),
    b"application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    b"application/vnd.oasis.opendocument.presentation": ("odp",),
}
# What browsers sniff as HTML or XML from a file's first bytes (WHATWG MIME Sniffing, 7.1): such a
# file is markup with scripts, not an e-mail or a chat log, whatever it is called.
MARKUP = re.compile(
    rb"\s*<(?:!|\?|(?:html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|svg)[\s/>])",
    re.IGNORECASE,
)


# Parts of an office document that run code when it is opened: VBA projects (vbaProject.bin,
# vbaData.xml in Word), Excel 4.0 macro sheets (xl/macrosheets/, xl/intlMacrosheets/), ODF
# Basic and scripts.
ACTIVE_PARTS = re.compile(r"(^|/)(vbaproject[^/]*\.bin|vbadata\.xml)$|^xl/(intl)?macrosheets/|^(basic|scripts)/", re.I)
# Content types of macro-enabled documents (.docm, .xlsm, .xlam, .pptm...) and of macro sheets.
ACTIVE_TYPES = re.compile(r"macroenabled|macrosheet|vbaproject|ms-office\.activex", re.I)
# A relationship to something outside the file (an attached template, a linked object or frame, an
# external workbook, a linked picture) is fetched when the document opens; hyperlinks wait for a click.
HYPERLINK = re.compile(r"/relationships/hyperlink$", re.I)
# The parts read to decide (content types, relationships) are small; a larger one is refused
# rather than read (a zip bomb).
PART_LIMIT = 1024 * 1024


def _refuse_active() -> ValidationError:
    return ValidationError(
        _(
            "This kind of file is not accepted: office documents with macros or links to outside files "
            "run code or reach the internet when they are opened."
        )
    )


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    if archive.getinfo(name).file_size > PART_LIMIT:
        raise _refuse_active()
    return archive.read(name)


def _parsed(archive: zipfile.ZipFile, name: str) -> Element:
    """A part as XML, read as Office reads it: in its declared encoding (UTF-16 too), with
    character references resolved (`Externa&#108;` is `External`). A part that is not well-formed
    XML, or declares entities, is refused: it is not decided by what a pattern can see in its bytes."""
    try:
        root: Element = SafeXML.fromstring(_read_part(archive, name))  # defusedxml is untyped
        return root
    except Exception as error:  # ParseError, or defusedxml's refusal of a DTD or an entity
        raise _refuse_active() from error


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _active_types(archive: zipfile.ZipFile) -> bool:
    """Whether `[Content_Types].xml` gives any part a macro-enabled, macro sheet or VBA type."""
    root = _parsed(archive, "[Content_Types].xml")
    return any(ACTIVE_TYPES.search(element.get("ContentType", "")) for element in root.iter())


def _links_outside(archive: zipfile.ZipFile, name: str) -> bool:
    """Whether a relationships part points outside the file other than by a hyperlink."""
    return any(
        _local(element.tag) == "Relationship"
        and element.get("TargetMode", "").strip().lower() == "external"
        and not HYPERLINK.search(element.get("Type", "").strip())
        for element in _parsed(archive, name).iter()
    )


XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# A target with a scheme (http:, file:, smb:, a macro's vnd.sun.star.script:...) or a host.
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:|^//", re.I)
# Only a hyperlink waits for a click; anything else linked (a section, an image, an object, a
# template, an auto-reload) is fetched when the document opens, whatever `xlink:actuate` says.
HYPERLINK_ELEMENTS = {"a"}


def _outside(target: str) -> bool:
    """Whether a link leaves the package: a scheme or a host, or a path that climbs out of it once
    resolved (`./../x.png`, `Pictures\\..\\..\\x.png`)."""
    target = target.strip().replace("\\", "/")
    if SCHEME.match(target) or target.startswith("/"):
        return True
    resolved = posixpath.normpath(target)
    return resolved == ".." or resolved.startswith("../")


def _odf_links_outside(archive: zipfile.ZipFile, names: list[str]) -> bool:
    """Whether an ODF document loads something outside the file when it opens: an `xlink:href`
    outside the package on anything but a hyperlink, in any of its XML parts (the content, the
    styles, the metadata's template and auto-reload, an embedded object's own content)."""
    for name in names:
        if not name.lower().endswith(".xml"):
            continue
        for element in _parsed(archive, name).iter():
            target = element.get(XLINK_HREF)
            if target is not None and _local(element.tag) not in HYPERLINK_ELEMENTS and _outside(target):
                return True
    return False


def _office(upload: UploadedFile) -> tuple[str, tuple[str, ...]] | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if len({name.lower() for name in names}) != len(names):
                raise _refuse_active()  # two parts of one name: which one Office reads is not ours to guess
            if any(ACTIVE_PARTS.search(name) for name in names):
                raise _refuse_active()  # documents with macros run code when opened
            if "[Content_Types].xml" in names:
                if _active_types(archive):
                    raise _refuse_active()
                if any(_links_outside(archive, name) for name in names if name.lower().endswith(".rels")):
                    raise _refuse_active()
                return next((kind for folder, kind in OOXML.items() if any(n.startswith(folder) for n in names)), None)
            # A few bytes name the kind: a larger `mimetype` (a zip bomb) is not read.
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                mimetype = archive.read("mimetype").strip()
                if mimetype in ODF and _odf_links_outside(archive, names):
                    raise _refuse_active()
                return (mimetype.decode(), ODF[mimetype]) if mimetype in ODF else None
    except (zipfile.BadZipFile, KeyError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def _text(head: bytes) -> bool:
    if b"\x00" in head or MARKUP.match(head.removeprefix(b"\xef\xbb\xbf")):
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
    found = next(((kind, exts) for magic, kind, exts in MAGIC if head.startswith(magic)), None)
    if found is None and head.startswith(b"PK\x03\x04"):
        found = _office(upload)
    if found is None and _text(head):
        found = TEXT
    if found is None:
        raise ValidationError(_("This kind of file is not accepted: PDF, images, text and office documents only."))
    content_type, extensions = found
    return Checked(content_type, f"{secrets.token_hex(16)}.{extensions[0]}", extensions)


def safe_name(name: str, checked: Checked | None = None) -> str:
    """The original name, kept for the download, without path, control or direction-changing
    characters, and ending with an extension of what the file really is."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Format characters (right-to-left override, zero-width...) make "fdp.exe" read as "exe.pdf".
    name = "".join(char for char in name if unicodedata.category(char) not in ("Cc", "Cf") and char != '"')
    name = name.strip().strip(".") or "file"
    if checked is not None and checked.extensions:
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in checked.extensions:
            suffix = "." + checked.extensions[0]
            return name[: 255 - len(suffix)] + suffix
    return name[:255]
