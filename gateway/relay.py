"""The embedded default's bridge from job workers to sockets.

With Redis every process shares the channel layer, so what a job publishes (a requeued chat's
`queue.joined`, an overdue `crisis.alert`) reaches sockets on any Daphne process. The embedded
default has no Redis: its layer lives in the memory of the one web process, out of reach of the
`run_huey` worker. There, the worker's layer is swapped for an outbox in the job store's SQLite
file (`install_in_worker`, at worker start-up, gateway/tasks.py) and the web process sends what
it finds there through its own layer (`deliver_pending`, from gateway/heartbeat.py's loop).

Like the channel layer itself this is at most once: events older than EVENT_MAX_AGE_S (a web
process that was down) are dropped; clients recover through `history` and their session.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from functools import cache
from typing import Any, ClassVar

from channels.layers import (
    DEFAULT_CHANNEL_LAYER,
    BaseChannelLayer,
    InMemoryChannelLayer,
    channel_layers,
)
from django.conf import settings
from huey.storage import SqliteStorage

log = logging.getLogger(__name__)
EVENT_MAX_AGE_S = 30.0
BATCH = 200


def enabled() -> bool:
    """Only where the channel layer stays inside one process and the jobs' store is SQLite."""
    backend = str(settings.CHANNEL_LAYERS["default"]["BACKEND"])
    return bool(settings.HUEY_SQLITE_PATH) and backend.rsplit(".", 1)[-1] == InMemoryChannelLayer.__name__


@cache
def _outbox() -> SqliteStorage:
    return SqliteStorage(name=f"{settings.HUEY_NAME}.events", filename=settings.HUEY_SQLITE_PATH)


class OutboxChannelLayer(BaseChannelLayer):
    """What a worker publishes goes to the outbox; workers hold no sockets, so nothing is received."""

    extensions: ClassVar[list[str]] = ["groups"]

    def _put(self, method: str, target: str, message: dict[str, Any]) -> None:
        _outbox().enqueue(json.dumps([time.time(), method, target, message]).encode())

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        self._put("send", channel, message)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self._put("group_send", group, message)


def install_in_worker() -> None:
    channel_layers.set(DEFAULT_CHANNEL_LAYER, OutboxChannelLayer())


def _take() -> list[list[Any]]:
    items: list[list[Any]] = []
    storage = _outbox()
    while len(items) < BATCH and (data := storage.dequeue()) is not None:
        items.append(json.loads(data))
    return items


async def deliver_pending(layer: BaseChannelLayer) -> int:
    """Send what workers published since the last call through this process's layer."""
    items = await asyncio.to_thread(_take)
    sent = 0
    for at, method, target, message in items:
        if time.time() - at > EVENT_MAX_AGE_S:
            log.warning("dropped a job's %s to %s published %.0f s ago", method, target, time.time() - at)
            continue
        try:
            await getattr(layer, method)(target, message)
            sent += 1
        except Exception:  # at most once, as the layer; clients recover through history
            log.exception("relay of a job's %s to %s failed", method, target)
    return sent
