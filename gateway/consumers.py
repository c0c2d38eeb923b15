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
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from channels.consumer import get_handler_name
from channels.db import DatabaseSyncToAsync, database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

import metrics
from accounts.services import AuthFailed, Principal, authenticate_access_token
from chat.routes import auth_ok_frame
from chat.services import sessions
from gateway import heartbeat
from gateway.inbox import Inbox
from moderation.ratelimit import TokenBucket
from protocol import frames as f
from protocol.errors import Refused
from protocol.registry import Caller, Route, registry
from realtime import collecting, send_collected
from realtime.live import bind_event_loop

log = logging.getLogger(__name__)
T = TypeVar("T")
CLOSE_AUTH_FAILED = 4401
CLOSE_FLOODING = 4429
CLOSE_TOO_MANY_SOCKETS = 4409
# RFC 6455 "try again later": the database could not be reached while the socket opened.
CLOSE_TRY_AGAIN_LATER = 1013
# A server fault ended the socket; the client reconnects and resumes as after any drop. Daphne
# sends 1011 when an application dies; a consumer that caught the failure closes itself with
# this instead, and lives on to run its disconnect step (autobahn lets an application send only
# 1000 or 3000-4999).
CLOSE_SERVER_ERROR = 4500
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)


class _StatementsThatReachedTheDatabase:
    """Counts the statements of one call that the database answered (an execute wrapper: a
    function call per statement, far cheaper than Django's "SELECT 1" health check per call)."""

    def __init__(self) -> None:
        self.answered = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        result = execute(sql, params, many, context)
        self.answered += 1
        return result


def with_a_live_connection(call: Callable[[], T]) -> T:
    """Run `call` in this thread; if its very first statement finds the thread's connection
    broken (a database restart left it stale), drop the connection and run it once more.

    Only a failure before any statement was answered is retried: then nothing reached the
    database, so running again cannot apply anything twice. A failure later (a lost COMMIT)
    goes to the client as `unavailable`, and the client's resend is idempotent (client_id).
    Django's per-call health check (CONN_HEALTH_CHECKS) would cost a round trip on every frame;
    this costs nothing until a connection fails (docs/performance.md)."""
    statements = _StatementsThatReachedTheDatabase()
    try:
        with connection.execute_wrapper(statements):
            return call()
    except DATABASE_UNREACHABLE:
        connection.close()  # this thread's connection: the next use opens a fresh one
        if statements.answered:
            raise
    log.info("a stale database connection was replaced")
    return call()


def _call_collecting(
    route: Route[Any], caller: Caller, frame: f.ClientFrame
) -> tuple[Any, list[tuple[str, str, dict[str, Any]]]]:
    def call() -> tuple[Any, list[tuple[str, str, dict[str, Any]]]]:
        with collecting() as events:
            result = route.call(caller, frame)
        return result, events

    return with_a_live_connection(call)


def _open_session(token: str, channel_name: str) -> tuple[Principal, Any]:
    """Check the token and open the socket's session: one hop."""

    def call() -> tuple[Principal, Any]:
        principal = authenticate_access_token(token=token)
        return principal, sessions.do_open_session(principal=principal, channel_name=channel_name)

    return with_a_live_connection(call)


