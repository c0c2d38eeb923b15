"""PostgreSQL stopped for seconds under a live conversation (issue 7, item 9).

While the database is down a frame that needs it is answered `unavailable` (the socket stays
open); after the restart every connection the processes kept is stale, and the first frame on
each is still answered, not failed. Nothing acknowledged is lost or stored twice.

The test suite's shared cluster cannot be stopped under everyone else's tests: this test starts
its own throw-away cluster on its own port and its stack runs on it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time

import pytest

import tests.live
from tests.conftest import LIVE_TIMERS
from tests.live import LiveStack, free_port
from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live
PG_BIN = (
    os.path.dirname(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1])
    if glob.glob("/usr/lib/postgresql/*/bin/initdb")
    else ""
)


class ThrowAwayCluster:
    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="youthline-outage-pg-")
        self.data = os.path.join(self.dir, "data")
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, os.path.join(PG_BIN, tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            self.data,
            "-l",
            os.path.join(self.dir, "pg.log"),
            "-w",
            "start",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c max_connections=100",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-w", "-m", "fast", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def outage_stack(monkeypatch):
    if not PG_BIN:
        pytest.fail("PostgreSQL's server binaries are missing: run `make services` once")
    cluster = ThrowAwayCluster()
    # The stack helpers read the cluster from DATABASE_URL; templates are per cluster.
    monkeypatch.setenv("DATABASE_URL", cluster.url)
    monkeypatch.setattr(tests.live, "_templates", {})
    stack = None
    try:
        stack = LiveStack(processes=2, env=dict(LIVE_TIMERS)).start()
        yield stack, cluster
    finally:
        if stack is not None:
            if not _running(cluster):  # the test failed while the database was down
                cluster.start()
            stack.stop()
        cluster.remove()


def _running(cluster: ThrowAwayCluster) -> bool:
    ready = subprocess.run(
        [os.path.join(PG_BIN, "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(cluster.port)], check=False
    )
    return ready.returncode == 0


def _send(client: WsClient, conversation: int, client_id: str, text: str) -> dict:
    """message.send, answered by its ack or an error (the ref names the message)."""
    client.send(
        {
            "type": "message.send",
            "conversation": conversation,
            "client_id": client_id,
            "text": text,
            "ref": f"send:{client_id}",
        }
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for kind in ("message.ack", "error"):
            for frame in client.buffer:
                ours = frame.get("client_id") == client_id or frame.get("ref") == f"send:{client_id}"
                if frame.get("type") == kind and ours:
                    client.buffer.remove(frame)
                    return frame
        client._pull(0.2)
    raise AssertionError(f"no answer to {client_id}; got {client.buffer}")


def test_a_database_outage_is_answered_unavailable_and_stale_connections_are_recycled(outage_stack):
    stack, cluster = outage_stack
    first, second = stack.urls
    username = f"counselor-outage-{time.monotonic_ns()}"
    stack.create_staff(username=username, role="counselor", topics=["psych"], name="值班")
    _, counselor = http_json("POST", first + "/api/v1/auth/login", {"username": username, "password": "test-pass-123"})
    _, youth = http_json("POST", first + "/api/v1/auth/youth", {"channel": "web", "nickname": "夜"})
    acknowledged: dict[str, int] = {}
    with WsClient(second, counselor["access"]) as c, WsClient(first, youth["access"]) as y:
        c.request({"type": "presence", "status": "available"}, "presence.ok")
        conversation = y.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
        c.recv("conversation.assigned", conversation=conversation)
        for index in range(5):
            ack = _send(y, conversation, f"before-{index}", f"停机前 {index}")
            assert ack["type"] == "message.ack"
            acknowledged[ack["client_id"]] = ack["seq"]

        cluster.stop()
        down_at = time.monotonic()
        answer = _send(y, conversation, "during", "数据库停了")
        assert answer["type"] == "error" and answer["code"] == "unavailable", answer
        answer = _send(c, conversation, "during-c", "我在")  # the other process too
        assert answer["type"] == "error" and answer["code"] == "unavailable", answer
        assert y.request({"type": "ping", "ref": "up"}, "pong")["ref"] == "up"  # the socket stays open
        time.sleep(max(0.0, 3 - (time.monotonic() - down_at)))
        cluster.start()

        # Every connection the processes kept is stale now: the first use of each replaces it.
        for client, client_id in ((y, "during"), (c, "during-c")):
            ack = _send(client, conversation, client_id, "重发")
            assert ack["type"] == "message.ack", ack
            acknowledged[client_id] = ack["seq"]
        for index in range(12):
            client = (y, c)[index % 2]
            ack = _send(client, conversation, f"after-{index}", f"恢复后 {index}")
            assert ack["type"] == "message.ack", ack
            acknowledged[ack["client_id"]] = ack["seq"]
        history = c.request({"type": "history", "conversation": conversation, "after_seq": 0}, "history")
        with WsClient(second, counselor["access"]) as reopened:  # opening a socket reads the database too
            assert reopened.auth_ok["role"] == "counselor"

    rows = stack.sql(
        "SELECT client_id, seq FROM chat_message WHERE conversation_id = %s AND sender_role <> 'system'",
        (conversation,),
    )
    stored = dict(rows)
    assert len(rows) == len(stored), "a message was stored twice"
    assert {cid: stored.get(cid) for cid in acknowledged} == acknowledged, "an acknowledged message was lost"
    seqs = sorted(m["seq"] for m in history["messages"])
    assert seqs == list(range(1, len(seqs) + 1))
    print(f"outage: {len(acknowledged)} acknowledged, all stored once")
