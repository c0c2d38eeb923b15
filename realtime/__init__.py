"""Fan-out of server frames to sockets, whichever process holds them.

The channel layer only notifies; the database is the record. Services call `publish` with a
domain event after their transaction commits (`publish_on_commit`); the app that owns the event
registered a presenter for it (`protocol.registry`), which turns it into a server frame, encoded
once here; every consumer in the group gets a `relay` event carrying the encoded frame,
optionally told to join or leave groups first (so a socket starts receiving a conversation the
moment it is assigned to it).

Groups:
  user.<id>            every socket of one user
  conv.<id>            everyone who sees a conversation's messages (youth, counselor, watchers)
  conv.<id>.staff      the staff side of a conversation (counselor, watching supervisors):
                       whispers and risk flags go here and never reach the youth
  supervisors          every supervisor socket (crisis alerts, the dashboard)
  staff                every counselor and supervisor socket (the queue counter)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from protocol.frames import encode
from protocol.registry import registry

log = logging.getLogger(__name__)
SUPERVISORS = "supervisors"
STAFF = "staff"  # every counselor and supervisor socket (the queue counter)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def conversation_group(conversation_id: int) -> str:
    return f"conv.{conversation_id}"


def staff_group(conversation_id: int) -> str:
    return f"conv.{conversation_id}.staff"


def relay_event(
    domain_event: object | None, *, join: Iterable[str] = (), leave: Iterable[str] = (), exclude: str | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "relay"}
    if domain_event is not None:
        event["text"] = encode(registry.present(domain_event))
    if join:
        event["join"] = list(join)
    if leave:
        event["leave"] = list(leave)
    if exclude:
        event["exclude"] = exclude
    return event


_collector = threading.local()


@contextmanager
def collecting() -> Iterator[list[tuple[str, str, dict[str, Any]]]]:
    """Collect what services publish in this thread instead of sending it from here.

    The gateway runs each service call in Channels' database thread inside this block and
    sends the collected events from the event loop afterwards: one thread hop fewer per
    event on the per-message path. Outside such a block (periodic duties, HTTP views,
    commands) events are sent at once.
    """
    box: list[tuple[str, str, dict[str, Any]]] = []  # (layer method, group or channel, event)
    _collector.box = box
    try:
        yield box
    finally:
        _collector.box = None


def _deliver(target: str, event: dict[str, Any], method: str = "group_send") -> None:
    box = getattr(_collector, "box", None)
    if box is not None:
        box.append((method, target, event))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(getattr(layer, method))(target, _stamp(event))
    except Exception:  # a notification failure must never undo a stored fact
        log.exception("publish to %s failed; clients recover through history", target)


def _stamp(event: dict[str, Any]) -> dict[str, Any]:
    """The wall clock at which the event is handed to the layer: a receiving consumer times the
    way from store to socket in stages with it (metrics.sent; `make loadtest` prints them)."""
    if "text" in event:
        event["published"] = time.time()
    return event


async def send_collected(events: list[tuple[str, str, dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    for method, target, event in events:
        try:
            await getattr(layer, method)(target, _stamp(event))
        except Exception:  # see _deliver
            log.exception("publish to %s failed; clients recover through history", target)


def publish(
    group: str,
    domain_event: object | None,
    *,
    join: Iterable[str] = (),
    leave: Iterable[str] = (),
    exclude: str | None = None,
) -> None:
    """Send now (or, inside `collecting`, as soon as the service call returns)."""
    _deliver(group, relay_event(domain_event, join=join, leave=leave, exclude=exclude))


def publish_on_commit(
    group: str,
    domain_event: object | None,
    *,
    join: Iterable[str] = (),
    leave: Iterable[str] = (),
    exclude: str | None = None,
) -> None:
    """Send once the surrounding transaction commits: nobody hears of what was not stored."""
    event = relay_event(domain_event, join=join, leave=leave, exclude=exclude)
    transaction.on_commit(lambda: _deliver(group, event))


def send_to_channel(channel_name: str, event: dict[str, Any]) -> None:
    """A directive to one socket (e.g. start hearing a conversation a supervisor monitors)."""
    _deliver(channel_name, event, method="send")
