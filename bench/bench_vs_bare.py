"""One Youthline process against a bare Channels `group_send` relay, side by side, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/youthline REDIS_URL=redis://127.0.0.1:56379/0 \
        .venv/bin/python bench/bench_vs_bare.py [--pairs 100] [--window 4] [--seconds 10] [--rounds 3]

Both servers are Daphne processes pinned to the same core (taskset -c 0), on the same Redis
pub/sub channel layer; the driver (this process, asyncio + websockets) runs on the other core.
- bare: bench/bare_relay.py, a consumer that group_sends each text frame to its room and hands
  every relayed event to its socket; nothing else.
- Youthline: the real thing on a fresh PostgreSQL database: youths signed up, counselors signed in
  and available, each youth paired by the queue; each message is checked, sanitized, scanned,
  stored (idempotent by client_id), acknowledged and relayed to the conversation.
Each pair is a sender and a receiver in one room / conversation; the sender keeps `--window`
messages in flight (sent, not yet seen by the receiver): a closed loop that saturates the server
whatever its speed. Rounds alternate (bare, Youthline, bare, ...) so that the machine's other
work hits both alike; each round counts what receivers got over `--seconds` after a warm-up.
Prints per round and the best of each: relayed messages/s, p50/p99 relay latency, the server's
CPU ms per message, and the ratio Youthline / bare. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loadtests import run as loadrun  # noqa: E402  (database, process and clean-up helpers)

PYTHON = sys.executable
TEXT = "老师好，我最近压力特别大，晚上总是睡不着。期中考试又没考好，我爸妈肯定又要骂我了"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pairs", type=int, default=60, help="sender/receiver pairs (default 60)")
    p.add_argument(
        "--window",
        type=int,
        default=1,
        help="messages in flight per pair (default 1: 60 in flight, under the 64 stores a process admits)",
    )
    p.add_argument("--seconds", type=float, default=10.0, help="counted seconds per round (default 10)")
    p.add_argument("--warmup", type=float, default=2.0, help="uncounted seconds before each round (default 2)")
    p.add_argument("--rounds", type=int, default=3, help="rounds of each server (default 3)")
    p.add_argument("--server-cpus", default="0", help="taskset list for both servers (default 0)")
    p.add_argument("--driver-cpus", default="1", help="this process's cores (default 1)")
    p.add_argument("--db", default="youthline_bench_bare", help="database created for the run")
    return p.parse_args()


# ----- the two servers ---------------------------------------------------------------------------
def start_servers(stack: loadrun.Stack, args: argparse.Namespace, database_url: str, redis_url: str) -> dict:
    run_url = loadrun.create_database(stack, database_url, args.db)
    env = {
        **os.environ,
        "DATABASE_URL": run_url,
        "REDIS_URL": redis_url,
        "CHANNELS_PREFIX": f"bench{os.getpid()}",
        "DJANGO_DEBUG": "0",
        "AUTH_RATE_PER_MIN": "1000000",
        "SIGNUP_RATE_PER_MIN": "1000000",
        "WS_RATE_PER_S": "100000",
        "WS_RATE_BURST": "100000",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    counselors = max(1, (args.pairs + 9) // 10)
    loadrun.manage(env, "migrate", "--noinput", "-v0")
    loadrun.create_counselors(env, counselors, 10)
    log_dir = ROOT / "var" / "bench-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    ports = {}
    for name, app, extra in (
        ("youthline", "youthline.asgi:application", {}),
        ("bare", "bench.bare_relay:application", {"DJANGO_SETTINGS_MODULE": "bench.bare_relay"}),
    ):
        port = loadrun.free_port()
        log = log_dir / f"{name}.log"
        cmd = loadrun.pinned(args.server_cpus, [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app])
        proc = stack.spawn(cmd, cwd=ROOT, env={**env, **extra}, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        ports[name] = (port, proc, log)
    for port, proc, log in ports.values():
        loadrun.wait_up(port, proc, log)
    return {"ports": ports, "counselors": counselors}


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its children, in seconds."""
    import psutil

    process = psutil.Process(pid)
    return sum(p.cpu_times().user + p.cpu_times().system for p in [process, *process.children(recursive=True)])


# ----- the driver ------------------------------------------------------------------------------------
class Pair:
    """A sender and a receiver; `kind` says how frames are built and recognised."""

    def __init__(self, kind: str, sender, receiver, conversation: int = 0) -> None:
        self.kind, self.sender, self.receiver, self.conversation = kind, sender, receiver, conversation
        self.numbers = itertools.count(1)
        self.texts: dict[str, str] = {}  # client_id -> the frame, until received (to send it again)
        self.credit = asyncio.Semaphore(0)

    def frame(self) -> tuple[str, str]:
        client_id = f"b{id(self) % 100000}-{next(self.numbers)}"
        if self.kind == "bare":
            return client_id, json.dumps({"type": "message", "client_id": client_id, "text": TEXT}, ensure_ascii=False)
        body = {
            "type": "message.send",
            "conversation": self.conversation,
            "client_id": client_id,
            "text": TEXT,
            "ref": client_id,
        }
        return client_id, json.dumps(body, ensure_ascii=False)


