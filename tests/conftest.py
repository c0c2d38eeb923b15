"""Shared fixtures: real servers (live_stack), a Playwright browser, tokens."""

from __future__ import annotations

import itertools
import os

import pytest

from tests.live import LiveStack, WebhookReceiver
from tests.wsclient import http_json

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_names = itertools.count(1)


def _require_services() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        pytest.fail("live tests need PostgreSQL and Redis: run them with `make test`")


@pytest.fixture(scope="session", autouse=True)
def _jobs_stay_in_process():
    """In-process tests never reach the job store: what services schedule stays in Huey's
    memory and never runs (live stacks run real workers, each under its own Huey name)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture(scope="session")
def oncall_webhook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


# Short timers so grace periods and overdue alerts happen within a test's patience.
LIVE_TIMERS = {
    "COUNSELOR_GRACE_S": "3",
    "CRISIS_ACK_TIMEOUT_S": "3",
    "SOCKET_STALE_AFTER_S": "90",
    "WS_AUTH_TIMEOUT_S": "2",
    "CRISIS_LEXICON_REFRESH_S": "0.5",
    "AUTH_RATE_PER_MIN": "100000",
    "SIGNUP_RATE_PER_MIN": "100000",
}


@pytest.fixture(scope="session")
def live_stack(oncall_webhook):
    """Two real server processes (runserver + daphne) on PostgreSQL and Redis, for the session."""
    _require_services()
    stack = LiveStack(processes=2, env={**LIVE_TIMERS, "CRISIS_ONCALL_WEBHOOK_URL": oncall_webhook.url}).start()
    yield stack
    stack.stop()


@pytest.fixture
def start_stack():
    """A dedicated stack with its own settings, for tests that need other timers or hours."""
    _require_services()
    started: list[LiveStack] = []

    def start(processes: int = 1, workers: int = 1, **env: str) -> LiveStack:
        stack = LiveStack(processes=processes, workers=workers, env={**LIVE_TIMERS, **env}).start()
        started.append(stack)
        return stack

    yield start
    for stack in started:
        stack.stop()


def unique(prefix: str) -> str:
    return f"{prefix}{next(_names)}_{os.getpid()}"


@pytest.fixture
def make_youth(live_stack):
    def make(url: str | None = None, nickname: str = "小林", **extra) -> dict:
        status, body = http_json(
            "POST",
            (url or live_stack.urls[0]) + "/api/v1/auth/youth",
            {"channel": "web", "nickname": nickname, **extra},
        )
        assert status == 201, body
        return body

    return make


@pytest.fixture
def make_staff(live_stack):
    """Create a staff account on the session stack and log it in; returns the login answer."""

    def make(
        role: str = "counselor",
        topics: list[str] | None = None,
        max_chats: int | None = None,
        stack: LiveStack | None = None,
    ) -> dict:
        target = stack or live_stack
        username = unique(role)
        user_id = target.create_staff(
            username=username, role=role, topics=topics, max_chats=max_chats, name=f"{role}-{username}"
        )
        status, body = http_json(
            "POST", target.urls[0] + "/api/v1/auth/login", {"username": username, "password": "test-pass-123"}
        )
        assert status == 200, body
        return {**body, "user_id": user_id, "username": username}

    return make


@pytest.fixture(autouse=True)
def _quiet_queue_after_live_test(request):
    """Live tests share one stack: close whatever a test left open so the next starts clean."""
    yield
    if "live_stack" in request.fixturenames:
        stack = request.getfixturevalue("live_stack")
        stack.sql("UPDATE chat_conversation SET status = 'cancelled' WHERE status = 'queued'")
        stack.sql("UPDATE chat_conversation SET status = 'ended' WHERE status = 'active'")
        stack.sql("UPDATE accounts_counselorprofile SET presence = 'away'")
