"""A socket that stops reading while its conversation floods it, and a socket that floods frames:
the process stays healthy for everyone else (a bystander conversation's messages are relayed;
their latency is printed), nothing acknowledged is lost or duplicated, and the server's memory
is printed before, during and after (RSS of the one Daphne process)."""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections import Counter

import pytest
from websockets.exceptions import ConnectionClosed

from tests.faults.client import (
    SERVER_FAULT_CLOSES,
    Ledger,
    Participant,
    authenticate,
    open_socket,
    settle,
    stored_messages,
)
from tests.faults.conftest import assert_healthy, new_youth, open_conversation, rss_mib

pytestmark = pytest.mark.live

SLOW_SOCKETS = 5  # of the flooded youth; one more reads normally (8 a user at most)
FLOODING_COUNSELOR_SOCKETS = 4  # each sends at its rate limit: 4x the fan-out of one
LONG_TEXT = "名" * 2000  # the longest message: about 6 KB on the wire
FLOOD_S = 5.0  # the slow reader's conversation floods this long
FRAME_FLOOD_S = 2.0  # the frame flooder sends this long, from the start


def _slow_reader(url: str, token: str):
    """Authenticated, then never read again: a tiny kernel buffer, one frame queued at most."""
    conn = open_socket(url, max_queue=1, rcvbuf=4096, keepalive=False)
    conn.send(json.dumps({"type": "auth", "token": token}))
    return conn


def _close_code_after_draining(conn, quiet_s: float = 1.5) -> int | str:
    """Read what it holds; the close code, or "open" once nothing comes for `quiet_s`."""
    try:
        while True:
            conn.recv(timeout=quiet_s)
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else "dropped"
    except TimeoutError:
        pass
    conn.close()
    return "open"


def _flood(url: str, token: str, conversation: int, until: float, report: dict) -> None:
    """Frames as fast as the socket takes them: messages (some acknowledged), typing, junk."""
    conn, _ = authenticate(url, token, keepalive=False)
    sent, acked = 0, {}
    answers: Counter[str] = Counter()
    reader_done = threading.Event()

    def read() -> None:
        try:
            while True:
                frame = json.loads(conn.recv(timeout=30))
                answers[frame.get("code") or frame.get("type")] += 1
                if frame.get("type") == "message.ack":
                    acked[frame["client_id"]] = frame["seq"]
        except ConnectionClosed as exc:
            report["close"] = exc.rcvd.code if exc.rcvd else "dropped"
        except TimeoutError:
            report["close"] = "open"
        finally:
            reader_done.set()

    threading.Thread(target=read, daemon=True).start()
    frames = [json.dumps({"type": "typing", "conversation": conversation}), '{"type": "nonsense"}', "not json"]
    try:
        while time.monotonic() < until and not reader_done.is_set():
            if sent % 4 == 0:
                conn.send(
                    json.dumps(
                        {
                            "type": "message.send",
                            "conversation": conversation,
                            "client_id": f"flood-{sent}",
                            "text": "刷屏",
                        }
                    )
                )
            else:
                conn.send(frames[sent % 3])
            sent += 1
    except ConnectionClosed:
        pass
    conn.close()
    reader_done.wait(timeout=15)
    report.update(sent=sent, answers=dict(answers), acked=acked)


