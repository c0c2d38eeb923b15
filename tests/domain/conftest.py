"""Fixtures for the domain tests: people, conversations placed in time, and live views held
back until a test runs them.

Every test runs in one database transaction that is rolled back (pytest-django's plain
`django_db`); `tests/domain/events.py` runs the on_commit callbacks and captures what would be
published.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

import realtime.live
from accounts.models import CounselorProfile, LiveSocket, Role, User, YouthProfile
from chat.models import Conversation

_numbers = itertools.count(1)


@pytest.fixture
def make_youth():
    def make(nickname: str = "小林", *, online: bool = True) -> User:
        user = User.objects.create(username=f"youth-{next(_numbers)}", role=Role.YOUTH)
        YouthProfile.objects.create(user=user, channel="web", nickname=nickname, region="杭州")
        if online:
            LiveSocket.objects.create(channel_name=f"sock-{user.pk}", user=user, heartbeat_at=timezone.now())
        return user

    return make


@pytest.fixture
def make_counselor():
    """A counselor; by default online (a live socket) and available, serving every topic."""

    def make(
        *,
        topics: list[str] | None = None,
        max_chats: int = 3,
        online: bool = True,
        presence: str = CounselorProfile.Presence.AVAILABLE,
        last_assigned_ago_s: float | None = None,
    ) -> User:
        number = next(_numbers)
        user = User.objects.create(username=f"counselor-{number}", role=Role.COUNSELOR, display_name=f"咨询师{number}")
        CounselorProfile.objects.create(
            user=user,
            topics=topics or ["psych", "legal", "aid"],
            max_concurrent=max_chats,
            presence=presence,
            last_assigned_at=None
            if last_assigned_ago_s is None
            else timezone.now() - timedelta(seconds=last_assigned_ago_s),
        )
        if online:
            LiveSocket.objects.create(channel_name=f"sock-{user.pk}", user=user, heartbeat_at=timezone.now())
        return user

    return make


@pytest.fixture
def make_supervisor():
    def make(*, online: bool = True) -> User:
        number = next(_numbers)
        user = User.objects.create(username=f"supervisor-{number}", role=Role.SUPERVISOR, display_name=f"督导{number}")
        if online:
            LiveSocket.objects.create(channel_name=f"sock-{user.pk}", user=user, heartbeat_at=timezone.now())
        return user

    return make


@pytest.fixture
def make_conversation(make_youth):
    """A conversation written straight to the database, its request `ago_s` seconds back:
    for states and orders a test needs without going through the queue."""

    def make(
        *,
        status: str = Conversation.Status.QUEUED,
        topic: str = "psych",
        ago_s: float = 0,
        priority: int = 0,
        counselor: User | None = None,
        youth: User | None = None,
    ) -> Conversation:
        at = timezone.now() - timedelta(seconds=ago_s)
        return Conversation.objects.create(
            youth=youth or make_youth(),
            counselor=counselor,
            topic=topic,
            status=status,
            priority=priority,
            requested_at=at,
            queued_at=at,
            assigned_at=at if counselor is not None else None,
            first_assigned_at=at if counselor is not None else None,
        )

    return make


class HeldLiveViews:
    """Stands in for the timer `realtime.live` starts after a commit: records that a push was
    scheduled, and runs it when the test says so, in the test's thread and transaction."""

    def __init__(self) -> None:
        self.scheduled: list[float] = []  # the delay of each push scheduled
        self._due: list[Callable[[], None]] = []

    def timer(self, delay: float, function: Callable[[], None]) -> object:
        """threading.Timer(delay, function), started later by the caller."""
        held = self

        class _Timer:
            daemon = True

            def start(self) -> None:
                held.scheduled.append(delay)
                held._due.append(function)

        return _Timer()

    def run(self) -> int:
        """Run the pushes due now; return how many ran."""
        due, self._due = self._due, []
        for function in due:
            function()
        return len(due)


@pytest.fixture(autouse=True)
def live_views(monkeypatch):
    """No live-view timer thread ever starts in these tests (it would read the database from
    another connection, outside the test's transaction)."""
    held = HeldLiveViews()
    monkeypatch.setattr(realtime.live, "_loop", None)
    # Only this module's name `threading` is replaced (it uses nothing else from it after import).
    monkeypatch.setattr(realtime.live, "threading", SimpleNamespace(Timer=held.timer))
    # The push ends by closing the thread's connections; here it runs in the test's thread.
    monkeypatch.setattr(realtime.live, "close_old_connections", lambda: None)
    realtime.live._take_pending()  # nothing pending from before this test
    yield held
    realtime.live._take_pending()
