"""The production walk-through runs: deploy/run.sh sets Ura up against PostgreSQL and Redis with the
production settings, starts web (gunicorn with deploy/gunicorn.conf.py), worker and beat, a person
signs in, and /readyz is green (beat's heartbeat arrived through the worker).

`make deploy-check` runs it (CI, after `make test`); `make test` skips it.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("URA_DEPLOY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ura_deploy")
REDIS_URL = os.environ.get("URA_DEPLOY_REDIS_URL", "redis://127.0.0.1:6379/9")

pytestmark = [
    pytest.mark.deploy,
    pytest.mark.skipif(not os.environ.get("URA_DEPLOY_CHECK"), reason="make deploy-check runs the walk-through"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fresh_database() -> None:
    base, name = DATABASE_URL.rsplit("/", 1)
    admin = f"{base}/postgres"
    subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], check=True, capture_output=True)


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    _fresh_database()
    port = _free_port()
    values = {
        # deploy/env.template, filled in for this machine
        "DJANGO_SETTINGS_MODULE": "settings.production",
        "DJANGO_SECRET_KEY": "q8#kq2Lz!vP0wR7mT4nB9cY6hJ3fD1sA5gE8uI2oK7lM0pQ4rS9tV6wX3yZ1aB5c",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "URA_BASE_URL": f"https://127.0.0.1:{port}",
        "URA_TRUSTED_PROXIES": "1",
        "URA_BIND": f"127.0.0.1:{port}",
        "URA_WEB_WORKERS": "2",
        "URA_DATA_DIR": str(tmp_path / "data"),
        "URA_MEDIA_ROOT": str(tmp_path / "data" / "media"),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "URA_LOG_FORMAT": "json",
    }
    env_file = tmp_path / "env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "URA_"))}
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    return {
        **clean,
        "URA_ENV_FILE": str(env_file),
        "URA_SKIP_INSTALL": "1",
        "URA_PYTHON": sys.executable,
        "PORT_FOR_TEST": str(port),
    }


def _manage(env: dict[str, str], *args: str) -> str:
    values = dict(line.split("=", 1) for line in Path(env["URA_ENV_FILE"]).read_text().splitlines())
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**env, **values}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def running(environment: dict[str, str]) -> Iterator[dict[str, str]]:
    setup = subprocess.run(
        ["deploy/run.sh", "setup"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    log = Path(environment["URA_ENV_FILE"]).with_name("processes.log")
    with log.open("w") as output:
        processes = subprocess.Popen(
            ["deploy/run.sh", "start"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield environment
        finally:
            os.killpg(processes.pid, signal.SIGTERM)
            try:
                processes.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(processes.pid, signal.SIGKILL)
    print(log.read_text()[-5000:])


def _get(url: str, headers: dict[str, str] | None = None, body: bytes | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, headers={"X-Forwarded-Proto": "https", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _wait_for(check: Any, seconds: int) -> Any:
    last: Any = None
    for _ in range(seconds):
        try:
            last = check()
            if last[0] == 200:
                return last
        # URLError and ConnectionError are OSErrors; so is a read that timed out while gunicorn's
        # workers were still booting on a busy machine: try again until the deadline.
        except (OSError, json.JSONDecodeError) as error:
            last = error
        time.sleep(1)
    return last


def test_the_production_walk_through_serves_a_signed_in_user_and_is_ready(running: dict[str, str]) -> None:
    base = f"http://127.0.0.1:{running['PORT_FOR_TEST']}"
    # given: the web answers
    assert _wait_for(lambda: _get(f"{base}/healthz"), 60)[0] == 200
    # and an operator with an authenticator app, made as the README says (an administrator's job)
    key = "3132333435363738393031323334353637383930"
    _manage(
        running,
        "shell",
        "-c",
        "from agencies.models import User; from django_otp.plugins.otp_totp.models import TOTPDevice; "
        "u = User.objects.create_user('demo.operator', password='walk-through-2026!'); "
        f"TOTPDevice.objects.create(user=u, name='phone', key='{key}', confirmed=True)",
    )
    from django_otp.oath import totp

    code = f"{totp(bytes.fromhex(key)):06d}"
    # when: they sign in through the API
    status, answer = _get(
        f"{base}/api/v1/auth/token/",
        {"Content-Type": "application/json"},
        json.dumps({"username": "demo.operator", "password": "walk-through-2026!", "otp_token": code}).encode(),
    )
    assert status == 200, answer
    status, reminders = _get(f"{base}/api/v1/reminders/", {"Authorization": f"Token {answer['token']}"})
    assert status == 200 and reminders["count"] == 0, reminders
    # then: /readyz turns green once beat's heartbeat has come through the worker
    status, ready = _wait_for(lambda: _get(f"{base}/readyz"), 90)
    assert status == 200, ready
    assert all(ready["checks"][name]["ok"] for name in ("beat", "broker", "database", "audit_chain")), ready
    # and the audit trail of it all is one verified chain
    assert "chain intact" in _manage(running, "verify_audit")
