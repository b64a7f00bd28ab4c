"""Uploads through Django's storage API, and the optional ClamAV scan (decision 97).

The scanner here is a real socket server speaking clamd's INSTREAM protocol, so the client is
tested end to end: the bytes it streams, the verdict it reads, a scanner that is not there.
"""

import logging
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.storage import InMemoryStorage, default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import User
from audit.models import AuditEvent
from audit.services import chain_waiting
from cases import services
from cases.models import Attachment, Case
from settings.storage import upload_storage

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
EICAR_MARK = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"


class FakeClamd:
    """A clamd that reads one INSTREAM per connection and answers FOUND when it sees the EICAR mark."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.received: list[bytes] = []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"unix://{self.path}"

    def _read(self, conn: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                assert self._read(conn, 10) == b"zINSTREAM\0"
                body = b""
                while length := struct.unpack("!L", self._read(conn, 4))[0]:
                    body += self._read(conn, length)
                self.received.append(body)
                answer = b"stream: Eicar-Signature FOUND\0" if EICAR_MARK in body else b"stream: OK\0"
                conn.sendall(answer)

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def clamd(tmp_path: Path, settings: Any) -> Iterator[FakeClamd]:
    server = FakeClamd(tmp_path / "clamd.sock")
    settings.URA_CLAMAV_URL = server.url
    yield server
    server.close()


def attach(case: Case, actor: User, name: str, content: bytes) -> Attachment:
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    attachment = Attachment(case=case, kind=Attachment.Kind.DOCUMENT, description="From the family")
    return services.attach_file(attachment, upload, actor=actor)


class TestVirusScan:
    def test_a_clean_file_is_scanned_whole_and_stored(self, case: Case, caseworker: User, clamd: FakeClamd) -> None:
        content = PDF + b"x" * 100_000  # more than one chunk
        saved = attach(case, caseworker, "letter.pdf", content)
        assert clamd.received == [content]
        assert saved.file.read() == content

    def test_a_hit_is_refused_recorded_and_not_stored(self, case: Case, caseworker: User, clamd: FakeClamd) -> None:
        with pytest.raises(ValidationError, match=r"found something harmful in this file \(Eicar-Signature\)"):
            attach(case, caseworker, "invoice.pdf", PDF + EICAR_MARK)
        assert not Attachment.objects.exists()
        refused = AuditEvent.objects.get(action=AuditEvent.Action.UPLOAD_REFUSED)
        assert (refused.case_id, refused.actor_id) == (case.pk, caseworker.pk)
        assert refused.data == {"signature": "Eicar-Signature", "name": "invoice.pdf"}
        chain_waiting()  # beat's step: the refusal takes its place in the chain
        refused.refresh_from_db()
        assert refused.seq is not None

    def test_the_refusal_is_in_the_users_language(self, case: Case, caseworker: User, clamd: FakeClamd) -> None:
        from django.utils import translation

        with translation.override("sq"), pytest.raises(ValidationError) as refused:
            attach(case, caseworker, "invoice.pdf", PDF + EICAR_MARK)
        assert refused.value.messages == [
            "Skaneri i viruseve gjeti diçka të dëmshme në këtë skedar (Eicar-Signature), prandaj nuk u ruajt."
        ]

    def test_an_unreachable_scanner_refuses_by_default(
        self, case: Case, caseworker: User, settings: Any, tmp_path: Path
    ) -> None:
        settings.URA_CLAMAV_URL = f"unix://{tmp_path}/nobody-listens.sock"
        with pytest.raises(ValidationError, match="could not be checked for viruses"):
            attach(case, caseworker, "letter.pdf", PDF)
        assert not Attachment.objects.exists()

    def test_failing_open_stores_the_file_unscanned_and_says_so(
        self, case: Case, caseworker: User, settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        settings.URA_CLAMAV_URL = f"unix://{tmp_path}/nobody-listens.sock"
        settings.URA_CLAMAV_FAIL_OPEN = True
        with caplog.at_level(logging.WARNING, logger="cases.services.entries"):
            saved = attach(case, caseworker, "letter.pdf", PDF)
        assert saved.file.read() == PDF
        assert "stored unscanned" in caplog.text
        unscanned = AuditEvent.objects.get(action=AuditEvent.Action.UPLOAD_UNSCANNED)
        assert (unscanned.case_id, unscanned.actor_id, unscanned.object_id) == (case.pk, caseworker.pk, str(saved.pk))
        assert unscanned.data == {"unscanned": True, "name": "letter.pdf"}

    def test_without_a_scanner_nothing_is_scanned(self, case: Case, caseworker: User, settings: Any) -> None:
        settings.URA_CLAMAV_URL = ""
        assert attach(case, caseworker, "letter.pdf", PDF + EICAR_MARK).pk is not None
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPLOAD_UNSCANNED).exists()

    def test_who_may_not_write_is_refused_before_the_scan(
        self, case: Case, summary_reader: User, stranger: User, clamd: FakeClamd
    ) -> None:
        for reader in (summary_reader, stranger):
            with pytest.raises(ValidationError, match="You may not do this on this case"):
                attach(case, reader, "letter.pdf", PDF)
        assert clamd.received == []
        assert not Attachment.objects.exists()


class TestStorage:
    def test_uploads_go_through_the_configured_storage(self, case: Case, caseworker: User, settings: Any) -> None:
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
        saved = attach(case, caseworker, "letter.pdf", PDF)
        assert isinstance(storages["default"], InMemoryStorage)
        assert default_storage.exists(saved.file.name)
        with default_storage.open(saved.file.name) as stored:
            assert stored.read() == PDF

    def test_the_download_reads_from_the_storage_after_the_access_check(
        self, case: Case, caseworker: User, stranger: User, client: Any
    ) -> None:
        saved = attach(case, caseworker, "letter.pdf", PDF)
        url = f"/cases/{case.pk}/attachments/{saved.pk}/file/"
        client.force_login(stranger)
        assert client.get(url).status_code == 404
        client.force_login(caseworker)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF

    def test_the_default_is_a_folder(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("URA_STORAGE", raising=False)
        assert upload_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}

    def test_s3_encrypts_at_rest_with_aes_or_kms(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("URA_STORAGE", "s3")
        monkeypatch.setenv("URA_S3_BUCKET", "ura-uploads")
        monkeypatch.setenv("URA_S3_ENDPOINT_URL", "https://minio.example:9000")
        options = upload_storage()["OPTIONS"]
        assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}
        assert options["default_acl"] == "private"
        assert options["endpoint_url"] == "https://minio.example:9000"
        monkeypatch.setenv("URA_S3_KMS_KEY_ID", "alias/ura")
        assert upload_storage()["OPTIONS"]["object_parameters"] == {
            "ServerSideEncryption": "aws:kms",
            "SSEKMSKeyId": "alias/ura",
        }

    def test_the_s3_backend_is_installed_and_takes_these_options(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from storages.backends.s3 import S3Storage

        monkeypatch.setenv("URA_STORAGE", "s3")
        monkeypatch.setenv("URA_S3_BUCKET", "ura-uploads")
        storage = S3Storage(**upload_storage()["OPTIONS"])
        assert storage.object_parameters["ServerSideEncryption"] == "AES256"
        assert storage.bucket_name == "ura-uploads"

    @pytest.mark.parametrize(("kind", "bucket"), [("s3", ""), ("ftp", "x")])
    def test_a_wrong_setting_is_refused_at_start(self, monkeypatch: pytest.MonkeyPatch, kind: str, bucket: str) -> None:
        monkeypatch.setenv("URA_STORAGE", kind)
        monkeypatch.setenv("URA_S3_BUCKET", bucket)
        with pytest.raises(ImproperlyConfigured):
            upload_storage()
