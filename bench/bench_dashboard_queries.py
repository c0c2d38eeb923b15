"""Database queries per minute while staff consoles sit open in real browser tabs.

    make services
    .venv/bin/python bench/bench_dashboard_queries.py [--supervisors 20] [--counselors 5] [--window 60]
        [--activity] [--repo PATH]

Starts a real stack (tests/live.py's LiveStack: Daphne processes on PostgreSQL and Redis),
opens N supervisor consoles and M counselor consoles in headless Chromium (one browser, one
context per role, one tab per account, each signed in through the login page), lets them
load and settle, then counts, from outside the servers, what the stack's database executes
during a fixed window: `pg_stat_statements` (loaded by scripts/services.sh) is reset for the
stack's database only and its `calls` are summed at the end. Counselor tabs stay "away", so
the queue never hands them a conversation.

With --activity, a few youths talk with counselors during the window, over the WebSocket
(tests/wsclient.py, not a browser): each pair requests a consultation on its own topic, the
counselor's socket answers every youth message, and after a few exchanges the youth ends and
the counselor files the wrap-up, then the youth asks again. That is what makes the dashboard
and the queue counters change, so a push design has something to push.

Prints queries per minute (and the statements most called, normalized), CPU seconds of the
server processes and of the database's PostgreSQL backends over the window, and the frames
the tabs sent and received per minute by type. It asserts nothing about the figures.

--repo runs the servers from another checkout of the project with this checkout's Python
(PYTHONPATH and the working directory point at the other checkout), to measure an older
commit: `git worktree add /tmp/yl-before bb7a20d`, then `--repo /tmp/yl-before`.
Everything it starts is stopped and the database it creates is dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The test services `make services` starts, unless the environment names others.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/youthline")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:56379/0")

from playwright.sync_api import Page, WebSocket, sync_playwright  # noqa: E402

from tests.live import LiveStack  # noqa: E402
from tests.wsclient import WsClient, http_json  # noqa: E402

PASSWORD = "bench-pass-123"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Every tab stands for a console on its own screen: no timer throttling of background tabs.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
TOPICS = ["psych", "legal", "aid"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Statements that are no query of the application's data: transaction control and session settings.
NOT_DATA = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|SHOW|DISCARD)\b", re.IGNORECASE)
# PostgreSQL's own foreign-key check. Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, so the
# check runs at COMMIT, where pg_stat_statements counts it as a top-level statement; no client sent it.
FK_CHECK = re.compile(r'^SELECT \S+ FROM ONLY "[^"]+"\."[^"]+" x WHERE .* FOR KEY SHARE OF x$', re.DOTALL)


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # fields 14 and 15 of stat(5)


def checkout_label(repo: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()[:90] if done.returncode == 0 else "(not a git checkout)"


# ── the tabs ─────────────────────────────────────────────────────────────


class FrameCounts:
    """WebSocket frames a tab sent and received, by type (Playwright's view of the page's socket)."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self.received: Counter[str] = Counter()
        self.received_bytes: Counter[str] = Counter()

    def watch(self, page: Page) -> None:
        page.on("websocket", self._socket)

    def _socket(self, ws: WebSocket) -> None:
        ws.on("framesent", lambda payload: self.sent.update([frame_type(payload)]))
        ws.on("framereceived", self._received)

    def _received(self, payload: str | bytes) -> None:
        kind = frame_type(payload)
        self.received[kind] += 1
        self.received_bytes[kind] += len(payload)

    def snapshot(self) -> tuple[Counter[str], Counter[str], Counter[str]]:
        return self.sent.copy(), self.received.copy(), self.received_bytes.copy()


def frame_type(payload: str | bytes) -> str:
    try:
        return str(json.loads(payload).get("type", "?"))
    except (ValueError, AttributeError):
        return "?"


