"""Fan-out of server frames to sockets, whichever process holds them.

The channel layer only notifies; the database is the record. Services call `publish` with a
frame after their transaction commits (`publish_on_commit`); every consumer in the group gets a
`relay` event carrying the encoded frame, optionally told to join or leave groups first (so a
socket starts receiving a conversation the moment it is assigned to it).

Groups:
  user.<id>            every socket of one user
  conv.<id>            everyone who sees a conversation's messages (youth, counselor, watchers)
  conv.<id>.staff      the staff side of a conversation (counselor, watching supervisors):
                       whispers and risk flags go here and never reach the youth
  supervisors          every supervisor socket (crisis alerts)
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from protocol.frames import ServerFrame, encode

log = logging.getLogger(__name__)
SUPERVISORS = "supervisors"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def conversation_group(conversation_id: int) -> str:
    return f"conv.{conversation_id}"


def staff_group(conversation_id: int) -> str:
    return f"conv.{conversation_id}.staff"


def relay_event(frame: ServerFrame | None, *, join: Iterable[str] = (), leave: Iterable[str] = (),
                exclude: str | None = None) -> dict:
    event: dict = {"type": "relay"}
    if frame is not None:
        event["text"] = encode(frame)
    if join:
        event["join"] = list(join)
    if leave:
        event["leave"] = list(leave)
    if exclude:
        event["exclude"] = exclude
    return event


def publish(group: str, frame: ServerFrame | None, *, join: Iterable[str] = (), leave: Iterable[str] = (),
            exclude: str | None = None) -> None:
    """Send now, from synchronous code (services run in Channels' database thread)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, relay_event(frame, join=join, leave=leave, exclude=exclude))
    except Exception:  # noqa: BLE001 - a notification failure must never undo a stored fact
        log.exception("publish to %s failed; clients recover through history", group)


def publish_on_commit(group: str, frame: ServerFrame | None, *, join: Iterable[str] = (),
                      leave: Iterable[str] = (), exclude: str | None = None) -> None:
    """Send once the surrounding transaction commits: nobody hears of what was not stored."""
    join, leave = list(join), list(leave)
    transaction.on_commit(lambda: publish(group, frame, join=join, leave=leave, exclude=exclude))


def send_to_channel(channel_name: str, event: dict) -> None:
    """A directive to one socket (e.g. start hearing a conversation a supervisor monitors)."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.send)(channel_name, event)