def test_a_slow_reader_and_a_flooder_leave_the_process_healthy_for_others(overload_stack):
    stack = overload_stack
    url = stack.urls[0]
    pid = stack.server_pids[0]
    flooded_youth, flooder_counselor = open_conversation(stack, [url], [url])
    bystander_youth, bystander_counselor = open_conversation(stack, [url], [url], topic="aid")
    flooding = [flooder_counselor] + [
        Participant(f"counselor{i}", "counselor", [url], flooder_counselor.token, flooder_counselor.conversation)
        for i in range(2, FLOODING_COUNSELOR_SOCKETS + 1)
    ]
    for person in flooding[1:]:
        person.connect()
    flooder = new_youth(stack)
    flooder_conn, _ = authenticate(url, flooder["access"])
    flooder_conn.send(json.dumps({"type": "consult.request", "topic": "legal"}))
    flooder_conversation = json.loads(flooder_conn.recv(timeout=10))["conversation"]
    flooder_conn.close()

    def latencies_since(mark: float) -> list[float]:
        """Bystander relays (youth said -> counselor got) of messages said after `mark`, in ms."""
        settle([bystander_youth, bystander_counselor])
        return [
            (bystander_counselor.seen_at[seq] - bystander_youth.said_at[m["client_id"]]) * 1000
            for seq, m in bystander_counselor.seen.items()
            if bystander_youth.said_at.get(m["client_id"], 0) > mark
        ]

    def bystander_and(until: float, flooding_people: list[Participant]) -> float:
        """The bystander talks (and the flooders flood) until `until`; the peak RSS seen."""
        peak = 0.0
        while time.monotonic() < until:
            for person in flooding_people:
                person.say(LONG_TEXT)
                person.pump(0.0)
            bystander_youth.say()
            for person in (bystander_youth, bystander_counselor, flooded_youth):
                person.pump(0.0)
            peak = max(peak, rss_mib(pid))
            time.sleep(0.045)  # each flooding socket at ~20 a second, its rate limit
        return peak

    # Phase 1: the slow readers' conversation floods them.
    slow = [_slow_reader(url, flooded_youth.token) for _ in range(SLOW_SOCKETS)]
    time.sleep(0.5)
    rss = {"before": rss_mib(pid)}
    phase_1 = time.monotonic()
    rss["peak, slow readers flooded"] = bystander_and(phase_1 + FLOOD_S, flooding)
    slow_latencies = latencies_since(phase_1)
    slow_closes = Counter(_close_code_after_draining(conn) for conn in slow)
    time.sleep(1.0)
    rss["slow readers closed"] = rss_mib(pid)

    # Phase 2: one socket floods frames unpaced.
    flood_report: dict = {}
    phase_2 = time.monotonic()
    flood_thread = threading.Thread(
        target=_flood,
        args=(url, flooder["access"], flooder_conversation, phase_2 + FRAME_FLOOD_S, flood_report),
        daemon=True,
    )
    flood_thread.start()
    rss["peak, frame flood"] = bystander_and(phase_2 + FRAME_FLOOD_S, [])
    flood_thread.join(timeout=30)
    flood_latencies = latencies_since(phase_2)
    time.sleep(1.0)
    rss["after"] = rss_mib(pid)

    def summary(latencies: list[float]) -> tuple[int, int, int]:
        ordered = sorted(latencies)
        return round(statistics.median(ordered)), round(ordered[int(len(ordered) * 0.95)]), round(ordered[-1])

    # The flooded youth, reading again, ends up with every message exactly once.
    settle([flooded_youth, *flooding], timeout=60)
    Ledger(
        "slow reader (flooded conversation)",
        [flooded_youth, *flooding],
        stored_messages(stack, flooded_youth.conversation),
        extra={"slow sockets ended as": dict(slow_closes), "server RSS MiB": {k: round(v, 1) for k, v in rss.items()}},
    ).check()
    assert slow_latencies and flood_latencies, "the bystander's messages were not relayed"
    Ledger(
        "bystander conversation during both floods",
        [bystander_youth, bystander_counselor],
        stored_messages(stack, bystander_youth.conversation),
        extra={
            "relay latency ms p50 / p95 / max, slow readers flooded": summary(slow_latencies),
            "relay latency ms p50 / p95 / max, frame flood": summary(flood_latencies),
        },
    ).check()

    stored_flood = {c for _s, c, _r in stored_messages(stack, flooder_conversation)}
    print(
        f"\n=== frame flood (one socket, {FRAME_FLOOD_S:.0f} s, unpaced) ===\nsent {flood_report['sent']}, "
        f"acked {len(flood_report['acked'])}, stored {len(stored_flood)}, answers {flood_report['answers']}, "
        f"closed {flood_report.get('close')}"
    )
    assert set(flood_report["acked"]) <= stored_flood, set(flood_report["acked"]) - stored_flood
    assert flood_report.get("close") not in SERVER_FAULT_CLOSES, flood_report
    assert not SERVER_FAULT_CLOSES & set(slow_closes), slow_closes
    latency_ms = assert_healthy(url, stack)
    print(f"healthy after the flood: a fresh socket relayed a message in {latency_ms:.0f} ms")
