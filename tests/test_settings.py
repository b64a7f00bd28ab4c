"""Configuration: typed environment readers, and production settings that refuse to start half-set."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from settings.env import env_bool, env_int, env_list, env_secret

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "settings.production",
    "DJANGO_SECRET_KEY": "k" * 64,
    "DATABASE_URL": "postgres://ura@db.example/ura",
    "REDIS_URL": "redis://cache.example:6379/0",
    "DJANGO_ALLOWED_HOSTS": "ura.example",
}


def test_env_bool_rejects_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_env_int_and_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_NUMBER", "12")
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,,")
    assert env_int("X_NUMBER", 1) == 12
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("X_NUMBER", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_NUMBER"):
        env_int("X_NUMBER", 1)


def test_env_secret_reads_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: "os.PathLike[str]") -> None:
    secret = os.path.join(tmp_path, "key")
    with open(secret, "w") as handle:
        handle.write("s3cret\n")
    monkeypatch.setenv("X_KEY_FILE", secret)
    assert env_secret("X_KEY") == "s3cret"


def _import_production(**overrides: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **PRODUCTION_ENV}
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def test_production_settings_load_when_complete() -> None:
    result = _import_production()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True"


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY"),
        ("DATABASE_URL", "DATABASE_URL must point at PostgreSQL"),
        ("REDIS_URL", "REDIS_URL"),
    ],
)
def test_production_settings_refuse_to_start_half_set(missing: str, message: str) -> None:
    result = _import_production(**{missing: None})
    assert result.returncode != 0
    assert message in result.stderr


def test_redis_answers_when_configured() -> None:
    """In CI (REDIS_URL set) the broker Celery will use is reachable."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: the embedded broker is used")
    import redis

    assert redis.Redis.from_url(url, socket_connect_timeout=3).ping() is True


def test_the_readme_documents_every_environment_variable() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    names = set()
    for module in (root / "settings").glob("*.py"):
        names |= set(re.findall(r'env_(?:str|bool|int|list|secret)\("([A-Z_]+)"', module.read_text()))
    readme = (root / "README.md").read_text()
    assert names, "no environment variables found"
    assert sorted(name for name in names if f"`{name}`" not in readme) == []
