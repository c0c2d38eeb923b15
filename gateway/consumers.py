"""The WebSocket gateway: transport only.

Each client frame is size-checked, rate-limited, decoded into the typed struct some app
registered (protocol.registry), checked against the roles its route allows, and handed to the
route's one service call; the route turns the result into the reply frame, sent back with the
frame's `ref`. Everything that other sockets should hear is published by the
domain functions themselves (realtime) and arrives here as a `relay` event.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.consumer import get_handler_name
from channels.db import DatabaseSyncToAsync, database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import connection

from accounts.services import AuthFailed, Principal, authenticate_access_token
from chat.routes import auth_ok_frame
from chat.services import sessions
from gateway import heartbeat
from moderation.ratelimit import TokenBucket
from protocol import frames as f
from protocol.errors import Refused
from protocol.registry import Caller, Route, registry
from realtime import collecting, send_collected
from realtime.live import bind_event_loop

log = logging.getLogger(__name__)
CLOSE_AUTH_FAILED = 4401
CLOSE_FLOODING = 4429


def _call_collecting(route: Route, caller: Caller, frame: f.ClientFrame) -> tuple[Any, list[tuple[str, str, dict]]]:
    with collecting() as events:
        result = route.call(caller, frame)
    return result, events


# Every frame without a lane runs here: Channels' one database thread of the process.
_in_database_thread = database_sync_to_async(_call_collecting)


class _Lanes:
    """Where frames of a route with a `lane` run (message.send): on PostgreSQL, one of N
    single-thread lanes chosen by the lane key (the conversation), instead of Channels' one
    database thread per process.

    Storing messages is most of the database work; in one thread it queues behind itself and
    everything else. A lane per conversation keeps a conversation's messages in order (the
    seq is gapless either way: the row lock assigns it); different conversations proceed in
    parallel, each lane with its own connection. SQLite keeps the single thread: it has one
    writer anyway.
    """

    def __init__(self, lanes: int) -> None:
        self.lanes = lanes
        self._callers: list[DatabaseSyncToAsync] | None = None

    def caller(self, key: int) -> Callable:
        if connection.vendor != "postgresql" or self.lanes < 2:
            return _in_database_thread
        if self._callers is None:
            self._callers = [
                DatabaseSyncToAsync(_call_collecting, thread_sensitive=False,
                                    executor=ThreadPoolExecutor(1, thread_name_prefix=f"messages-{n}"))
                for n in range(self.lanes)
            ]
        return self._callers[key % self.lanes]


message_lanes = _Lanes(settings.MESSAGE_STORE_THREADS)


class GatewayConsumer(AsyncWebsocketConsumer):
    principal: Principal | None = None

    async def dispatch(self, message: dict) -> None:
        # Channels' own dispatch first hops into the database thread to close stale
        # connections, for every event, relays included: deliveries then queue behind message
        # stores. Every database call here goes through DatabaseSyncToAsync, which closes
        # stale connections itself, so that hop is skipped.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.principal = None
        self.joined: set[str] = set()
        self.bucket = TokenBucket(rate=settings.WS_RATE_PER_S, burst=settings.WS_RATE_BURST)
        self.refused_in_a_row = 0
        self.auth_deadline: asyncio.TimerHandle | None = None
        await self.accept()
        bind_event_loop(asyncio.get_running_loop())
        heartbeat.ensure_started()
        header_token = self._bearer_token()
        if header_token is not None:
            await self._authenticate(header_token, ref=None)
        else:
            loop = asyncio.get_running_loop()
            self.auth_deadline = loop.call_later(
                settings.WS_AUTH_TIMEOUT_S, lambda: loop.create_task(self._auth_timed_out())
            )

    def _bearer_token(self) -> str | None:
        for name, value in self.scope.get("headers", []):
            if name == b"authorization":
                scheme, _, token = value.decode("latin1").partition(" ")
                if scheme.lower() == "bearer" and token:
                    return token.strip()
        return None

    async def _auth_timed_out(self) -> None:
        if self.principal is None:
            await self.close(code=CLOSE_AUTH_FAILED)

    async def _authenticate(self, token: str, ref: f.Ref) -> None:
        try:
            principal = await database_sync_to_async(authenticate_access_token)(token=token)
            session = await database_sync_to_async(sessions.do_open_session)(
                principal=principal, channel_name=self.channel_name
            )
        except AuthFailed:
            await self.close(code=CLOSE_AUTH_FAILED)
            return
        if self.auth_deadline is not None:
            self.auth_deadline.cancel()
        self.principal = principal
        heartbeat.local_channel_names.add(self.channel_name)
        for group in session.groups:
            await self._join(group)
        await self.send(text_data=f.encode(auth_ok_frame(session)))

    async def disconnect(self, code: int) -> None:
        if self.auth_deadline is not None:
            self.auth_deadline.cancel()
        for group in list(self.joined):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined.clear()
        if self.principal is not None:
            heartbeat.local_channel_names.discard(self.channel_name)
            await database_sync_to_async(sessions.do_close_session)(
                principal=self.principal, channel_name=self.channel_name
            )

    # ----- client frames ------------------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self._refuse(Refused("bad_frame", "frames are JSON text"), None)
            return
        if len(text_data) > settings.WS_MAX_FRAME_BYTES // 4 and len(text_data.encode()) > settings.WS_MAX_FRAME_BYTES:
            await self._refuse(Refused("too_large", "a frame may hold at most 16 KiB"), f.salvage_ref(text_data))
            return
        if not self.bucket.take():
            await self._refuse(Refused("rate_limited", "too many frames; slow down"), f.salvage_ref(text_data))
            return
        try:
            frame = f.decode_client_frame(text_data)
        except f.BadFrame as exc:
            if self.principal is None:
                await self.close(code=CLOSE_AUTH_FAILED)
            else:
                await self._refuse(Refused("bad_frame", exc.detail), exc.ref)
            return
        if self.principal is None:
            if isinstance(frame, f.Auth):
                await self._authenticate(frame.token, frame.ref)
            else:
                await self.close(code=CLOSE_AUTH_FAILED)
            return
        await self._dispatch(self.principal, frame)

    async def _dispatch(self, principal: Principal, frame: f.ClientFrame) -> None:
        if isinstance(frame, f.Ping):
            self.refused_in_a_row = 0
            await self.send(text_data=f.encode(f.Pong(ref=frame.ref)))
            return
        if isinstance(frame, f.Auth):
            await self._refuse(Refused("invalid", "already authenticated"), frame.ref)
            return
        route = registry.route(type(frame))
        if route is None:  # a frame some app declared but nobody routes: not a frame clients send
            await self._refuse(Refused("bad_frame", "unknown frame type"), frame.ref)
            return
        if principal.role not in route.roles:
            await self._refuse(Refused("forbidden", f"{frame.__struct_config__.tag} is not for a {principal.role}"), frame.ref)
            return
        call = message_lanes.caller(route.lane(frame)) if route.lane is not None else _in_database_thread
        caller = Caller(user_id=principal.user_id, role=principal.role, channel_name=self.channel_name)
        try:
            result, events = await call(route, caller, frame)
        except Refused as refusal:
            await self._refuse(refusal, frame.ref)
            return
        self.refused_in_a_row = 0
        if route.reply is not None:
            reply = route.reply(result)
            if reply is not None:
                await self.send(text_data=f.encode(f.with_ref(reply, frame.ref)))
        if events:
            await send_collected(events)

    async def _refuse(self, refusal: Refused, ref: f.Ref) -> None:
        self.refused_in_a_row += 1
        if self.refused_in_a_row > settings.WS_FLOOD_CLOSE_AFTER:
            await self.close(code=CLOSE_FLOODING)
            return
        await self.send(text_data=f.encode(f.Error(code=refusal.code, detail=refusal.detail, ref=ref)))

    # ----- events from the channel layer --------------------------------------------------------
    async def _join(self, group: str) -> None:
        if group not in self.joined:
            self.joined.add(group)
            await self.channel_layer.group_add(group, self.channel_name)

    async def _leave(self, group: str) -> None:
        if group in self.joined:
            self.joined.discard(group)
            await self.channel_layer.group_discard(group, self.channel_name)

    async def relay(self, event: dict) -> None:
        for group in event.get("join", ()):
            await self._join(group)
        text = event.get("text")
        if text is not None and event.get("exclude") != self.channel_name:
            await self.send(text_data=text)
        for group in event.get("leave", ()):
            await self._leave(group)

    async def join_groups(self, event: dict) -> None:
        """Sent to this one channel by a domain function (monitor, join)."""
        for group in event.get("groups", ()):
            await self._join(group)

    async def leave_groups(self, event: dict) -> None:
        for group in event.get("groups", ()):
            await self._leave(group)
