"""Locust users that speak Youthline's wire contract (docs/protocol.md) over plain WebSockets.

Locust has no plain-WebSocket user, so this one is built on websocket-client, which runs
cooperatively under locust's own gevent (locust monkey-patches the socket module on import).
Each user holds one socket and one reader greenlet; frames are decoded with msgspec.

    CounselorUser  POST /api/v1/auth/login -> socket -> auth -> presence available ->
                   takes every `conversation.assigned` -> answers each youth MESSAGE at once
    YouthUser      POST /api/v1/auth/youth -> socket -> auth -> consult.request ->
                   waits for `conversation.assigned` -> sends messages at a fixed pace

One controller greenlet makes the run deterministic: it waits until every youth is paired
(or LOAD_SETUP_S passes), opens the send window for everyone at once (LOAD_SEND_S), lets
the in-flight messages drain (LOAD_DRAIN_S at most), prints the summary, writes it as JSON
(LOAD_SUMMARY) and stops locust. Nothing is timed against a threshold here: the figures are
printed, the targets are judged by whoever reads them.

Latencies (everything runs in this one process, so one monotonic clock serves both ends):
  relay  from the sender's `message.send` to the other side receiving the MESSAGE, keyed by
         client_id in a side table (youth->counselor is the headline figure; the counselor's
         answers give counselor->youth)
  ack    from `message.send` to the sender's `message.ack`
They are fired into locust's stats as request types "relay" and "ack" (so locust computes the
percentiles) and also kept exactly (floats) for the printed summary. Messages sent in the
first LOAD_WARMUP_S seconds of the window are counted (sent / acked / received / lost) but
not timed.

Configuration comes from the environment (loadtests/run.py sets it):
  LOAD_URLS            comma-separated http://127.0.0.1:PORT of the server processes; user i
                       talks to process i % len (so youth and counselor often sit on different
                       processes and the fan-out crosses Redis)
  LOAD_COUNSELORS      number of counselor users (their accounts must exist)
  LOAD_COUNSELOR_FMT   username pattern, "{}" is 1..N (default loadc{})
  LOAD_COUNSELOR_PASSWORD
  LOAD_YOUTHS          number of youth users expected (the controller waits for them)
  LOAD_RATE            target relayed messages per second for the whole run, youth messages
                       plus counselor answers (each youth sends RATE / YOUTHS / 2 per second
                       when LOAD_REPLY=1)
  LOAD_REPLY           1: counselors answer each youth message (default); 0: they only listen
  LOAD_SEND_S, LOAD_WARMUP_S, LOAD_DRAIN_S, LOAD_SETUP_S   the phases, in seconds
  LOAD_RISKY_PCT       percent of youth messages that carry crisis language (default 0.5)
  LOAD_SERVER_PIDS     pids of the server processes, for their CPU use over the window
  LOAD_SUMMARY         where to write the JSON summary
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import sys
import time
from collections import Counter
from typing import Any

import gevent
import msgspec
import websocket
from gevent.event import AsyncResult, Event
from locust import HttpUser, events, task
from locust.exception import StopUser

try:
    import psutil
except ImportError:  # locust depends on psutil; keep the load test usable without it anyway
    psutil = None  # type: ignore[assignment]


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    return default if value == "" else float(value)


URLS = [u.strip().rstrip("/") for u in os.environ.get("LOAD_URLS", "http://127.0.0.1:8000").split(",") if u.strip()]
COUNSELORS = int(_env_float("LOAD_COUNSELORS", 10))
COUNSELOR_FMT = os.environ.get("LOAD_COUNSELOR_FMT", "loadc{}")
COUNSELOR_PASSWORD = os.environ.get("LOAD_COUNSELOR_PASSWORD", "load-test-password")
YOUTHS = int(_env_float("LOAD_YOUTHS", 100))
RATE = _env_float("LOAD_RATE", 200.0)
REPLY = os.environ.get("LOAD_REPLY", "1") not in ("0", "false", "no")
SEND_S = _env_float("LOAD_SEND_S", 20.0)
WARMUP_S = _env_float("LOAD_WARMUP_S", 2.0)
DRAIN_S = _env_float("LOAD_DRAIN_S", 10.0)
SETUP_S = _env_float("LOAD_SETUP_S", 30.0)
RISKY_PCT = _env_float("LOAD_RISKY_PCT", 0.5)
SERVER_PIDS = [int(p) for p in os.environ.get("LOAD_SERVER_PIDS", "").split(",") if p.strip()]
SUMMARY_PATH = os.environ.get("LOAD_SUMMARY", "")
SAMPLES_PATH = os.environ.get("LOAD_SAMPLES", "")  # optional CSV: kind,name,sent_at_s,ms (for diagnosis)
# Bearer token for each server's /metrics (the relay's stages are read from there); empty: not read.
METRICS_TOKEN = os.environ.get("LOAD_METRICS_TOKEN", "")
# A frame refused with one of these codes stored nothing: send it again after a backoff, as the
# youth page and the console do (frontend/static/frontend/js/shared/ws-client.js).
RESENT_CODES = ("busy", "unavailable")
RESEND_FIRST_S, RESEND_MAX_S = 0.5, 10.0  # as ws-client.js: RESEND_FIRST_MS, RESEND_CAP_MS
TOPICS = ("psych", "legal", "aid")

# ----- realistic Chinese chat -------------------------------------------------------------------
YOUTH_LINES = [
    "老师好，我最近压力特别大，晚上总是睡不着。",
    "期中考试又没考好，我爸妈肯定又要骂我了😢",
    "我跟同桌吵架了，现在全班好像都不理我。",
    "其实也没什么大事，就是想找个人说说话。",
    "我不知道该怎么跟我妈沟通，她什么都要管。",
    "班主任说我再迟到就要叫家长，可是我早上真的起不来。",
    "每天作业写到十二点，周末还要去补习班，好累啊",
    "我喜欢上一个同学，但是不敢告诉他……",
    "室友总是半夜打游戏，我跟宿管说了也没用。",
    "我想转学，可是家里不同意，说我太任性。",
    "最近老是头疼，也不想吃饭，是不是生病了？",
    "有人在网上加我，说可以帮我刷游戏装备，要先转账，这靠谱吗？",
    "我爸喝了酒就发脾气，摔东西，我和妹妹都很害怕。",
    "打工的老板两个月没给工资了，我还没成年，可以去哪里投诉？",
    "嗯嗯，我明白了，谢谢你。",
    "可是我试过了，没什么用啊。",
    "好的，我再想想。",
    "你们这里说的话会告诉我爸妈吗？",
    "我其实挺羡慕别的同学的，他们好像都过得很开心。",
    "高考还有一百天，我每天都很焦虑，一看书就心慌。",
    "同学把我的照片发到群里还配了很难听的话，我好难受。",
    "今天又被几个男生堵在厕所里要钱，我不敢告诉老师。",
    "我就是觉得自己什么都做不好，很没用。",
    "哈哈，其实今天心情还行，就是想来聊聊。",
    "爸妈离婚了，我不知道该跟谁住。",
    "那我应该怎么办呢？",
    "我可以匿名吗？不想让学校知道。",
    "学校里有个老师总是单独叫我去办公室，让我很不舒服。",
]
RISKY_LINES = [
    "我真的不想活了，活着太累了。",
    "有时候会想从楼上跳下去，这样就什么都不用管了。",
    "我又用小刀划自己了，好像只有这样才好受一点。",
]
COUNSELOR_LINES = [
    "谢谢你愿意跟我说这些，我在这里陪着你。",
    "听起来这段时间你真的很辛苦，能多说一点吗？",
    "你的感受是很正常的，很多同龄人也会这样。",
    "这种情况发生多久了？",
    "你有没有可以信任的大人，比如老师或者亲戚？",
    "我们一起想想，有哪些小事是你现在可以做的。",
    "你做得已经很好了，愿意求助本身就很勇敢。",
    "你说的这些不会告诉你的父母，除非你的安全有危险，我们会先和你商量。",
    "嗯，我明白。那你当时是怎么想的呢？",
    "如果遇到要你先转账的情况，很可能是诈骗，千万不要转。",
    "遇到欠薪可以向当地劳动监察部门投诉，我把电话告诉你。",
    "今晚睡前可以试试深呼吸，慢慢吸气，数到四，再慢慢呼出来。",
]
NICKNAMES = ["小雨", "阿杰", "星星", "橘子", "小鱼", "木木", "Lily", "路人甲", "", "晴天", "小白", "夏天"]
REGIONS = ["北京", "上海", "广东省广州市", "四川省成都市", "浙江省杭州市", "河南省郑州市", "", "湖北省武汉市"]


def youth_text() -> str:
    if RISKY_PCT > 0 and random.random() * 100 < RISKY_PCT:
        return random.choice(RISKY_LINES)
    # One or two sentences, like a chat turn.
    if random.random() < 0.3:
        return random.choice(YOUTH_LINES) + random.choice(YOUTH_LINES)
    return random.choice(YOUTH_LINES)


# ----- shared run state (one locust process, one core) ----------------------------------------
class Run:
    def __init__(self) -> None:
        self.sent: Counter = Counter()  # role -> message.send frames sent
        self.acked: Counter = Counter()  # role -> message.ack received
        self.received: Counter = Counter()  # sender role -> MESSAGE received by the other side
        self.echo: Counter = Counter()  # role -> own MESSAGE received back
        self.errors: Counter = Counter()  # error code -> count
        self.resent = 0  # message.send frames sent again after `busy` or `unavailable`
        self.outbox: dict[str, tuple[ChatUser, int, str]] = {}  # client_id -> (user, conversation, text)
        self.other_frames: Counter = Counter()  # frame types not otherwise handled
        self.gaps = 0  # seq jumps seen by a socket (a later seq before an earlier one)
        self.late = 0  # a MESSAGE that came after a later seq of its conversation (clients order by seq)
        self.duplicates = 0  # a MESSAGE received twice by one socket
        self.last_sent: dict[str, float] = {}  # client_id -> when its last (re)send went out
        self.admitted_relay_ms: list[float] = []  # from the send the server admitted to receipt
        self.unexpected_close = 0
        self.pending_relay: dict[str, tuple[float, bool]] = {}  # client_id -> (sent at, timed)
        self.pending_ack: dict[str, tuple[float, bool]] = {}
        self.relay_ms: dict[str, list[float]] = {"youth->counselor": [], "counselor->youth": []}
        self.ack_ms: dict[str, list[float]] = {"youth": [], "counselor": []}
        self.window_received = 0  # MESSAGEs received by the other side inside the timed window
        self.window_sent = 0  # message.send frames sent inside the timed window
        self.youths_assigned = 0
        self.counselors_ready = 0
        self.conversations: set[int] = set()
        self.go = Event()
        self.finished = False  # set when the summary is taken: nothing more is sent
        self.send_start = 0.0  # perf_counter at which youths start sending
        self.timed_from = 0.0  # send_start + warmup
        self.send_until = 0.0
        self.first_errors: list[str] = []
        self.samples: list[tuple[str, str, float, float]] = []
        self.stages: dict[str, dict[str, Any]] = {}  # the servers' relay stage histograms over the window

    def sample(self, kind: str, name: str, sent_at: float, ms: float) -> None:
        if SAMPLES_PATH:
            self.samples.append((kind, name, sent_at - self.send_start, ms))

    def window(self, now: float) -> bool:
        return self.timed_from <= now < self.send_until


RUN = Run()
_user_numbers = itertools.count(1)
_counselor_numbers = itertools.count(1)
_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


def _fire(request_type: str, name: str, ms: float, length: int) -> None:
    events.request.fire(
        request_type=request_type, name=name, response_time=ms, response_length=length, exception=None, context={}
    )


class ChatSocket:
    """One authenticated socket; a reader greenlet dispatches frames to its user."""

    def __init__(self, user: ChatUser, base_url: str, token: str) -> None:
        self.user = user
        ws_url = base_url.replace("http://", "ws://", 1) + "/ws/v1/"
        # Like a real client, a refused or reset handshake is retried (3 attempts, backing off):
        # during setup the server is also hashing the counselors' passwords, and Daphne drops
        # handshakes that take longer than its 5 s handshake timeout. Failures are reported.
        for attempt in range(3):
            started = time.perf_counter()
            try:
                # No Origin header: a native client; the token is what authorizes.
                self.ws = websocket.create_connection(
                    ws_url, timeout=30, skip_utf8_validation=True, suppress_origin=True, enable_multithread=True
                )
                break
            except Exception as exc:
                _fire_failure("WS", "connect", started, exc)
                if attempt == 2:
                    raise StopUser() from exc
                gevent.sleep(0.5 + attempt + random.random())
        _fire("WS", "connect", (time.perf_counter() - started) * 1000, 0)
        self.ws.settimeout(None)
        self.closing = False
        self.waiters: dict[str, AsyncResult] = {}
        self.reader = gevent.spawn(self._read)
        started = time.perf_counter()
        self.send({"type": "auth", "token": token})
        self.auth_ok = self.wait_for("auth.ok", 30)
        _fire("WS", "auth", (time.perf_counter() - started) * 1000, 0)

    def send(self, frame: dict) -> None:
        self.ws.send(_encode(frame).decode())

    def wait_for(self, frame_type: str, timeout: float) -> dict:
        result = self.waiters.setdefault(frame_type, AsyncResult())
        try:
            return result.get(timeout=timeout)
        finally:
            self.waiters.pop(frame_type, None)

    def _read(self) -> None:
        on_frame = self.user.on_frame
        recv = self.ws.recv
        while True:
            try:
                data = recv()
            except Exception:  # noqa: BLE001 - socket closed
                if not self.closing:
                    RUN.unexpected_close += 1
                return
            if not data:
                if not self.closing:
                    RUN.unexpected_close += 1
                return
            frame = _decode(data)
            kind = frame.get("type")
            waiter = self.waiters.get(kind)
            if waiter is not None and not waiter.ready():
                waiter.set(frame)
            try:
                on_frame(kind, frame, len(data))
            except Exception as exc:  # noqa: BLE001 - keep reading; report
                RUN.errors["client-exception"] += 1
                if len(RUN.first_errors) < 10:
                    RUN.first_errors.append(f"{type(exc).__name__}: {exc}")

    def close(self) -> None:
        self.closing = True
        with contextlib.suppress(Exception):  # closing a socket that may already be gone
            self.ws.close(timeout=1)
        self.reader.kill(block=False)


def _fire_failure(request_type: str, name: str, started: float, exc: BaseException) -> None:
    events.request.fire(
        request_type=request_type,
        name=name,
        response_time=(time.perf_counter() - started) * 1000,
        response_length=0,
        exception=exc,
        context={},
    )


class ChatUser(HttpUser):
    abstract = True
    role = ""
    host = URLS[0]

    def on_frame(self, kind: str, frame: dict, length: int) -> None:
        """Each kind of user handles the frames it reads (Counselor, Youth)."""
        raise NotImplementedError

    def on_start(self) -> None:
        self.number = next(_user_numbers)
        self.base_url = URLS[self.number % len(URLS)]
        self.refused: dict[str, bool] = {}  # client_id -> sent before: waiting after a refusal, oldest first
        self.hold: gevent.Greenlet | None = None
        self.hold_attempt = 0
        self.socket: ChatSocket | None = None
        self.last_seq: dict[int, int] = {}
        self.seen_seqs: dict[int, set[int]] = {}
        self.message_numbers = itertools.count(1)

    def on_stop(self) -> None:
        if self.socket is not None:
            self.socket.close()

    def post_json(self, path: str, body: dict, name: str, expect: int) -> dict:
        with self.client.post(self.base_url + path, json=body, name=name, catch_response=True) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                raise StopUser()
            return response.json()

    # ----- messages --------------------------------------------------------------------------
    def send_message(self, conversation: int, text: str) -> None:
        if self.socket is None:  # only called from a connected user's tasks
            raise StopUser()
        client_id = f"{self.role[0]}{self.number}-{next(self.message_numbers)}"
        now = time.perf_counter()
        timed = RUN.window(now)
        RUN.pending_relay[client_id] = RUN.pending_ack[client_id] = (now, timed)
        RUN.outbox[client_id] = (self, conversation, text)
        RUN.sent[self.role] += 1
        if timed:
            RUN.window_sent += 1
        if self.hold is not None or self.refused:
            self.refused[client_id] = False  # held: first sent when its turn comes
        else:
            self._send_frame(conversation, client_id, text)

    def _send_frame(self, conversation: int, client_id: str, text: str) -> None:
        if self.socket is not None:
            frame = {"type": "message.send", "conversation": conversation, "client_id": client_id, "text": text}
            self.socket.send({**frame, "ref": client_id})

    def on_refused(self, client_id: str) -> None:
        """The server stored nothing (`busy`, `unavailable`). As the page does (ws-client.js):
        the user's whole outbox is held for a jittered, growing delay, then the refused
        messages go again one at a time, each after the last was acknowledged, in the order
        they were written. Latencies stay timed from the first send, as a person feels them."""
        if client_id not in RUN.outbox or RUN.finished:
            return
        self.refused[client_id] = True
        if self.hold is not None:
            return
        ceiling = min(RESEND_MAX_S, RESEND_FIRST_S * 2**self.hold_attempt)
        self.hold_attempt += 1
        self.hold = gevent.spawn_later(ceiling / 2 + random.random() * ceiling / 2, self._end_hold)

    def _end_hold(self) -> None:
        self.hold = None
        self._send_next_refused()

    def _send_next_refused(self) -> None:
        while self.refused and not RUN.finished:
            client_id = next(iter(self.refused))  # the oldest: dicts keep insertion order
            was_sent = self.refused.pop(client_id)
            entry = RUN.outbox.get(client_id)
            if entry is None:
                continue  # acknowledged meanwhile
            _, conversation, text = entry
            if was_sent:
                RUN.resent += 1
            RUN.last_sent[client_id] = time.perf_counter()
            self._send_frame(conversation, client_id, text)
            return

    def on_ack(self, frame: dict, length: int) -> None:
        if RUN.outbox.pop(frame.get("client_id", ""), None) is not None:
            self.hold_attempt = 0  # stored: the server keeps up again; the next held one goes
            if self.hold is None and self.refused:
                self._send_next_refused()
        entry = RUN.pending_ack.pop(frame.get("client_id", ""), None)
        if entry is None:
            return
        RUN.acked[self.role] += 1
        sent_at, timed = entry
        if timed:
            ms = (time.perf_counter() - sent_at) * 1000
            RUN.ack_ms[self.role].append(ms)
            RUN.sample("ack", self.role, sent_at, ms)
            _fire("ack", self.role, ms, length)

    def on_message(self, frame: dict, length: int) -> None:
        now = time.perf_counter()
        conversation, seq = frame["conversation"], frame["seq"]
        last = self.last_seq.get(conversation)
        seen = self.seen_seqs.setdefault(conversation, set())
        if seq in seen:
            RUN.duplicates += 1
        elif last is not None:
            if seq < last:
                RUN.late += 1
            elif seq != last + 1:
                RUN.gaps += 1
        seen.add(seq)
        if last is None or seq > last:
            self.last_seq[conversation] = seq
        sender = frame["sender"]
        if sender == self.role:
            RUN.echo[self.role] += 1
            return
        entry = RUN.pending_relay.pop(frame.get("client_id", ""), None)
        if entry is None:
            return  # history, system messages
        RUN.received[sender] += 1
        sent_at, timed = entry
        if RUN.window(now):
            RUN.window_received += 1
        last_sent = RUN.last_sent.pop(frame.get("client_id", ""), sent_at)
        if timed:
            RUN.admitted_relay_ms.append((now - last_sent) * 1000)
            ms = (now - sent_at) * 1000
            name = f"{sender}->{self.role}"
            RUN.relay_ms[name].append(ms)
            RUN.sample("relay", name, sent_at, ms)
            _fire("relay", name, ms, length)

    def on_error(self, frame: dict) -> None:
        code = frame.get("code", "?")
        RUN.errors[code] += 1
        if code in RESENT_CODES and isinstance(frame.get("ref"), str):
            self.on_refused(frame["ref"])
            return  # expected under overload: counted as refusals, not listed as failures
        if len(RUN.first_errors) < 10:
            RUN.first_errors.append(f"{self.role}: {frame}")

    def idle_until_stopped(self) -> None:
        # The controller ends the run; until then this user only listens.
        gevent.sleep(3600)


class CounselorUser(ChatUser):
    """Logs in, goes available, takes the conversations the queue hands over, answers each message."""

    fixed_count = COUNSELORS  # spawned first, so youths find counselors waiting
    role = "counselor"

    @task
    def serve(self) -> None:
        number = next(_counselor_numbers)
        if number > COUNSELORS:
            raise StopUser()
        tokens = self.post_json(
            "/api/v1/auth/login",
            {"username": COUNSELOR_FMT.format(number), "password": COUNSELOR_PASSWORD},
            name="/api/v1/auth/login",
            expect=200,
        )
        self.socket = ChatSocket(self, self.base_url, tokens["access"])
        self.socket.send({"type": "presence", "status": "available"})
        RUN.counselors_ready += 1
        self.idle_until_stopped()

    def on_frame(self, kind: str, frame: dict, length: int) -> None:
        if kind == "message":
            self.on_message(frame, length)
            if REPLY and frame["sender"] == "youth" and not RUN.finished:
                self.send_message(frame["conversation"], random.choice(COUNSELOR_LINES))
        elif kind == "message.ack":
            self.on_ack(frame, length)
        elif kind == "conversation.assigned":
            RUN.conversations.add(frame["conversation"])
            self.last_seq.setdefault(
                frame["conversation"], max((m["seq"] for m in frame.get("history", [])), default=0)
            )
        elif kind == "error":
            self.on_error(frame)
        else:
            RUN.other_frames[kind] += 1


class YouthUser(ChatUser):
    """A new anonymous identity asks for a counselor, then writes at a steady pace."""

    weight = 1
    role = "youth"

    @task
    def consult(self) -> None:
        body = {
            "channel": random.choice(("web", "miniprogram")),
            "nickname": random.choice(NICKNAMES),
            "region": random.choice(REGIONS),
        }
        tokens = self.post_json("/api/v1/auth/youth", body, name="/api/v1/auth/youth", expect=201)
        self.assigned = AsyncResult()
        self.conversation: int | None = None
        self.socket = ChatSocket(self, self.base_url, tokens["access"])
        started = time.perf_counter()
        self.socket.send({"type": "consult.request", "topic": random.choice(TOPICS)})
        try:
            conversation = self.assigned.get(timeout=SETUP_S + 30)
        except gevent.Timeout as exc:
            _fire_failure("WS", "wait for counselor", started, exc)
            self.idle_until_stopped()
            return
        _fire("WS", "wait for counselor", (time.perf_counter() - started) * 1000, 0)
        RUN.youths_assigned += 1
        RUN.go.wait()
        self.write(conversation)
        self.idle_until_stopped()

    def write(self, conversation: int) -> None:
        per_youth = RATE / max(1, YOUTHS) / (2 if REPLY else 1)
        if per_youth <= 0:
            return
        interval = 1.0 / per_youth
        # Random phase so that youths do not all send in the same instant.
        next_at = RUN.send_start + random.random() * interval
        while next_at < RUN.send_until:
            delay = next_at - time.perf_counter()
            if delay > 0:
                gevent.sleep(delay)
            self.send_message(conversation, youth_text())
            next_at += interval  # open loop: the pace does not wait for acknowledgements

    def on_frame(self, kind: str, frame: dict, length: int) -> None:
        if kind == "message":
            self.on_message(frame, length)
        elif kind == "message.ack":
            self.on_ack(frame, length)
        elif kind == "queue.joined":
            self.conversation = frame["conversation"]
        elif kind == "conversation.assigned":
            self.conversation = frame["conversation"]
            self.last_seq.setdefault(self.conversation, 0)
            if not self.assigned.ready():
                self.assigned.set(frame["conversation"])
        elif kind == "error":
            self.on_error(frame)
        else:
            RUN.other_frames[kind] += 1


# ----- the controller ---------------------------------------------------------------------------
LOAD_DB = os.environ.get("LOAD_DB", "")


def _cpu_seconds() -> dict[str, float]:
    """Cumulative CPU seconds: the server processes, PostgreSQL (this run's backends and the
    shared background workers), Redis, this process, and the whole machine (busy time), so that
    other work on the machine during the run shows up as "other"."""
    out = {"server": 0.0, "postgres": 0.0, "redis": 0.0, "locust": 0.0, "machine": 0.0}
    if psutil is None:
        return out
    for pid in SERVER_PIDS:
        try:
            times = psutil.Process(pid).cpu_times()
            out["server"] += times.user + times.system
        except psutil.Error:
            pass
    for proc in psutil.process_iter(["name", "cmdline"]):
        name = proc.info.get("name") or ""
        if name.startswith("postgres"):
            cmdline = " ".join(proc.info.get("cmdline") or ())
            # A backend of another database (another test run) is "other" work, not ours.
            if "127.0.0.1(" in cmdline and LOAD_DB and f" {LOAD_DB} " not in cmdline:
                continue
            bucket = "postgres"
        elif name.startswith("redis-server"):
            bucket = "redis"
        else:
            continue
        try:
            times = proc.cpu_times()
            out[bucket] += times.user + times.system
        except psutil.Error:
            pass
    me = psutil.Process().cpu_times()
    out["locust"] = me.user + me.system
    total = psutil.cpu_times()
    out["machine"] = sum(total) - total.idle - getattr(total, "iowait", 0.0)
    return out


STAGE_METRIC = "youthline_relay_stage_seconds"
TOTAL_METRIC = "youthline_relay_latency_seconds"


def _scrape_relay_histograms() -> dict[str, dict[str, Any]] | None:
    """The relay's stage histograms (and the stored-to-socket total) of every server, added up:
    {stage: {"le": {bound: cumulative count}, "sum": s, "count": n}}. None when not readable."""
    if not METRICS_TOKEN:
        return None
    import urllib.error
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    found: dict[str, dict[str, Any]] = {}
    for url in URLS:
        request = urllib.request.Request(url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                text = answer.read().decode()
        except (urllib.error.URLError, OSError) as exc:
            print(f"[load] could not read {url}/metrics: {exc}", flush=True)
            return None
        for family in text_string_to_metric_families(text):
            if family.name not in (STAGE_METRIC, TOTAL_METRIC):
                continue
            for sample in family.samples:
                stage = sample.labels.get("stage", "total")
                entry = found.setdefault(stage, {"le": {}, "sum": 0.0, "count": 0.0})
                if sample.name.endswith("_bucket"):
                    bound = sample.labels["le"]
                    entry["le"][bound] = entry["le"].get(bound, 0.0) + sample.value
                elif sample.name.endswith(("_sum", "_count")):
                    entry[sample.name.rsplit("_", 1)[1]] += sample.value
    return found


def _stage_figures(before: dict | None, after: dict | None) -> dict[str, dict[str, Any]]:
    """Per stage over the window: count, mean and the bucket bounds holding p50 and p99 (ms)."""
    if not before or not after:
        return {}
    figures: dict[str, dict[str, Any]] = {}
    for stage, end in after.items():
        start = before.get(stage, {"le": {}, "sum": 0.0, "count": 0.0})
        count = end["count"] - start["count"]
        if count <= 0:
            continue
        cumulative = sorted(
            ((float(b), end["le"][b] - start["le"].get(b, 0.0)) for b in end["le"]), key=lambda item: item[0]
        )

        def bound(q: float, cumulative: list[tuple[float, float]] = cumulative, count: float = count) -> str:
            for upper, seen in cumulative:
                if seen >= q * count:
                    return "inf" if upper == float("inf") else f"{upper * 1000:g}"
            return "inf"

        figures[stage] = {
            "count": int(count),
            "mean_ms": round(1000 * (end["sum"] - start["sum"]) / count, 2),
            "p50_le_ms": bound(0.5),
            "p99_le_ms": bound(0.99),
        }
    return figures


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))
    return ordered[index]


def _latency_block(values: list[float], locust_entry) -> dict:
    block: dict[str, Any] = {"count": len(values)}
    for label, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99), ("max", 1.0)):
        value = _percentile(values, q)
        block[label] = None if value is None else round(value, 2)
    if values:
        block["mean"] = round(sum(values) / len(values), 2)
    if locust_entry is not None and locust_entry.num_requests:
        block["locust"] = {
            label: locust_entry.get_response_time_percentile(q)
            for label, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))
        }
    return block


def _controller(environment) -> None:
    deadline = time.perf_counter() + SETUP_S
    last_note = 0.0
    while time.perf_counter() < deadline and RUN.youths_assigned < YOUTHS:
        if time.perf_counter() - last_note > 5:
            print(
                f"[load] setting up: {RUN.counselors_ready}/{COUNSELORS} counselors ready, "
                f"{RUN.youths_assigned}/{YOUTHS} youths paired",
                flush=True,
            )
            last_note = time.perf_counter()
        gevent.sleep(0.2)
    print(
        f"[load] {RUN.youths_assigned}/{YOUTHS} youths paired with {RUN.counselors_ready} counselors; "
        f"sending {RATE:.0f} msg/s for {SEND_S:.0f} s (first {WARMUP_S:.0f} s untimed)",
        flush=True,
    )
    RUN.send_start = time.perf_counter() + 0.2
    RUN.timed_from = RUN.send_start + WARMUP_S
    RUN.send_until = RUN.send_start + SEND_S
    RUN.go.set()

    gevent.sleep(max(0.0, RUN.timed_from - time.perf_counter()))
    stages_before = _scrape_relay_histograms()
    cpu_before, wall_before = _cpu_seconds(), time.perf_counter()
    while time.perf_counter() < RUN.send_until:
        gevent.sleep(min(5.0, max(0.0, RUN.send_until - time.perf_counter())))
        if time.perf_counter() < RUN.send_until - 0.5:
            print(
                f"[load] t={time.perf_counter() - RUN.send_start:5.1f}s sent={sum(RUN.sent.values())} "
                f"received={sum(RUN.received.values())} in flight={len(RUN.pending_relay)} "
                f"errors={sum(RUN.errors.values())}",
                flush=True,
            )
    cpu_after, wall_after = _cpu_seconds(), time.perf_counter()
    RUN.stages = _stage_figures(stages_before, _scrape_relay_histograms())

    drain_deadline = time.perf_counter() + DRAIN_S
    while time.perf_counter() < drain_deadline and (RUN.pending_relay or RUN.pending_ack):
        gevent.sleep(0.05)
    drained_in = time.perf_counter() - RUN.send_until

    RUN.finished = True
    summary = _summarize(environment, cpu_before, cpu_after, wall_after - wall_before, drained_in)
    _print_summary(summary)
    if SUMMARY_PATH:
        with open(SUMMARY_PATH, "w", encoding="utf-8") as out:
            json.dump(summary, out, indent=2, ensure_ascii=False)
    if SAMPLES_PATH:
        with open(SAMPLES_PATH, "w", encoding="utf-8") as out:
            out.write("kind,name,sent_at_s,ms\n")
            out.writelines(f"{k},{n},{t:.4f},{ms:.3f}\n" for k, n, t, ms in RUN.samples)
    environment.runner.quit()


def _summarize(environment, cpu_before: dict, cpu_after: dict, wall: float, drained_in: float) -> dict:
    stats = environment.stats
    timed_s = max(1e-9, RUN.send_until - RUN.timed_from)
    sent, acked, received = sum(RUN.sent.values()), sum(RUN.acked.values()), sum(RUN.received.values())
    cpu = {k: round(100.0 * (cpu_after[k] - cpu_before[k]) / wall, 1) for k in cpu_after} if wall > 0 else {}
    if cpu:
        # Busy time of the machine not spent by this run (other sessions, tests, builds...).
        cpu["other"] = round(max(0.0, cpu["machine"] - sum(v for k, v in cpu.items() if k != "machine")), 1)
    all_relay = RUN.relay_ms["youth->counselor"] + RUN.relay_ms["counselor->youth"]
    return {
        "config": {
            "urls": URLS,
            "counselors": COUNSELORS,
            "youths": YOUTHS,
            "target_rate": RATE,
            "reply": REPLY,
            "send_s": SEND_S,
            "warmup_s": WARMUP_S,
            "risky_pct": RISKY_PCT,
        },
        "counselors_ready": RUN.counselors_ready,
        "concurrent_conversations": len(RUN.conversations),
        "youths_paired": RUN.youths_assigned,
        "offered_msgs_per_s": round(RUN.window_sent / timed_s, 1),
        "relayed_msgs_per_s": round(RUN.window_received / timed_s, 1),
        "sent": dict(RUN.sent),
        "acked": dict(RUN.acked),
        "received_by_other_side": dict(RUN.received),
        "sent_total": sent,
        "acked_total": acked,
        "received_total": received,
        "lost": sent - received,
        "unacked": sent - acked,
        "in_flight_at_end": len(RUN.pending_relay),
        "drained_in_s": round(drained_in, 2),
        "seq_gaps": RUN.gaps,
        "late": RUN.late,
        "duplicates": RUN.duplicates,
        "unexpected_closes": RUN.unexpected_close,
        "errors": dict(RUN.errors),
        "refused": {code: RUN.errors.get(code, 0) for code in RESENT_CODES},
        "resent": RUN.resent,
        "relay_stages": RUN.stages,
        "first_errors": RUN.first_errors,
        "other_frames": dict(RUN.other_frames),
        "relay_ms": {
            "youth->counselor": _latency_block(
                RUN.relay_ms["youth->counselor"], stats.get("youth->counselor", "relay")
            ),
            "counselor->youth": _latency_block(
                RUN.relay_ms["counselor->youth"], stats.get("counselor->youth", "relay")
            ),
            "all": _latency_block(all_relay, None),
            "admitted": _latency_block(RUN.admitted_relay_ms, None),
        },
        "ack_ms": {role: _latency_block(values, stats.get(role, "ack")) for role, values in RUN.ack_ms.items()},
        "cpu_percent_of_one_core": cpu,
        "server_cpu_ms_per_message": (
            round(10.0 * cpu.get("server", 0.0) / (RUN.window_received / timed_s), 3)
            if cpu and RUN.window_received
            else None
        ),
    }


def _fmt(block: dict) -> str:
    if not block.get("count"):
        return "no samples"
    text = (
        f"p50 {block['p50']:.2f}  p95 {block['p95']:.2f}  p99 {block['p99']:.2f}  max {block['max']:.2f} ms"
        f"  (n={block['count']})"
    )
    if "locust" in block:
        loc = block["locust"]
        text += f"  [locust: p50 {loc['p50']} p95 {loc['p95']} p99 {loc['p99']}]"
    return text


STAGE_NAMES = {
    "publish": "stored -> published",
    "deliver": "published -> taken by the recipient's consumer",
    "send": "taken -> handed to the socket",
    "total": "stored -> handed to the socket",
}


def _stage_lines(stages: dict[str, dict[str, Any]]) -> list[str]:
    """Where a relayed message's time went on the servers (their histograms, over the timed window)."""
    if not stages:
        return ["  relay stages               not read (no LOAD_METRICS_TOKEN)"]
    lines = ["  relay stages on the servers (per recipient; mean, and the bucket bound holding p50 / p99):"]
    for stage in ("publish", "deliver", "send", "total"):
        if stage in stages:
            f = stages[stage]
            lines.append(
                f"    {STAGE_NAMES[stage]:<48} mean {f['mean_ms']:>8.2f} ms   p50 <= {f['p50_le_ms']} ms"
                f"   p99 <= {f['p99_le_ms']} ms   (n={f['count']})"
            )
    return lines