class Round:
    def __init__(self) -> None:
        self.counting = False
        self.received = 0
        self.refused = 0  # `busy` answers, each sent again
        self.latencies: list[float] = []


async def http_json(base: str, path: str, body: dict) -> dict:
    """tests/wsclient.py's POST, off the event loop."""
    from tests.wsclient import http_json as post

    status, answer = await asyncio.to_thread(post, "POST", base + path, body)
    if status >= 300:
        raise SystemExit(f"{path} answered {status}: {answer}")
    return answer


async def recv_type(ws, type_: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic())))
        if frame.get("type") == type_:
            return frame


async def open_bare(port: int, pairs: int) -> list[Pair]:
    from websockets.asyncio.client import connect

    out = []
    for room in range(pairs):
        url = f"ws://127.0.0.1:{port}/bare/?room={room}"
        out.append(Pair("bare", await connect(url, max_queue=None), await connect(url, max_queue=None)))
    return out


async def open_youthline(port: int, pairs: int, counselors: int) -> list[Pair]:
    from websockets.asyncio.client import connect

    base, ws_url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws/v1/"
    staff = []
    for n in range(1, counselors + 1):
        tokens = await http_json(
            base,
            "/api/v1/auth/login",
            {"username": loadrun.COUNSELOR_FMT.format(n), "password": loadrun.COUNSELOR_PASSWORD},
        )
        ws = await connect(ws_url, max_queue=None)
        await ws.send(json.dumps({"type": "auth", "token": tokens["access"]}))
        await recv_type(ws, "auth.ok")
        await ws.send(json.dumps({"type": "presence", "status": "available"}))
        staff.append(ws)
    assigned: dict[int, object] = {}

    async def listen(ws) -> None:
        with contextlib.suppress(Exception):
            while len(assigned) < pairs:
                frame = json.loads(await ws.recv())
                if frame.get("type") == "conversation.assigned":
                    assigned[frame["conversation"]] = ws

    listeners = [asyncio.create_task(listen(ws)) for ws in staff]
    out = []
    for _ in range(pairs):
        tokens = await http_json(base, "/api/v1/auth/youth", {"channel": "web"})
        ws = await connect(ws_url, max_queue=None)
        await ws.send(json.dumps({"type": "auth", "token": tokens["access"]}))
        await recv_type(ws, "auth.ok")
        await ws.send(json.dumps({"type": "consult.request", "topic": "psych"}))
        conversation = (await recv_type(ws, "conversation.assigned"))["conversation"]
        out.append((conversation, ws))
    deadline = time.monotonic() + 30
    while len(assigned) < pairs and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for task in listeners:
        task.cancel()
    if len(assigned) < pairs:
        raise SystemExit(f"only {len(assigned)} of {pairs} conversations reached a counselor")
    return [Pair("youthline", ws, assigned[conversation], conversation) for conversation, ws in out]