def sign_in(page: Page, base: str, username: str, landing: str) -> None:
    """Sign in through the login page, as tests/e2e/test_pages.py does; the role's console opens."""
    page.goto(base + "/console/")
    page.wait_for_url(re.compile(r"/console/login/"))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(re.compile(landing + "$"))


def wait_for_frames(page: Page, counts: FrameCounts, needed: list[str], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not all(counts.received[kind] for kind in needed):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{page.url}: no {needed} within {timeout_s} s; got {dict(counts.received)}")
        page.wait_for_timeout(100)


# ── light activity over the WebSocket ────────────────────────────────────


class ActivityPair(threading.Thread):
    """One youth and one counselor on one topic: ask, answer, end, wrap up, ask again."""

    def __init__(
        self,
        youth_url: str,
        staff_url: str,
        counselor_token: str,
        topic: str,
        every_s: float,
        exchanges: int,
        stop: threading.Event,
    ) -> None:
        super().__init__(daemon=True, name=f"activity-{topic}")
        self.youth_url, self.staff_url, self.counselor_token = youth_url, staff_url, counselor_token
        self.topic, self.every_s, self.exchanges, self.stop = topic, every_s, exchanges, stop
        self.events: list[tuple[float, str]] = []  # (monotonic time, "conversation" | "youth" | "answer")
        self.error: BaseException | None = None
        self.ready = threading.Event()

    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # noqa: BLE001 - reported by the main thread: the activity figure is then wrong
            self.error = exc
            self.ready.set()

    def _run(self) -> None:
        status, identity = http_json(
            "POST", self.youth_url + "/api/v1/auth/youth", {"channel": "web", "nickname": f"bench-{self.topic}"}
        )
        if status != 201:
            raise RuntimeError(f"youth identity: {status} {identity}")
        with (
            WsClient(self.staff_url, self.counselor_token) as counselor,
            WsClient(self.youth_url, identity["access"]) as youth,
        ):
            counselor.request({"type": "presence", "status": "available"}, "presence.ok")
            self.ready.set()
            n = 0
            while not self.stop.is_set():
                youth.send({"type": "consult.request", "topic": self.topic})
                conversation = counselor.recv("conversation.assigned", timeout=15)["conversation"]
                youth.recv("conversation.assigned", timeout=15, conversation=conversation)
                self.events.append((time.monotonic(), "conversation"))
                for _ in range(self.exchanges):
                    if self.stop.wait(self.every_s):
                        break
                    n += 1
                    youth.send(
                        {
                            "type": "message.send",
                            "conversation": conversation,
                            "client_id": f"y{n}",
                            "text": "最近作业有点多，想找人聊聊",
                        }
                    )
                    counselor.recv("message", conversation=conversation, sender="youth")
                    self.events.append((time.monotonic(), "youth"))
                    counselor.send(
                        {
                            "type": "message.send",
                            "conversation": conversation,
                            "client_id": f"c{n}",
                            "text": "我在听，愿意说说是哪门功课让你最累吗？",
                        }
                    )
                    youth.recv("message", conversation=conversation, sender="counselor")
                    self.events.append((time.monotonic(), "answer"))
                    # Acks, echoes and whatever the server pushes are not needed: keep the buffers small.
                    youth.buffer.clear()
                    counselor.buffer.clear()
                youth.send({"type": "conversation.end", "conversation": conversation})
                counselor.recv("conversation.ended", conversation=conversation)
                counselor.request(
                    {
                        "type": "wrapup.submit",
                        "conversation": conversation,
                        "wrapup": {
                            "category": "study",
                            "risk_level": 0,
                            "summary": "学业压力，已倾听。",
                            "needs_followup": False,
                        },
                    },
                    "wrapup.ok",
                )
                youth.buffer.clear()
                counselor.buffer.clear()
                self.stop.wait(self.every_s)
            counselor.request({"type": "presence", "status": "away"}, "presence.ok")

    def count(self, start: float, end: float) -> Counter[str]:
        return Counter(kind for at, kind in list(self.events) if start <= at <= end)


# ── the measurement ──────────────────────────────────────────────────────


def statement_calls(stack: LiveStack, dbid: int) -> list[tuple[int, str, bool]]:
    """(calls, normalized text, sent by a client) of every statement of the database since the reset.

    Not sent by a client: run inside another statement (track=all counts those too), or a
    foreign-key check run at COMMIT.
    """
    rows = stack.sql("SELECT calls, query, toplevel FROM pg_stat_statements WHERE dbid = %s", (dbid,))
    # The benchmark's own statements on this database (the reset, this read) are not the servers'.
    return [
        (int(calls), query, toplevel and not FK_CHECK.match(query))
        for calls, query, toplevel in rows
        if "pg_stat_statements" not in query
    ]


def forget_dropped_databases(stack: LiveStack) -> None:
    """Drop the statistics of databases that no longer exist (other test runs' stacks).

    pg_stat_statements keeps pg_stat_statements.max entries for the whole cluster, and every test
    stack's database adds its own; when the table is full, entries are evicted, ours among them.
    """
    stack.sql(
        "SELECT pg_stat_statements_reset(0, dbid, 0) FROM (SELECT DISTINCT dbid FROM pg_stat_statements "
        "WHERE dbid NOT IN (SELECT oid FROM pg_database)) AS gone"
    )


def backend_pids(stack: LiveStack) -> list[int]:
    return [
        pid
        for (pid,) in stack.sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    ]


def per_minute(value: float, seconds: float) -> float:
    return value * 60.0 / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--supervisors", type=int, default=20, help="supervisor console tabs (default 20)")
    parser.add_argument("--counselors", type=int, default=5, help="counselor console tabs (default 5)")
    parser.add_argument("--window", type=float, default=60.0, help="seconds counted (default 60)")
    parser.add_argument(
        "--settle",
        type=float,
        default=10.0,
        help="seconds between the last tab loading and the start of the window (default 10)",
    )
    parser.add_argument(
        "--activity", action="store_true", help="youths ask and counselors answer over the WebSocket during the window"
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=3,
        choices=[1, 2, 3],
        help="youth/counselor pairs with --activity, one topic each (default 3)",
    )
    parser.add_argument(
        "--every", type=float, default=4.0, help="seconds between a pair's exchanges with --activity (default 4)"
    )
    parser.add_argument(
        "--exchanges",
        type=int,
        default=5,
        help="exchanges before the youth ends and asks again, with --activity (default 5)",
    )
    parser.add_argument("--processes", type=int, default=2, help="server processes (default 2); tabs alternate")
    parser.add_argument("--top", type=int, default=15, help="statements listed (default 15)")
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout the servers run from (default: this one)")
    args = parser.parse_args()

    repo = args.repo.resolve()
    if not (repo / "manage.py").is_file():
        parser.error(f"{repo} is not a checkout of the project (no manage.py)")
    # The servers and manage.py run from the other checkout with this Python; its packages come first.
    os.environ["PYTHONPATH"] = os.pathsep.join([str(repo), *filter(None, [os.environ.get("PYTHONPATH")])])

    print(f"checkout: {repo} ({checkout_label(repo)})")
    print(
        f"{args.supervisors} supervisor tabs, {args.counselors} counselor tabs, {args.processes} server "
        f"processes, window {args.window:g} s, "
        + (
            f"activity: {args.pairs} youth/counselor pairs, an exchange every {args.every:g} s, "
            f"{args.exchanges} per conversation"
            if args.activity
            else "idle (nobody chatting)"
        ),
        flush=True,
    )

    # Many sign-ins from one address within a minute: the login rate limit is not what is measured.
    stack = LiveStack(
        processes=args.processes, root=repo, env={"AUTH_RATE_PER_MIN": "100000", "SIGNUP_RATE_PER_MIN": "100000"}
    )
    stop_activity = threading.Event()
    pairs: list[ActivityPair] = []
    playwright = browser = None
    started = time.monotonic()
    try:
        stack.start()
        stack.sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        dbid = stack.sql("SELECT oid FROM pg_database WHERE datname = current_database()")[0][0]

        # One account per tab (username, role, topics), and one counselor per activity pair.
        tab_users = {
            "supervisor": [f"bench_sv{i}" for i in range(args.supervisors)],
            "counselor": [f"bench_co{i}" for i in range(args.counselors)],
        }
        pair_topics = TOPICS[: args.pairs] if args.activity else []
        accounts: list[tuple[str, str, list[str] | None]] = [
            (name, "supervisor", None) for name in tab_users["supervisor"]
        ]
        accounts += [(name, "counselor", TOPICS) for name in tab_users["counselor"]]
        accounts += [(f"bench_pair_{topic}", "counselor", [topic]) for topic in pair_topics]
        with ThreadPoolExecutor(2) as pool:  # each is a manage.py process; two cores
            list(
                pool.map(
                    lambda a: stack.create_staff(username=a[0], password=PASSWORD, role=a[1], topics=a[2], name=a[0]),
                    accounts,
                )
            )
        print(f"{len(accounts)} staff accounts created ({time.monotonic() - started:.0f} s)", flush=True)

        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        tabs: list[tuple[Page, FrameCounts]] = []
        for role, landing, needed in (
            ("supervisor", "/supervisor/", ["auth.ok", "dashboard"]),
            ("counselor", "/console/", ["auth.ok", "queue.stats"]),
        ):
            context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
            context.set_default_timeout(30_000)
            for i, username in enumerate(tab_users[role]):
                page = context.new_page()
                counts = FrameCounts()
                counts.watch(page)
                sign_in(page, stack.urls[i % len(stack.urls)], username, landing)
                wait_for_frames(page, counts, needed)
                tabs.append((page, counts))
        print(f"{len(tabs)} tabs signed in and connected ({time.monotonic() - started:.0f} s)", flush=True)
        waiter = tabs[0][0] if tabs else None

        def wait(seconds: float) -> None:
            # Inside a Playwright call its events (the frame counters) are dispatched; time.sleep would hold them.
            if waiter is not None:
                waiter.wait_for_timeout(seconds * 1000)
            else:
                time.sleep(seconds)

        if pair_topics:
            for topic in pair_topics:
                status, login = http_json(
                    "POST",
                    stack.urls[-1] + "/api/v1/auth/login",
                    {"username": f"bench_pair_{topic}", "password": PASSWORD},
                )
                if status != 200:
                    raise RuntimeError(f"login: {status} {login}")
                pairs.append(
                    ActivityPair(
                        stack.urls[0], stack.urls[-1], login["access"], topic, args.every, args.exchanges, stop_activity
                    )
                )
            for pair in pairs:
                pair.start()
            for pair in pairs:
                pair.ready.wait(30)
                if pair.error:
                    raise RuntimeError(f"activity {pair.name} failed") from pair.error

        wait(args.settle)

        servers, workers = stack.server_pids, stack.worker_pids  # no workers for a checkout without a job runner
        backends = backend_pids(stack)
        forget_dropped_databases(stack)
        stack.sql("SELECT pg_stat_statements_reset(0, %s, 0)", (dbid,))
        dealloc_before = stack.sql("SELECT dealloc FROM pg_stat_statements_info")[0][0]
        cpu_before = {pid: cpu_seconds(pid) for pid in servers + workers + backends}
        frames_before = [counts.snapshot() for _, counts in tabs]
        t0 = time.monotonic()
        wait(args.window)
        t1 = time.monotonic()
        calls = statement_calls(stack, dbid)
        backends_after = backend_pids(stack)
        cpu_after = {pid: cpu_seconds(pid) for pid in servers + workers + backends_after}
        dealloc_after = stack.sql("SELECT dealloc FROM pg_stat_statements_info")[0][0]
        frames_after = [counts.snapshot() for _, counts in tabs]
        elapsed = t1 - t0

        stop_activity.set()
        for pair in pairs:
            pair.join(20)

        # ── what the window cost ──
        total = sum(c for c, _, top in calls if top)
        not_data = sum(c for c, q, top in calls if top and NOT_DATA.match(q))
        nested = sum(c for c, _, top in calls if not top)
        print(f"\nwindow: {elapsed:.1f} s")
        print(
            f"queries: {total} = {per_minute(total, elapsed):,.0f} per minute "
            f"(data statements {per_minute(total - not_data, elapsed):,.0f}/min, "
            f"transaction control and SET {per_minute(not_data, elapsed):,.0f}/min)"
        )
        print(
            f"  not counted above, run by PostgreSQL itself (foreign-key checks at COMMIT, statements inside "
            f"functions): {per_minute(nested, elapsed):,.0f}/min"
        )
        if dealloc_after != dealloc_before:
            print(
                f"  WARNING: pg_stat_statements evicted {dealloc_after - dealloc_before} times during the window "
                "(its table was full, other databases share it): the counts may be low"
            )

        def used(pids: list[int]) -> float:
            return sum(
                (cpu_after.get(pid) or 0.0) - (cpu_before.get(pid) or 0.0)
                for pid in pids
                if cpu_after.get(pid) is not None
            )

        per_server = ", ".join(f"{used([pid]):.2f}" for pid in servers)
        print(
            f"server CPU: {used(servers):.2f} s over the window ({100 * used(servers) / elapsed:.1f}% of one core; "
            f"per process {per_server})"
        )
        if workers:
            print(f"job worker CPU: {used(workers):.2f} s ({len(workers)} workers)")
        print(
            f"PostgreSQL backends of the database: {used(backends_after):.2f} s CPU "
            f"({len(backends_after)} connections at the end)"
        )

        sent: Counter[str] = Counter()
        received: Counter[str] = Counter()
        received_bytes: Counter[str] = Counter()
        for (s0, r0, b0), (s1, r1, b1) in zip(frames_before, frames_after, strict=True):
            sent += s1 - s0
            received += r1 - r0
            received_bytes += b1 - b0

        def rates(counts: Counter[str], sizes: Counter[str] | None = None) -> str:
            parts = []
            for kind, n in counts.most_common():
                size = f" ({per_minute(sizes[kind], elapsed) / 1024:,.0f} KiB)" if sizes is not None else ""
                parts.append(f"{kind} {per_minute(n, elapsed):,.0f}{size}")
            return ", ".join(parts) or "none"

        print(f"frames per minute, all tabs: sent {rates(sent)}")
        print(f"                         received {rates(received, received_bytes)}")
        if args.activity:
            done = sum((pair.count(t0, t1) for pair in pairs), Counter())
            print(
                f"activity in the window: {done['conversation']} conversations assigned, {done['youth']} youth "
                f"messages, {done['answer']} answers"
            )
            for pair in pairs:
                if pair.error:
                    print(f"  WARNING: {pair.name} failed: {pair.error!r}")

        print(f"\ntop {args.top} statements by calls (normalized, first 80 characters):")
        print(f"{'calls':>8} {'/min':>8}  query")
        for count, query, top in sorted(calls, key=lambda row: -row[0])[: args.top]:
            inside = "" if top else "(by PostgreSQL) "
            print(f"{count:>8} {per_minute(count, elapsed):>8,.0f}  {inside}{' '.join(query.split())[:80]}")
    finally:
        stop_activity.set()
        if browser is not None:
            browser.close()
        if playwright is not None:
            playwright.stop()
        for pair in pairs:
            pair.join(15)
        if stack.db_name:
            stack.stop()


if __name__ == "__main__":
    main()
