"""Where uploads are kept: the `default` entry of STORAGES, chosen by environment (decision 97).

`URA_STORAGE=filesystem` (the default) keeps them under MEDIA_ROOT (`URA_MEDIA_ROOT`): with more
than one web server, that folder is a volume every server mounts (NFS, a shared disk). `URA_STORAGE=s3`
keeps them in an S3-compatible bucket (AWS, MinIO, Ceph, Scaleway...) through django-storages, each
object encrypted at rest by the server: AES-256 with the bucket's keys, or KMS with
`URA_S3_KMS_KEY_ID`. Downloads still go through the access check (`cases:attachment_file`); objects
are private and never linked to directly.
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .env import env_secret, env_str

__all__ = ["upload_storage"]


def _encryption() -> dict[str, str]:
    kms_key = env_str("URA_S3_KMS_KEY_ID")
    if kms_key:
        return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key}
    return {"ServerSideEncryption": "AES256"}


def upload_storage() -> dict[str, Any]:
    """The STORAGES["default"] entry the environment asks for."""
    kind = env_str("URA_STORAGE", "filesystem").strip().lower()
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"URA_STORAGE must be 'filesystem' or 's3', not {kind!r}")
    bucket = env_str("URA_S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("URA_STORAGE=s3 needs URA_S3_BUCKET")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": env_str("URA_S3_PREFIX", "uploads"),
        "default_acl": "private",
        "object_parameters": _encryption(),
        # A name is never reused: a second file with the same random name gets a new one.
        "file_overwrite": False,
        "querystring_auth": True,
    }
    # Left out when unset, so that boto3 finds its own (an instance role, AWS_* variables).
    for option, variable in (("endpoint_url", "URA_S3_ENDPOINT_URL"), ("region_name", "URA_S3_REGION")):
        if env_str(variable):
            options[option] = env_str(variable)
    if env_str("URA_S3_ACCESS_KEY_ID"):
        options["access_key"] = env_str("URA_S3_ACCESS_KEY_ID")
        options["secret_key"] = env_secret("URA_S3_SECRET_ACCESS_KEY")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
