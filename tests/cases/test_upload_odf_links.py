"""An ODF document that makes the office suite fetch something outside it on opening is refused,
wherever in the package the link is written (all five are accepted as this is written)."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import uploads

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
    ' xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)
IMAGE = '<draw:frame><draw:image xlink:href="{}"{}/></draw:frame>'


def content(body: str) -> bytes:
    text = f"<office:body><office:text>{body}</office:text></office:body>"
    return f"<office:document-content {NS}>{text}</office:document-content>".encode()


def meta(inner: str) -> bytes:
    return f"<office:document-meta {NS}><office:meta>{inner}</office:meta></office:document-meta>".encode()


def odt(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text")
        for name, data in {"content.xml": content("<text:p>x</text:p>"), **parts}.items():
            archive.writestr(name, data)
    return buffer.getvalue()


LOADS_OUTSIDE = {
    "auto-reload in meta.xml": {
        "meta.xml": meta('<meta:auto-reload xlink:href="http://evil.example/x" meta:delay="PT0S"/>')
    },
    "template on a share in meta.xml": {"meta.xml": meta('<meta:template xlink:href="file://evil.example/s/t.ott"/>')},
    "linked image in an embedded object": {
        "Object 1/content.xml": content(IMAGE.format("http://evil.example/x.png", ""))
    },
    "linked image marked onRequest": {
        "content.xml": content(IMAGE.format("http://evil.example/x.png", ' xlink:actuate="onRequest"'))
    },
    "parent path behind ./": {"content.xml": content(IMAGE.format("./../x.png", ""))},
}


@pytest.mark.parametrize("parts", LOADS_OUTSIDE.values(), ids=list(LOADS_OUTSIDE))
def test_an_odf_document_loading_something_outside_it_is_refused(parts: dict[str, bytes]) -> None:
    with pytest.raises(ValidationError):
        uploads.check(SimpleUploadedFile("letter.odt", odt(parts)))