def _close_session(principal: Principal, channel_name: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Unregister the socket; what the close publishes (the youth away) is sent from the loop after.

    Sent from this thread, a publish waits on the event loop: a socket closed as the process
    stops (SIGTERM) would wait for a loop that no longer runs, and the process never exits."""

    def call() -> list[tuple[str, str, dict[str, Any]]]:
        with collecting() as events:
            sessions.do_close_session(principal=principal, channel_name=channel_name)
        return events

    return with_a_live_connection(call)


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

    def caller(self, key: int) -> DatabaseSyncToAsync:
        if connection.vendor != "postgresql" or self.lanes < 2:
            return _in_database_thread
        if self._callers is None:
            self._callers = [
                DatabaseSyncToAsync(
                    _call_collecting,
                    thread_sensitive=False,
                    executor=ThreadPoolExecutor(1, thread_name_prefix=f"messages-{n}"),
                )
                for n in range(self.lanes)
            ]
        return self._callers[key % self.lanes]


message_lanes = _Lanes(settings.MESSAGE_STORE_THREADS)


class _Admission:
    """Admission of laned frames (message.send), the one place that decides `busy` for them:
    refused on arrival while the event loop is behind (`shedding`), and when their turn comes
    if they waited longer than WS_MAX_QUEUE_WAIT_S or WS_MAX_STORES_IN_FLIGHT are being stored
    (`admit`).

    Offered more than the process can store and relay, the lanes' queues grew without bound and
    every message waited longer (16 s at 1.6x saturation), while the process spent more CPU per
    message. Refusing the excess at once with `busy` keeps what is admitted fast; the refused
    frame stored nothing, and the client sends it again from its outbox after a backoff."""

    LAG_PROBE_S = 0.05

    def __init__(self) -> None:
        self.in_flight = 0
        self.loop_lag = 0.0  # how late the event loop ran the last probe, in seconds
        self._probe: asyncio.Task[None] | None = None

    def admit(self, *, waited_s: float) -> bool:
        """A laned frame's turn has come after `waited_s` in its socket's inbox: may it run?"""
        if waited_s > settings.WS_MAX_QUEUE_WAIT_S or self.in_flight >= settings.WS_MAX_STORES_IN_FLIGHT:
            return False
        self.in_flight += 1
        return True

    def shedding(self) -> bool:
        """The event loop is behind (its work waits longer than WS_SHED_LOOP_LAG_S to run):
        new message stores are refused at once, before they cost anything more, so that what
        is already admitted (and the deliveries to every socket) catch up. Measured without
        it at 1.5x saturation: deliveries waited 0.5 s for the loop and the relayed rate fell."""
        return self.loop_lag > settings.WS_SHED_LOOP_LAG_S

    def ensure_probing(self) -> None:
        if self._probe is None or self._probe.done():
            self._probe = asyncio.get_running_loop().create_task(self._measure_lag())

    async def _measure_lag(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            asked = loop.time()
            await asyncio.sleep(self.LAG_PROBE_S)
            self.loop_lag = max(0.0, loop.time() - asked - self.LAG_PROBE_S)

    def release(self) -> None:
        self.in_flight -= 1


admission = _Admission()  # the event loop's: admit and release run on it only, no lock needed


# Clean-ups of sockets whose consumer ended without its disconnect step, kept referenced until done.
_orphan_cleanups: set[asyncio.Task[None]] = set()


class GatewayConsumer(AsyncWebsocketConsumer):
    principal: Principal | None = None
    released = False

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        # The outermost depth of a socket's life: whatever ends it (a failure that escaped
        # dispatch, Daphne cancelling an application slow to close), the process stops
        # listing the socket as its own at once, so the heartbeat no longer refreshes its row
        # and the expiry job removes it even if the clean-up below cannot run.
        try:
            await super().__call__(scope, receive, send)
        finally:
            heartbeat.local_channel_names.discard(getattr(self, "channel_name", None))
            if not self.released and self.principal is not None:
                # A detached task: this one may be being cancelled, and its awaits with it.
                task = asyncio.get_running_loop().create_task(self._release())
                _orphan_cleanups.add(task)
                task.add_done_callback(_orphan_cleanups.discard)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first hops into the database thread to close stale
        # connections, for every event, relays included: deliveries then queue behind message
        # stores. Every database call here goes through DatabaseSyncToAsync, which closes
        # stale connections itself, so that hop is skipped.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        try:
            await handler(message)
        except StopConsumer:
            raise
        except Exception:
            # An exception escaping here would end the application: Daphne then sends 1011
            # and never delivers `websocket.disconnect`, so the socket's row and groups stayed
            # (a crashed counselor kept being assigned youths). Close it ourselves instead:
            # the consumer lives on to receive the disconnect and run its clean-up.
            log.exception("socket event %s failed; closing the socket", message.get("type"))
            if message.get("type") == "websocket.disconnect":
                raise StopConsumer from None  # the clean-up itself failed: __call__'s finally retries it
            await self.close(code=CLOSE_SERVER_ERROR)

    async def connect(self) -> None:
        self.principal = None
        self.joined: set[str] = set()
        self.bucket = TokenBucket(rate=settings.WS_RATE_PER_S, burst=settings.WS_RATE_BURST)
        self.refused_in_a_row = 0
        self.auth_deadline: asyncio.TimerHandle | None = None
        # Routed frames run from here, off the dispatch, in the order they must keep (gateway/inbox.py).
        self.inbox = Inbox(settings.WS_MAX_QUEUED_FRAMES)
        await self.accept()
        bind_event_loop(asyncio.get_running_loop())
        heartbeat.ensure_started()
        admission.ensure_probing()
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
                    return str(token.strip())
        return None

    async def _auth_timed_out(self) -> None:
        if self.principal is None:
            await self.close(code=CLOSE_AUTH_FAILED)

    async def _authenticate(self, token: str, ref: f.Ref) -> None:
        try:
            principal, session = await database_sync_to_async(_open_session)(token, self.channel_name)
        except AuthFailed:
            await self.close(code=CLOSE_AUTH_FAILED)
            return
        except sessions.TooManySockets:
            # The newest is refused, not the oldest: closing the oldest would let two tabs
            # that both reconnect evict each other forever; the oldest sockets of a vanished
            # phone are closed by Daphne's pings within a minute.
            await self.close(code=CLOSE_TOO_MANY_SOCKETS)
            return
        except DATABASE_UNREACHABLE:
            log.warning("database unreachable while a socket opened", exc_info=True)
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return
        if self.auth_deadline is not None:
            self.auth_deadline.cancel()
        self.principal = principal
        heartbeat.local_channel_names.add(self.channel_name)
        for group in session.groups:
            await self._join(group)
        await self.send_frame(auth_ok_frame(session))

    async def disconnect(self, code: int) -> None:
        if self.auth_deadline is not None:
            self.auth_deadline.cancel()
        await self._release()

    async def _release(self) -> None:
        """Leave the groups and unregister the socket: once, from disconnect or __call__'s finally."""
        if self.released:
            return
        self.released = True
        if hasattr(self, "inbox"):
            self.inbox.close()
        heartbeat.local_channel_names.discard(self.channel_name)
        for group in list(getattr(self, "joined", ())):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # the layer unreachable: its group membership expires by itself
                log.warning("leaving %s failed", group, exc_info=True)
        self.joined = set()
        if self.principal is not None:
            try:
                events = await database_sync_to_async(_close_session)(self.principal, self.channel_name)
                await send_collected(events)
            except Exception:  # its row, no longer heart-beaten, is expired by accounts.tasks
                log.exception("closing the session of %s failed", self.channel_name)

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
            # A pong says nothing of the frames refused around it: it does not end the streak
            # (a socket sending only pings at flood rate must reach WS_FLOOD_CLOSE_AFTER).
            await self.send_frame(f.Pong(ref=frame.ref))
            return
        if isinstance(frame, f.Auth):
            await self._refuse(Refused("invalid", "already authenticated"), frame.ref)
            return
        route = registry.route(type(frame))
        if route is None:  # a frame some app declared but nobody routes: not a frame clients send
            await self._refuse(Refused("bad_frame", "unknown frame type"), frame.ref)
            return
        if principal.role not in route.roles:
            await self._refuse(
                Refused("forbidden", f"{frame.__struct_config__.tag} is not for a {principal.role}"), frame.ref
            )
            return
        if self.inbox.full() or (route.lane is not None and admission.shedding()):
            await self._busy(frame.ref)
            return
        queued_at = asyncio.get_running_loop().time()
        self.inbox.submit(
            route.lane(frame) if route.lane is not None else None,
            lambda: self._run_guarded(principal, route, frame, queued_at),
        )

    async def _run_guarded(
        self, principal: Principal, route: Route[Any], frame: f.ClientFrame, queued_at: float
    ) -> None:
        try:
            await self._run_route(principal, route, frame, queued_at)
        except asyncio.CancelledError:
            raise
        except Exception:  # as in dispatch: close, and the disconnect step still runs
            log.exception("%s failed outside the route's answer; closing the socket", route.frame.__name__)
            await self.close(code=CLOSE_SERVER_ERROR)

    async def _busy(self, ref: f.Ref) -> None:
        # Not the client's fault: not counted in the refusal streak.
        await self.send_frame(f.Error(code="busy", detail="the server is busy; send it again shortly", ref=ref))

    async def _run_route(self, principal: Principal, route: Route[Any], frame: f.ClientFrame, queued_at: float) -> None:
        """One frame: the service call, then its reply and events.

        A laned call (a message store) is admitted when its turn comes, not when it arrives:
        a socket holds at most one admission per lane key, so one busy socket cannot take the
        process's WS_MAX_STORES_IN_FLIGHT from the others. One that waited for its turn longer
        than WS_MAX_QUEUE_WAIT_S is answered `busy` instead: the process is behind, and a
        store now would be a late answer that only deepens the queue for those after it."""
        caller = Caller(user_id=principal.user_id, role=principal.role, channel_name=self.channel_name)
        lane = route.lane
        if lane is not None and not admission.admit(waited_s=asyncio.get_running_loop().time() - queued_at):
            await self._busy(frame.ref)
            return
        call = message_lanes.caller(lane(frame)) if lane is not None else _in_database_thread
        try:
            result, events = await call(route, caller, frame)
        except Refused as refusal:
            await self._refuse(refusal, frame.ref)
            return
        except DATABASE_UNREACHABLE:
            # Not the client's fault: answered, not counted in the refusal streak, and the
            # socket stays open; the client sends the frame again after a backoff.
            log.warning("database unreachable for %s", frame.__struct_config__.tag, exc_info=True)
            await self.send_frame(
                f.Error(code="unavailable", detail="the database is unreachable; try again shortly", ref=frame.ref)
            )
            return
        except Exception:
            # A bug on our side for this one frame. Closing the socket would make the client
            # reconnect and resend the same frame into the same failure, over and over; answer
            # it instead (the client retries `unavailable` with a backoff, the message stays in
            # its outbox) and keep the socket and everything else it does working.
            log.exception("%s failed", frame.__struct_config__.tag)
            await self.send_frame(
                f.Error(code="unavailable", detail="the server could not handle this; try again later", ref=frame.ref)
            )
            return
        finally:
            if lane is not None:
                admission.release()
        self.refused_in_a_row = 0
        if route.joins is not None:
            for group in route.joins(result):
                await self._join(group)
        if route.reply is not None:
            reply = route.reply(result)
            if reply is not None:
                await self.send_frame(f.with_ref(reply, frame.ref))
        if events:
            await send_collected(events)

    async def send_frame(self, frame: f.ServerFrame) -> None:
        await self.send_text(f.encode(frame))

    async def send_text(self, text: str, *, published: float | None = None, received: float | None = None) -> None:
        """Every server frame goes out here: none is larger than WS_MAX_SERVER_FRAME_BYTES.

        Replies that could grow (history pages) are cut to fit where they are read
        (chat/selectors.py); this is the last guard: a frame that would still be larger is
        logged and dropped, never sent to a client that may not take it (many close on a
        frame over 1 MiB, and a reloading console met the same frame again and again)."""
        limit = settings.WS_MAX_SERVER_FRAME_BYTES
        if len(text) > limit // 4 and len(text.encode()) > limit:
            log.error(
                "dropped a %d-byte %s frame: over WS_MAX_SERVER_FRAME_BYTES (%d)", len(text.encode()), text[:40], limit
            )
            return
        metrics.sent(text, published=published, received=received)  # error codes, relay and alert latencies
        await self.send(text_data=text)

    async def _refuse(self, refusal: Refused, ref: f.Ref) -> None:
        self.refused_in_a_row += 1
        if self.refused_in_a_row > settings.WS_FLOOD_CLOSE_AFTER:
            await self.close(code=CLOSE_FLOODING)
            return
        await self.send_frame(f.Error(code=refusal.code, detail=refusal.detail, ref=ref))

    # ----- events from the channel layer --------------------------------------------------------
    async def _join(self, group: str) -> None:
        if group not in self.joined:
            self.joined.add(group)
            await self.channel_layer.group_add(group, self.channel_name)

    async def _leave(self, group: str) -> None:
        if group in self.joined:
            self.joined.discard(group)
            await self.channel_layer.group_discard(group, self.channel_name)

    async def relay(self, event: dict[str, Any]) -> None:
        for group in event.get("join", ()):
            await self._join(group)
        text = event.get("text")
        if text is not None and event.get("exclude") != self.channel_name:
            await self.send_text(text, published=event.get("published"), received=time.time())
        for group in event.get("leave", ()):
            await self._leave(group)

    async def join_groups(self, event: dict[str, Any]) -> None:
        """Sent to this one channel by a domain function (monitor, join)."""
        for group in event.get("groups", ()):
            await self._join(group)

    async def leave_groups(self, event: dict[str, Any]) -> None:
        for group in event.get("groups", ()):
            await self._leave(group)
