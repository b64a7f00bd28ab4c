"""Configuration: typed environment readers, production settings that refuse to start half-set and
pass `check --deploy`, two-factor sign-in required in production, uploads outside the web root."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from agencies.models import User
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


def _import_production(
    code: str = "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)", **overrides: str | None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **PRODUCTION_ENV}
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    code = "import django; django.setup(); from django.conf import settings; " + code
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def test_production_settings_load_when_complete() -> None:
    result = _import_production()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True"


def test_production_keeps_database_connections() -> None:
    """A worker reuses its connection for a minute, checked before reuse; still settable."""
    shown = "db = settings.DATABASES['default']; print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
    assert _import_production(shown).stdout.strip() == "60 True"
    assert _import_production(shown, DATABASE_CONN_MAX_AGE="0").stdout.strip() == "0 True"


def test_production_notices_a_frozen_database_on_a_kept_connection() -> None:
    """psycopg2 waits through Ura's bounded wait in production only (decision 159;
    tests/test_frozen_database.py freezes a server)."""
    shown = (
        "from psycopg2 import extensions; from agencies.dbwait import Waiter; "
        "waiter = extensions.get_wait_callback(); "
        "print(settings.DATABASE_STALL_SECONDS, isinstance(waiter, Waiter) and waiter.stall_seconds)"
    )
    assert _import_production(shown).stdout.strip() == "2 2"
    assert _import_production(shown, DATABASE_STALL_SECONDS="0").stdout.strip() == "0 False"


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

    root = Path(__file__).resolve().parent.parent
    names = set()
    for module in (root / "settings").glob("*.py"):
        names |= set(re.findall(r'env_(?:str|bool|int|list|secret)\("([A-Z_]+)"', module.read_text()))
    readme = (root / "README.md").read_text()
    assert names, "no environment variables found"
    assert sorted(name for name in names if f"`{name}`" not in readme) == []


def test_production_settings_pass_check_deploy() -> None:
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        # check --deploy also judges the key's randomness.
        "DJANGO_SECRET_KEY": "x8#kq2Lz!vP0wR7mT4nB9cY6hJ3fD1sA5gE8uI2oK7lM0pQ4rS9tV6wX3yZ1aB5c",
    }
    # The browser tests set this in the test process (Playwright runs an event loop); a production
    # process never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_two_factor_is_required_in_production_only() -> None:
    code = "import django; django.setup(); from django.conf import settings; print(settings.URA_REQUIRE_2FA)"
    for module, expected in (("settings.production", "True"), ("settings.local", "False")):
        env = {**os.environ, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": module}
        env.pop("URA_REQUIRE_2FA", None)
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        assert result.stdout.strip() == expected, result.stderr


# --- Uploads ------------------------------------------------------------------------------------------


def test_uploads_live_outside_the_web_root_and_no_url_serves_them(caseworker: User, client: Client) -> None:
    media = Path(settings.MEDIA_ROOT).resolve()
    for served in [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]:
        if served is not None:
            assert not media.is_relative_to(Path(served).resolve())
    assert not media.is_relative_to((Path(settings.BASE_DIR) / "templates").resolve())
    client.force_login(caseworker)
    for path in ("/media/attachments/1/x.pdf", "/attachments/1/x.pdf", "/var/media/attachments/1/x.pdf"):
        assert client.get(path).status_code == 404


def test_the_media_root_comes_from_the_environment() -> None:
    code = "import django; django.setup(); from django.conf import settings; print(settings.MEDIA_ROOT)"
    env = {**os.environ, **PRODUCTION_ENV, "URA_MEDIA_ROOT": "/srv/ura-uploads"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "/srv/ura-uploads", result.stderr


# --- Entry points ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["-c", "import settings.wsgi"],
        ["-c", "import settings.asgi"],
        ["-m", "celery", "-A", "settings", "report"],
    ],
    ids=["wsgi", "asgi", "celery"],
)
def test_every_served_entry_point_refuses_to_start_without_a_settings_module(command: list[str]) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, *command], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "DJANGO_SETTINGS_MODULE is not set" in result.stderr


def test_manage_py_without_a_settings_module_uses_the_local_ones_and_says_so() -> None:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "manage.py", "diffsettings", "--output", "unified"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "manage.py uses settings.local" in result.stderr
    assert "DEBUG = True" in result.stdout


def test_the_audit_chains_alarm_waits_twice_a_tasks_hard_time_limit_as_configured() -> None:
    """`/readyz` calls the chain stalled only after twice a task's hard time limit, so one long job
    on each general worker is no alarm (decision 173). The limit is configurable
    (`URA_TASK_TIME_LIMIT`); raised, the alarm's default follows it (a review found a fixed 600)."""
    shown = "print(settings.CELERY_TASK_TIME_LIMIT, settings.URA_AUDIT_CHAIN_STALE_SECONDS)"
    result = _import_production(shown, URA_TASK_TIME_LIMIT="900", URA_TASK_SOFT_TIME_LIMIT="840")
    assert result.returncode == 0, result.stderr
    limit, stale = (int(value) for value in result.stdout.split())
    assert stale >= 2 * limit