def _print_summary(s: dict) -> None:
    lines = [
        "",
        "=" * 78,
        "Youthline relay load test",
        f"  server processes           {len(URLS)}",
        (
            f"  concurrent conversations   {s['concurrent_conversations']} "
            f"({s['youths_paired']} youths paired, {s['counselors_ready']} counselors)"
        ),
        f"  target rate                {RATE:.0f} msg/s (youth messages + counselor answers)",
        f"  messages/s relayed         {s['relayed_msgs_per_s']:.1f}  (offered {s['offered_msgs_per_s']:.1f})",
        f"  relay youth->counselor     {_fmt(s['relay_ms']['youth->counselor'])}",
        f"  relay counselor->youth     {_fmt(s['relay_ms']['counselor->youth'])}",
        f"  relay, both directions     {_fmt(s['relay_ms']['all'])}",
        f"  relay from the admitted send {_fmt(s['relay_ms']['admitted'])}",
        f"  ack (youth)                {_fmt(s['ack_ms']['youth'])}",
        f"  ack (counselor)            {_fmt(s['ack_ms']['counselor'])}",
        f"  sent / acked / received    {s['sent_total']} / {s['acked_total']} / {s['received_total']}",
        f"  lost (sent - received)     {s['lost']}   unacked {s['unacked']}   seq gaps {s['seq_gaps']}   "
        f"late {s['late']}   duplicates {s['duplicates']}   drained in {s['drained_in_s']} s"
        + (f" (drain ended with {s['in_flight_at_end']} still in flight)" if s["in_flight_at_end"] else ""),
        f"  errors                     {s['errors'] or 'none'}   unexpected closes {s['unexpected_closes']}",
        f"  refused (sent again)       {s['refused']}   resends {s['resent']}",
        *_stage_lines(s["relay_stages"]),
        "  CPU over the timed window (% of one core): "
        + ", ".join(f"{k} {v}" for k, v in s["cpu_percent_of_one_core"].items()),
        f"  server CPU per relayed message  {s['server_cpu_ms_per_message']} ms",
        "=" * 78,
    ]
    if s["first_errors"]:
        lines.insert(-1, "  first errors: " + " | ".join(s["first_errors"][:5]))
    print("\n".join(lines), flush=True)


@events.test_start.add_listener
def _on_test_start(environment, **_: object) -> None:
    from locust.runners import WorkerRunner

    if isinstance(environment.runner, WorkerRunner):
        print("loadtests/locustfile.py: run it in one process (no --master/--worker).", file=sys.stderr)
        return
    gevent.spawn(_controller, environment)
