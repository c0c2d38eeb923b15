"""What only a Daphne process can do: say which sockets it still holds.

Every HEARTBEAT_EVERY_S the process refreshes the heartbeat of its sockets; the accounts app's
job ages out sockets whose process stopped doing so (accounts/tasks.py). Everything else that
happens on a timer runs in the job workers (docs/architecture.md, "Jobs"). In the embedded
default the same loop also hands on what jobs published (gateway/relay.py).
"""

from __future__ import annotations

import asyncio
import logging
import time

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from accounts.services import do_heartbeat_sockets
from gateway import relay

log = logging.getLogger(__name__)
HEARTBEAT_EVERY_S = settings.SOCKET_HEARTBEAT_S
RELAY_EVERY_S = 0.2

# The sockets this process holds now: added when a socket authenticates, removed when its
# consumer ends, however it ends (GatewayConsumer.__call__'s finally).
local_channel_names: set[str] = set()
_task: asyncio.Task[None] | None = None


async def _loop() -> None:
    relaying = relay.enabled()
    tick = RELAY_EVERY_S if relaying else HEARTBEAT_EVERY_S
    last_heartbeat = time.monotonic()
    while True:
        await asyncio.sleep(tick)
        # Two failures apart: a relay that keeps failing (a locked job file) must not stop the
        # heartbeat, or every socket of the process would expire.
        if relaying:
            try:
                await relay.deliver_pending(get_channel_layer())
            except Exception:  # retried on the next tick
                log.exception("relaying the job workers' events failed")
        if time.monotonic() - last_heartbeat >= HEARTBEAT_EVERY_S:
            try:
                await database_sync_to_async(do_heartbeat_sockets)(channel_names=list(local_channel_names))
                last_heartbeat = time.monotonic()
            except Exception:  # a failed beat is retried on the next tick
                log.exception("socket heartbeat failed")


def ensure_started() -> None:
    global _task
    if _task is None or _task.done():
        _task = asyncio.get_running_loop().create_task(_loop())
