"""Capture what a service call publishes, as domain events, without a channel layer.

`captured_events()` wraps one or more service calls:

    with captured_events() as published:
        do_transfer(counselor_id=..., conversation_id=..., topic="legal")
    (transferred,) = published.events(ConversationTransferred)

On leaving the block it runs the on_commit callbacks registered inside it (the test's
transaction never commits: this is Django's `captureOnCommitCallbacks(execute=True)`, which
pytest-django's `django_capture_on_commit_callbacks` wraps), so `publish_on_commit` events and
the `do_dispatch` a priority rise defers are captured too, in the order they would be sent.

What is captured is each call of `realtime._deliver` (the one point every publish passes
through), paired with the domain event `realtime.relay_event` was given for it. The frame is
still encoded by the app's presenter, so an event without a presenter fails the test as it
would fail in production. A callback registered in a savepoint that rolled back never runs:
what was not stored is not heard of, as after a real commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from unittest import mock

from django.test import TestCase

import realtime

T = TypeVar("T")


@dataclass(frozen=True)
class Delivery:
    """One thing sent to a group (or, for `send`, to one socket's channel)."""

    method: str  # "group_send" | "send"
    target: str  # the group, or the channel name
    event: object | None  # the domain event, None for a bare join/leave or a socket directive
    relay: dict[str, Any]  # what the consumers receive (type, text, join, leave, exclude)

    @property
    def join(self) -> list[str]:
        return list(self.relay.get("join", []))

    @property
    def leave(self) -> list[str]:
        return list(self.relay.get("leave", []))


@dataclass
class Published:
    deliveries: list[Delivery] = field(default_factory=list)

    def events(self, kind: type[T], *, to: str | None = None) -> list[T]:
        """The domain events of one type, optionally only those sent to one target."""
        return [d.event for d in self.deliveries if isinstance(d.event, kind) and (to is None or d.target == to)]

    def to(self, target: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.target == target]

    def targets_of(self, kind: type) -> list[str]:
        return [d.target for d in self.deliveries if isinstance(d.event, kind)]

    def index(self, predicate: Callable[[Delivery], bool]) -> int:
        """Position of the first delivery matching `predicate` (ValueError if none): for order."""
        for position, delivery in enumerate(self.deliveries):
            if predicate(delivery):
                return position
        raise ValueError("no such delivery")

    def __len__(self) -> int:
        return len(self.deliveries)


@contextmanager
def captured_events() -> Iterator[Published]:
    published = Published()
    # relay_event builds a fresh dict per publish; remember which domain event each came from.
    origins: list[tuple[dict, object | None]] = []
    original_relay_event = realtime.relay_event

    def relay_event(domain_event: object | None, **options: Any) -> dict:
        relay = original_relay_event(domain_event, **options)
        origins.append((relay, domain_event))
        return relay

    def deliver(target: str, event: dict, method: str = "group_send") -> None:
        domain_event = next((origin for relay, origin in origins if relay is event), None)
        published.deliveries.append(Delivery(method=method, target=target, event=domain_event, relay=event))

    with (
        mock.patch.object(realtime, "relay_event", relay_event),
        mock.patch.object(realtime, "_deliver", deliver),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        yield published