async def drive(pairs: list[Pair], window: int, warmup: float, seconds: float) -> Round:
    """Every pair keeps `window` messages in flight until the round ends; receivers count.

    One reader per socket (a counselor's socket receives for up to ten conversations): a frame
    counts when the pair's receiver gets the message its sender sent; echoes are read and dropped."""
    result = Round()
    stop = asyncio.Event()
    pending: dict[str, tuple[Pair, float]] = {}
    resends: list[asyncio.Task[None]] = []
    attempts: dict[str, int] = {}

    async def resend(client_id: str) -> None:
        # As the page does (ws-client.js): a growing delay with jitter, 50 ms doubled, 2 s at most.
        tries = attempts[client_id] = attempts.get(client_id, 0) + 1
        ceiling = min(2.0, 0.05 * 2 ** (tries - 1))
        await asyncio.sleep(ceiling / 2 + random.random() * ceiling / 2)
        entry = pending.get(client_id)
        if entry is not None and not stop.is_set():
            await entry[0].sender.send(entry[0].texts[client_id])

    async def read(ws) -> None:
        async for raw in ws:
            if raw.startswith('{"type":"error"'):
                # `busy`: the store was not admitted (nothing stored); send it again shortly,
                # as the clients do. Anything else is a failure of the run.
                error = json.loads(raw)
                if error.get("code") in ("busy", "unavailable") and error.get("ref") in pending:
                    resends.append(asyncio.create_task(resend(error["ref"])))
                    result.refused += 1
                    continue
                raise SystemExit(f"the server refused a frame: {raw}")
            if '"message"' not in raw[:40]:
                continue
            client_id = json.loads(raw).get("client_id", "")
            entry = pending.get(client_id)
            if entry is None or entry[0].receiver is not ws:
                continue
            del pending[client_id]
            pair, sent = entry
            pair.texts.pop(client_id, None)
            if result.counting:
                result.received += 1
                result.latencies.append(time.perf_counter() - sent)
            pair.credit.release()

    async def send_loop(pair: Pair) -> None:
        for _ in range(window):
            pair.credit.release()
        while not stop.is_set():
            await pair.credit.acquire()
            if stop.is_set():
                return
            client_id, text = pair.frame()
            pair.texts[client_id] = text
            pending[client_id] = (pair, time.perf_counter())
            await pair.sender.send(text)

    sockets = {id(ws): ws for pair in pairs for ws in (pair.sender, pair.receiver)}
    tasks = [asyncio.create_task(read(ws)) for ws in sockets.values()]
    tasks += [asyncio.create_task(send_loop(pair)) for pair in pairs]
    await asyncio.sleep(warmup)
    result.counting = True
    await asyncio.sleep(seconds)
    result.counting = False
    stop.set()
    await asyncio.sleep(1.0)  # let in-flight messages land before the next round
    for task in tasks + resends:
        task.cancel()
    await asyncio.gather(*tasks, *resends, return_exceptions=True)
    for pair in pairs:
        pair.credit = asyncio.Semaphore(0)
        pair.texts.clear()
    return result


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def bench(args: argparse.Namespace, servers: dict) -> None:
    ports = servers["ports"]
    print(f"[bench] opening {args.pairs} pairs on each server", flush=True)
    sets = {
        "bare": await open_bare(ports["bare"][0], args.pairs),
        "youthline": await open_youthline(ports["youthline"][0], args.pairs, servers["counselors"]),
    }
    rows: dict[str, list[tuple[float, float, float, float]]] = {"bare": [], "youthline": []}
    for round_number in range(1, args.rounds + 1):
        for name in ("bare", "youthline"):
            pid = ports[name][1].pid
            cpu_before = cpu_seconds(pid)
            wall_before = time.perf_counter()
            result = await drive(sets[name], args.window, args.warmup, args.seconds)
            # CPU over the whole round (warm-up and settle included) per message received in it
            # would mix in idle time; count it per message counted, over the counted window only.
            cpu = cpu_seconds(pid) - cpu_before
            wall = time.perf_counter() - wall_before
            rate = result.received / args.seconds
            cpu_ms = 1000 * cpu * (args.seconds / wall) / max(1, result.received)
            p50, p99 = percentile(result.latencies, 0.5) * 1000, percentile(result.latencies, 0.99) * 1000
            rows[name].append((rate, p50, p99, cpu_ms))
            print(
                f"[bench] round {round_number} {name:<9} {rate:8.0f} msg/s relayed   p50 {p50:7.1f} ms   "
                f"p99 {p99:7.1f} ms   server CPU {cpu_ms:.3f} ms/msg   busy (sent again) {result.refused}",
                flush=True,
            )
    best = {name: max(values, key=lambda row: row[0]) for name, values in rows.items()}
    medians = {name: statistics.median(row[0] for row in values) for name, values in rows.items()}
    print(
        "\n".join(
            [
                "",
                "RELAY vs BARE group_send (one process each, same core, same Redis pub/sub layer)",
                f"  pairs {args.pairs}, {args.window} in flight per pair, {args.rounds} rounds of {args.seconds:g} s",
                *(
                    f"  {name:<10} best {best[name][0]:7.0f} msg/s (median {medians[name]:7.0f})   "
                    f"p50 {best[name][1]:6.1f} ms   p99 {best[name][2]:6.1f} ms   CPU {best[name][3]:.3f} ms/msg"
                    for name in ("bare", "youthline")
                ),
                (
                    f"  ratio youthline / bare: {best['youthline'][0] / best['bare'][0]:.2f} (best), "
                    f"{medians['youthline'] / medians['bare']:.2f} (median)"
                ),
            ]
        ),
        flush=True,
    )


def main() -> int:
    args = parse_args()
    database_url, redis_url = loadrun.local_services("bench/bench_vs_bare.py")
    if args.driver_cpus and hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {int(c) for c in args.driver_cpus.split(",")})
    stack = loadrun.Stack()
    try:
        servers = start_servers(stack, args, database_url, redis_url)
        asyncio.run(bench(args, servers))
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        stack.stop(keep_db=False)


if __name__ == "__main__":
    sys.exit(main())
