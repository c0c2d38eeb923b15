"""Periodic duties each server process runs while it holds sockets.

Every process runs them; each duty is safe to run concurrently (row locks, conditional
updates), so no process is special and any one of them dying changes nothing.
"""
from __future__ import annotations

import asyncio
import logging
import time

from channels.db import database_sync_to_async

from accounts.services import do_expire_stale_sockets, do_heartbeat_sockets
from chat.services.queue import (
    do_cancel_abandoned_requests,
    do_offer_leave_message_to_long_waiters,
    do_requeue_abandoned_conversations,
)
from crisis.services.alerts import do_raise_overdue_alerts

log = logging.getLogger(__name__)
TICK_S = 1.0
HEARTBEAT_EVERY_S = 20.0

local_channel_names: set[str] = set()
_task: asyncio.Task | None = None


def run_duties_once() -> None:
    do_requeue_abandoned_conversations()
    do_offer_leave_message_to_long_waiters()
    do_cancel_abandoned_requests()
    do_raise_overdue_alerts()


def _heartbeat_and_expire() -> None:
    do_heartbeat_sockets(channel_names=list(local_channel_names))
    do_expire_stale_sockets()


async def _loop() -> None:
    last_heartbeat = 0.0
    while True:
        await asyncio.sleep(TICK_S)
        try:
            await database_sync_to_async(run_duties_once)()
            if time.monotonic() - last_heartbeat >= HEARTBEAT_EVERY_S:
                await database_sync_to_async(_heartbeat_and_expire)()
                last_heartbeat = time.monotonic()
        except Exception:  # noqa: BLE001 - a failed tick is retried on the next one
            log.exception("periodic duties failed")


def ensure_started() -> None:
    global _task
    if _task is None or _task.done():
        _task = asyncio.get_running_loop().create_task(_loop())
