"""What a process refuses to start with, and what DEBUG shows, tried on real processes.

Outside DEBUG a process needs a signing key of its own: none, a short one or the key once
published in this repository stops it at start, with a message that says what to set. DEBUG
is off unless DJANGO_DEBUG=1 asks for it, so a server error or an unknown URL shows nothing of
the settings, the submitted form or the URL map. In DEBUG without a key (`make run` on a fresh
clone) a local key is made once and kept.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from jose import jwt

from tests.live import ROOT
from tests.wsclient import WsClient, http_json

PUBLISHED_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
# Settings that select the embedded default; nothing here needs PostgreSQL or Redis.
_DROPPED = (
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "JWT_SIGNING_KEY",
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
)


def bare_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a process started by hand: no key, no DEBUG, the project's settings."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "youthline.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3"),
            **extra,
        }
    )
    return env


def start_daphne(env: dict[str, str]) -> subprocess.CompletedProcess:
    """The production entry point; a refused start exits by itself, well within the timeout."""
    return subprocess.run(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "0", "youthline.asgi:application"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_debug_a_process_without_a_key_refuses_to_start(tmp_path):
    done = start_daphne(bare_env(tmp_path))
    assert done.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in done.stderr, done.stderr[-2000:]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DJANGO_SECRET_KEY": PUBLISHED_KEY}, "DJANGO_SECRET_KEY is the key published in the Youthline repository"),
        ({"DJANGO_SECRET_KEY": "s" * 31}, "DJANGO_SECRET_KEY is 31 characters long"),
        (
            {"DJANGO_SECRET_KEY": secrets.token_urlsafe(48), "JWT_SIGNING_KEY": PUBLISHED_KEY},
            "JWT_SIGNING_KEY is the key published in the Youthline repository",
        ),
        (
            {"DJANGO_SECRET_KEY": secrets.token_urlsafe(48), "JWT_SIGNING_KEY": "short"},
            "JWT_SIGNING_KEY is 5 characters",
        ),
    ],
    ids=["published", "short", "published-jwt", "short-jwt"],
)
def test_without_debug_a_known_or_short_key_refuses_to_start(tmp_path, variables, message):
    done = start_daphne(bare_env(tmp_path, **variables))
    assert done.returncode != 0
    assert message in done.stderr, done.stderr[-2000:]


def test_the_published_key_is_refused_in_debug_too(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=bare_env(tmp_path, DJANGO_DEBUG="1", DJANGO_SECRET_KEY=PUBLISHED_KEY),
        timeout=60,
        check=False,
    )
    assert done.returncode != 0 and "published in the Youthline repository" in done.stderr, done.stderr[-2000:]


def _settings_of(env: dict[str, str]) -> dict[str, str]:
    code = (
        "from django.conf import settings; import hashlib; "
        "print(settings.DEBUG, hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest(), "
        "hashlib.sha256(settings.JWT_SIGNING_KEY.encode()).hexdigest(), len(settings.SECRET_KEY))"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    debug, secret_hash, jwt_hash, length = done.stdout.strip().splitlines()[-1].split()
    return {"debug": debug, "secret": secret_hash, "jwt": jwt_hash, "length": length}


def test_debug_is_off_unless_asked_for(tmp_path):
    assert _settings_of(bare_env(tmp_path, DJANGO_SECRET_KEY=secrets.token_urlsafe(48)))["debug"] == "False"
    assert (
        _settings_of(bare_env(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(48)))["debug"]
        == "False"
    )


def test_debug_without_a_key_makes_a_local_one_once_and_keeps_it(tmp_path):
    """`make run` on a fresh clone: no environment, tokens survive a restart (the same key after)."""
    first = _settings_of(bare_env(tmp_path, DJANGO_DEBUG="1"))
    second = _settings_of(bare_env(tmp_path, DJANGO_DEBUG="1"))
    assert first["debug"] == "True"
    assert first["secret"] == second["secret"] == first["jwt"]
    assert int(first["length"]) >= 32
    assert first["secret"] != hashlib.sha256(PUBLISHED_KEY.encode()).hexdigest()
    key_file = ROOT / "var" / "local-secret-key"
    assert key_file.stat().st_mode & 0o077 == 0, "the local key is readable by other users"
    ignored = subprocess.run(["git", "check-ignore", "-q", str(key_file)], cwd=ROOT, check=False)
    assert ignored.returncode == 0, "var/local-secret-key must be ignored by git"


_BOOM_URLS = """
from django.urls import path


def boom(request):
    raise RuntimeError("the view failed")


urlpatterns = [path("boom/", boom)]
"""


def test_a_server_error_shows_neither_settings_nor_post_data(tmp_path):
    """A 500 answered by a process started without DJANGO_DEBUG: the submitted password, the
    database URL and the traceback stay in the server (the issue saw them on the debug page)."""
    (tmp_path / "boom_urls.py").write_text(_BOOM_URLS)
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}?secretmarker=db-password-7731"
    script = textwrap.dedent("""
        from django.test import Client
        from django.test.utils import override_settings

        with override_settings(ROOT_URLCONF="boom_urls"):
            response = Client(raise_request_exception=False).post(
                "/boom/", {"username": "admin1", "password": "hunter2-post-secret"})
        print(response.status_code)
        print(response.content.decode())
    """)
    env = bare_env(
        tmp_path,
        DJANGO_SECRET_KEY="k" * 60,
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=database_url,
        YOUTHLINE_LOG_LEVEL="CRITICAL",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    status, _, body = done.stdout.partition("\n")
    assert status == "500"
    for secret in ("hunter2-post-secret", "db-password-7731", "k" * 60, "Traceback", "RuntimeError", "DATABASE"):
        assert secret not in body, f"the 500 page shows {secret!r}"


@pytest.mark.live
def test_the_404_page_lists_no_urls(live_stack):
    for url in live_stack.urls:
        try:
            urllib.request.urlopen(url + "/no-such-page-" + uuid.uuid4().hex, timeout=10)
            raise AssertionError("an unknown path was answered")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
            body = exc.read().decode(errors="replace")
        for leak in ("admin/", "api/v1/", "jsi18n", "URLconf", "urlpatterns", "DEBUG"):
            assert leak not in body, f"the 404 page shows {leak!r}"


@pytest.mark.live
def test_tokens_forged_with_the_published_key_are_refused(live_stack):
    """The stack has its own key: a supervisor or admin token signed with the published one opens nothing."""
    supervisor_id = live_stack.create_staff(username=f"forgesup{uuid.uuid4().hex[:6]}", role="supervisor")
    admin_id = live_stack.create_staff(username=f"forgeadm{uuid.uuid4().hex[:6]}", role="admin")
    for user_id, role in ((supervisor_id, "supervisor"), (admin_id, "admin")):
        now = int(time.time())
        forged = jwt.encode(
            {
                "iss": "youthline",
                "aud": "youthline",
                "sub": str(user_id),
                "role": role,
                "typ": "access",
                "jti": uuid.uuid4().hex,
                "iat": now,
                "exp": now + 600,
            },
            PUBLISHED_KEY,
            algorithm="HS256",
        )
        for url in live_stack.urls:
            status, body = http_json("GET", url + "/api/v1/crisis/lexicon", token=forged)
            assert (status, body["error"]) == (401, "unauthorized"), body
            client = WsClient(url)
            client.send({"type": "auth", "token": forged})
            code = client.wait_closed()
            assert code == 4401, code
