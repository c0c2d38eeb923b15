"""Fixtures of the fault suite: stacks of its own, and services of its own to break.

A test that stops Redis or PostgreSQL does it to a server started here for that test (a free
port, a state directory under a temporary folder), never to the shared ones the rest of the
suite runs on (`make services`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import live
from tests.faults.client import Participant, authenticate
from tests.live import LiveStack, free_port
from tests.wsclient import http_json

# What every fault stack runs with: sign-ups not throttled (the tests make many identities), the
# production grace period (a counselor who moves to another process is not handed back while
# reconnecting), a quick auth timeout.
FAULT_ENV = {"AUTH_RATE_PER_MIN": "100000", "SIGNUP_RATE_PER_MIN": "100000", "WS_AUTH_TIMEOUT_S": "3"}


def require_services() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        pytest.fail("the fault suite needs PostgreSQL and Redis: run it with `make test`")


@pytest.fixture
def fault_stack() -> Iterator:
    """Start stacks of this test's own (`fault_stack(processes=2, REDIS_URL=...)`); stopped after it."""
    require_services()
    started: list[LiveStack] = []

    def start(processes: int = 2, workers: int = 1, **env: str) -> LiveStack:
        stack = LiveStack(processes=processes, workers=workers, env={**FAULT_ENV, **env})
        started.append(stack)
        return stack.start()

    yield start
    for stack in reversed(started):
        stack.stop()


# ----- a Redis server of the test's own ----------------------------------------------------------
class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="yl-fault-redis-"))
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=(self.dir / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.port), "ping"], check=False, capture_output=True, text=True
                ).stdout.strip()
                == "PONG"
            ):
                return
            time.sleep(0.05)
        raise RuntimeError("the test's Redis did not start")

    def kill(self) -> None:
        """SIGKILL: every connection drops at once and nothing is saved (as a crash)."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def dedicated_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.close()


# ----- a PostgreSQL cluster of the test's own ----------------------------------------------------
class PostgresCluster:
    """initdb + pg_ctl on a free port, as scripts/services.sh does (as root: run as postgres)."""

    def __init__(self) -> None:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not candidates:
            pytest.fail("PostgreSQL's initdb is not installed: `make services` installs it")
        self.bin = Path(candidates[-1]).parent
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="yl-fault-pg-"))
        self.data = self.dir / "data"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, text=True)

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "pg.log"), "-w", "start", "-o", options)

    def copy_database(self, source_dsn: str, name: str) -> None:
        """A database of another server, copied here (faster than migrating one afresh)."""
        target = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        subprocess.run(
            [str(self.bin / "psql"), target, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True
        )
        dump = subprocess.run([str(self.bin / "pg_dump"), "-Fc", source_dsn], check=True, capture_output=True)
        subprocess.run(
            [str(self.bin / "pg_restore"), "--no-owner", "-d", target.replace("dbname=postgres", f"dbname={name}")],
            input=dump.stdout,
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        """Fast shutdown: every session is ended at once, as a restart or failover does."""
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def dedicated_postgres() -> Iterator[PostgresCluster]:
    """A cluster for this module, made the one tests/live.py creates stacks on while its tests run
    (the session's migrated template is copied there; the shared server is used again after)."""
    require_services()
    template = live.ensure_template()  # on the shared server, migrated once per session
    cluster = PostgresCluster()
    cluster.init()
    cluster.start()
    cluster.copy_database(live.admin_dsn().replace("dbname=postgres", f"dbname={template}"), template)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", cluster.url)
        patch.setattr(live, "_templates", {live.ROOT: template})
        yield cluster
    cluster.close()


# ----- people -----------------------------------------------------------------------------------
PASSWORD = "test-pass-123"


def new_youth(stack: LiveStack, url: str | None = None) -> dict:
    status, body = http_json(
        "POST", (url or stack.urls[0]) + "/api/v1/auth/youth", {"channel": "web", "nickname": "小林"}
    )
    assert status == 201, body
    return body


def new_staff(stack: LiveStack, role: str = "counselor", topics: list[str] | None = None) -> dict:
    username = f"fault-{role}-{uuid.uuid4().hex[:8]}"
    user_id = stack.create_staff(username=username, role=role, topics=topics, name=f"{role} {username[-4:]}")
    status, body = http_json("POST", stack.urls[0] + "/api/v1/auth/login", {"username": username, "password": PASSWORD})
    assert status == 200, body
    return {**body, "user_id": user_id, "username": username}


def open_conversation(
    stack: LiveStack,
    youth_urls: list[str],
    counselor_urls: list[str],
    topic: str = "psych",
    people: tuple[dict, dict] | None = None,
) -> tuple[Participant, Participant]:
    """A counselor (available) and a youth paired in one active conversation, as two Participants
    (`people`: a youth and a counselor signed in earlier, else new ones)."""
    youth, counselor = people or (new_youth(stack), new_staff(stack, topics=[topic]))
    c_conn, _ = authenticate(counselor_urls[0], counselor["access"])
    y_conn, _ = authenticate(youth_urls[0], youth["access"])
    import json

    c_conn.send(json.dumps({"type": "presence", "status": "available"}))
    _wait_for(c_conn, "presence.ok")
    y_conn.send(json.dumps({"type": "consult.request", "topic": topic}))
    conversation = _wait_for(y_conn, "queue.joined")["conversation"]
    _wait_for(y_conn, "conversation.assigned")
    _wait_for(c_conn, "conversation.assigned")
    y = Participant("youth", "youth", youth_urls, youth["access"], conversation, conn=y_conn)
    c = Participant("counselor", "counselor", counselor_urls, counselor["access"], conversation, conn=c_conn)
    return y, c


def _wait_for(conn, type_: str, timeout: float = 15.0) -> dict:
    import json

    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(conn.recv(timeout=max(0.01, deadline - time.monotonic())))
        if frame.get("type") == type_:
            return frame


def exchange(people: list[Participant], seconds: float, every_s: float = 0.05) -> None:
    """Each person says something every `every_s` and reads what came, for `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for person in people:
            person.say()
            person.pump(every_s / len(people))


def assert_healthy(url: str, stack: LiveStack, people: tuple[dict, dict] | None = None) -> float:
    """A fresh socket authenticates and relays a message to the other side; returns the relay's
    latency in ms. (A new conversation: a youth and a counselor, for `legal`, on that process.)"""
    y, c = open_conversation(stack, [url], [url], topic="legal", people=people)
    try:
        started = time.monotonic()
        client_id = y.say("还好吗")
        deadline = started + 15
        while time.monotonic() < deadline:
            c.pump(0.05)
            y.pump(0.0)
            if any(m["client_id"] == client_id for m in c.seen.values()):
                return (time.monotonic() - started) * 1000
        raise AssertionError(f"a fresh socket on {url} did not relay a message: youth {y.errors}, counselor {c.errors}")
    finally:
        y.close()
        c.close()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.fixture(scope="module")
def overload_stack() -> Iterator[LiveStack]:
    """One process (and a job worker) with production limits, for a module's tests (the fuzz,
    the slow reader and the flood): what sockets do to the process is what they measure. Per
    module, so it stops when they are done rather than idling through the rest of the suite."""
    require_services()
    stack = LiveStack(processes=1, workers=1, env=FAULT_ENV).start()
    yield stack
    stack.stop()
