"""Where each app declares its WebSocket vocabulary, and where the gateway finds it.

An app lists, in its own modules, the client frames it accepts, the server frames it sends,
the routes from a client frame to one of its services (with the roles allowed to send it) and
the presenters that turn its domain events into server frames. It hands them over once, from
its `AppConfig.ready()`, as an `AppVocabulary`; the gateway, the frame decoder and the protocol
doc check read them from here. Adding an app touches no other app's files.

This module is the bottom layer (protocol): it knows frames and callables, nothing of users,
models or the channel layer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import msgspec

from protocol.frames import ClientFrame, ServerFrame

FrameT = TypeVar("FrameT", bound=ClientFrame)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent a frame, as the transport established it: what a route may pass to a service."""

    user_id: int
    role: str
    channel_name: str


@dataclass(frozen=True, slots=True)
class Route(Generic[FrameT]):
    """One client frame: who may send it, the one service call it maps to, and the reply.

    `call` gets the caller and the decoded frame and returns the service's domain result;
    `reply` turns that result into the server frame sent back (the gateway adds `ref`), or is
    None when the frame has no direct reply. `lane`, when set, names the key whose calls must
    run in order (message.send: the conversation), so the gateway may run other keys in parallel.
    """

    frame: type[FrameT]
    roles: frozenset[str]
    call: Callable[[Caller, FrameT], Any]
    reply: Callable[[Any], ServerFrame | None] | None = None
    lane: Callable[[FrameT], int] | None = None
    # Groups the sending socket joins at once, before its reply: the socket that asked hears
    # what follows without waiting for a relayed `join` that could arrive after its next frame.
    joins: Callable[[Any], list[str]] | None = None


@dataclass(frozen=True, slots=True)
class AppVocabulary:
    app: str
    client_frames: Sequence[type[ClientFrame]] = ()
    server_frames: Sequence[type[ServerFrame]] = ()
    routes: Sequence[Route[Any]] = ()
    # domain event type -> the server frame it is sent as
    presenters: Mapping[type, Callable[[Any], ServerFrame]] = field(default_factory=dict)


class VocabularyError(Exception):
    pass


def _tag(cls: type[msgspec.Struct]) -> str:
    tag = cls.__struct_config__.tag
    if not isinstance(tag, str):
        raise VocabularyError(f"{cls.__name__} has no string tag")
    return tag


class Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._apps: dict[str, AppVocabulary] = {}
        self._client_frames: dict[str, type[ClientFrame]] = {}
        self._server_frames: dict[type[ServerFrame], str] = {}
        self._routes: dict[type[ClientFrame], Route[Any]] = {}
        self._presenters: dict[type, Callable[[Any], ServerFrame]] = {}
        self._decoder: msgspec.json.Decoder[Any] | None = None

    def register(self, vocabulary: AppVocabulary) -> None:
        """Add an app's vocabulary; a second registration of the same app is ignored (ready() may
        run twice in tests). Clashing frame tags or routes are refused at start-up."""
        with self._lock:
            if vocabulary.app in self._apps:
                return
            for cls in vocabulary.client_frames:
                tag = _tag(cls)
                if tag in self._client_frames and self._client_frames[tag] is not cls:
                    raise VocabularyError(f"client frame {tag!r} is declared twice")
                self._client_frames[tag] = cls
            for server_cls in vocabulary.server_frames:
                self._server_frames[server_cls] = _tag(server_cls)
            for route in vocabulary.routes:
                if route.frame in self._routes:
                    raise VocabularyError(f"{_tag(route.frame)!r} is routed twice")
                if _tag(route.frame) not in self._client_frames:
                    raise VocabularyError(f"{_tag(route.frame)!r} is routed but not declared")
                self._routes[route.frame] = route
            for event_type, presenter in vocabulary.presenters.items():
                if event_type in self._presenters:
                    raise VocabularyError(f"{event_type.__name__} has two presenters")
                self._presenters[event_type] = presenter
            self._apps[vocabulary.app] = vocabulary
            self._decoder = None

    # ----- reads ------------------------------------------------------------------------------
    def route(self, frame_type: type[ClientFrame]) -> Route[Any] | None:
        return self._routes.get(frame_type)

    def present(self, event: object) -> ServerFrame:
        if isinstance(event, ServerFrame):
            return event
        presenter = self._presenters.get(type(event))
        if presenter is None:
            raise VocabularyError(f"no presenter for {type(event).__name__}")
        return presenter(event)

    def client_decoder(self) -> msgspec.json.Decoder[Any]:
        decoder = self._decoder
        if decoder is None:
            with self._lock:
                frames = tuple(self._client_frames.values())
                if not frames:
                    raise VocabularyError("no client frames registered (are the apps ready?)")
                union = frames[0] if len(frames) == 1 else _union(frames)
                decoder = self._decoder = msgspec.json.Decoder(union)
        return decoder

    def client_frame_types(self) -> list[str]:
        return sorted(self._client_frames)

    def server_frame_types(self) -> list[str]:
        return sorted(set(self._server_frames.values()))

    def apps(self) -> list[str]:
        return sorted(self._apps)


def _union(frames: tuple[type[ClientFrame], ...]) -> Any:
    from typing import Union

    return Union[frames]  # noqa: UP007 - a runtime union of registered classes


registry = Registry()


def _register_connection_frames() -> None:
    from protocol.frames import Auth, Error, Ping, Pong

    registry.register(AppVocabulary(app="protocol", client_frames=[Auth, Ping], server_frames=[Error, Pong]))


_register_connection_frames()
