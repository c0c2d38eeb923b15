"""Live views: what open consoles show is pushed when it changes, never polled.

A live view (the supervisors' dashboard, the counselors' queue counter) is registered by the
app that owns it, with the change topics it depends on and a `compute` function that reads the
database once and returns what to publish: (group, domain event) pairs. A service whose write
changes a topic calls `changed("queue", ...)` inside its transaction; after the commit, within
`LIVE_VIEW_DELAY_S`, the process computes each affected view once and publishes it. Changes in
a burst share one computation, so the database work follows the rate of changes, not the
number of open consoles.

In a server process the computation is scheduled on its event loop (`bind_event_loop`) and
runs on a thread of its own; elsewhere (a job worker, a command) on a timer thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction

log = logging.getLogger(__name__)

TOPICS = frozenset({"queue", "team", "alerts", "conversations", "detector"})
Publication = tuple[str, object]  # (group, domain event)


@dataclass(frozen=True, slots=True)
class LiveView:
    name: str
    topics: frozenset[str]
    compute: Callable[[], list[Publication]]


_views: dict[str, LiveView] = {}
_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()
_pending: set[str] = set()
_scheduled = False


def register_live_view(*, name: str, topics: Iterable[str], compute: Callable[[], list[Publication]]) -> None:
    unknown = set(topics) - TOPICS
    if unknown:
        raise ValueError(f"unknown change topics {sorted(unknown)}")
    _views[name] = LiveView(name=name, topics=frozenset(topics), compute=compute)


def bind_event_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The server process's loop (set by the gateway when it starts serving sockets)."""
    global _loop
    _loop = loop


def changed(*topics: str) -> None:
    """These topics changed in the current transaction: refresh their views after it commits."""
    names = {view.name for view in _views.values() if view.topics.intersection(topics)}
    if names:
        transaction.on_commit(lambda: _mark(names))


def _mark(names: set[str]) -> None:
    global _scheduled
    with _lock:
        _pending.update(names)
        if _scheduled:
            return
        _scheduled = True
    delay = settings.LIVE_VIEW_DELAY_S
    loop = _loop
    if loop is not None and not loop.is_closed():
        loop.call_soon_threadsafe(lambda: loop.call_later(delay, lambda: loop.create_task(_push_from_loop())))
    else:
        timer = threading.Timer(delay, _push_from_thread)
        timer.daemon = True
        timer.start()


def _take_pending() -> list[LiveView]:
    global _scheduled
    with _lock:
        names, _scheduled = set(_pending), False
        _pending.clear()
    return [_views[name] for name in sorted(names)]


def compute_views(views: list[LiveView]) -> list[Publication]:
    publications: list[Publication] = []
    for view in views:
        try:
            publications.extend(view.compute())
        except Exception:  # the next change pushes again; consoles also ask on connect
            log.exception("live view %s failed", view.name)
    return publications


_compute_in_own_thread: Callable[..., Any] | None = None


async def _push_from_loop() -> None:
    global _compute_in_own_thread
    from concurrent.futures import ThreadPoolExecutor

    from channels.db import DatabaseSyncToAsync

    from realtime import relay_event, send_collected

    if _compute_in_own_thread is None:
        # A thread (and database connection) of its own: the computation neither waits behind
        # nor holds up the frames in the process's database thread.
        _compute_in_own_thread = DatabaseSyncToAsync(
            compute_views, thread_sensitive=False, executor=ThreadPoolExecutor(1, thread_name_prefix="live-views")
        )
    views = _take_pending()
    publications = await _compute_in_own_thread(views)
    await send_collected([("group_send", group, relay_event(event)) for group, event in publications])


def _push_from_thread() -> None:
    from realtime import publish

    try:
        for group, event in compute_views(_take_pending()):
            publish(group, event)
    finally:
        close_old_connections()
