"""Authenticated socket opens per second, and a reconnect storm after a process restart.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/youthline REDIS_URL=redis://127.0.0.1:56379/0 \
        .venv/bin/python bench/bench_opens.py [--sockets 10000] [--rate-sockets 3000] [--concurrency 200]

One Daphne process (pinned to core 0, Redis pub/sub layer, a fresh PostgreSQL database), youth
identities minted in bulk with tokens signed by the server's key; this process drives on core 1
(asyncio + websockets), each open being: TCP connect, the WebSocket handshake, an `auth` frame,
the `auth.ok` answer (the token checked, the session row written, the socket's groups joined).

1. **Opens per second**: `--rate-sockets` sockets opened with `--concurrency` handshakes in
   flight, then closed; the rate, the time to `auth.ok` (p50/p99) and the server's CPU per open.
2. **Reconnect storm**: `--sockets` sockets open and idle; the server is killed (-9) and started
   again; every client reconnects at once, each after a random delay of up to `--jitter-s` (the
   page's first reconnect waits 0.5-1 s), with `--concurrency` handshakes in flight per
   reconnect wave. Prints how long until every youth is back (and how many were not), the rate,
   the time from the restart to each `auth.ok` (p50/p99) and the server's CPU per open.
Prints figures; asserts nothing. Everything started is stopped and the database dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_relay import mint_youth_tokens  # noqa: E402  (bulk identities, tokens signed with the server's key)
from bench.bench_vs_bare import cpu_seconds, percentile  # noqa: E402
from loadtests import run as loadrun  # noqa: E402  (database, process and clean-up helpers)

PYTHON = sys.executable


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sockets", type=int, default=10_000, help="sockets in the reconnect storm (default 10000)")
    p.add_argument("--rate-sockets", type=int, default=3000, help="sockets opened for the rate (default 3000)")
    p.add_argument("--concurrency", type=int, default=200, help="handshakes in flight (default 200)")
    p.add_argument("--jitter-s", type=float, default=1.0, help="storm: reconnects spread over this (default 1 s)")
    p.add_argument("--server-cpus", default="0", help="taskset list for the server (default 0)")
    p.add_argument("--driver-cpus", default="1", help="this process's cores (default 1)")
    p.add_argument("--db", default="youthline_bench_opens", help="database created for the run")
    p.add_argument("--skip-storm", action="store_true", help="only the opens per second")
    return p.parse_args()


class Server:
    """The one Daphne process, which the storm kills and starts again on the same port."""

    def __init__(self, stack: loadrun.Stack, env: dict, cpus: str) -> None:
        self.stack, self.env, self.cpus = stack, env, cpus
        self.port = loadrun.free_port()
        self.log = ROOT / "var" / "bench-logs" / "opens-daphne.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        cmd = loadrun.pinned(
            self.cpus, [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "youthline.asgi:application"]
        )
        self.proc = self.stack.spawn(cmd, cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        loadrun.wait_up(self.port, self.proc, self.log)

    def kill(self) -> None:
        assert self.proc is not None  # noqa: S101 - started before
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def cpu_seconds(self) -> float:
        assert self.proc is not None  # noqa: S101 - started before
        return cpu_seconds(self.proc.pid)


async def open_socket(url: str, token: str, failures: Counter[str]):
    import websockets

    try:
        ws = await websockets.connect(url, compression=None, open_timeout=60, ping_interval=None, close_timeout=2)
        await ws.send(f'{{"type":"auth","token":"{token}"}}')
        reply = await asyncio.wait_for(ws.recv(), 60)
        if '"auth.ok"' not in reply:
            failures["refused: " + str(reply)[:60]] += 1
            await ws.close()
            return None
        return ws
    except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
        failures[type(exc).__name__] += 1
        return None


async def open_gated(url: str, token: str, failures: Counter[str], gate: asyncio.Semaphore):
    """One open while at most the gate's count are in flight: the socket (None if it failed,
    counted) and how long the open took once through the gate."""
    async with gate:
        started = time.perf_counter()
        return await open_socket(url, token, failures), time.perf_counter() - started


async def close_all(sockets: list) -> None:
    async def close(ws) -> None:
        with contextlib.suppress(Exception):
            await ws.close()

    for i in range(0, len(sockets), 1000):
        await asyncio.gather(*(close(ws) for ws in sockets[i : i + 1000]))


async def opens_per_second(server: Server, tokens: list[str], concurrency: int) -> None:
    url = f"ws://127.0.0.1:{server.port}/ws/v1/"
    failures: Counter[str] = Counter()
    warm = [await open_socket(url, token, failures) for token in tokens[:50]]  # code loaded, connections made
    await close_all([ws for ws in warm if ws])
    await asyncio.sleep(1)
    rest = tokens[50:]
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(token: str):
        ws, seconds = await open_gated(url, token, failures, gate)
        if ws is not None:
            latencies.append(seconds)
        return ws

    cpu_before, t = server.cpu_seconds(), time.perf_counter()
    opened = [ws for ws in await asyncio.gather(*(one(token) for token in rest)) if ws is not None]
    wall, cpu = time.perf_counter() - t, server.cpu_seconds() - cpu_before
    print(
        f"\nOPENS: {len(opened)} authenticated sockets in {wall:.1f} s = {len(opened) / wall:.0f} opens/s "
        f"({concurrency} in flight); to auth.ok p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms; server CPU {1000 * cpu / max(1, len(opened)):.2f} ms "
        f"per open; failures {dict(failures) or 'none'}",
        flush=True,
    )
    await close_all(opened)


async def reconnect_storm(server: Server, tokens: list[str], concurrency: int, jitter_s: float) -> None:
    url = f"ws://127.0.0.1:{server.port}/ws/v1/"
    failures: Counter[str] = Counter()
    gate = asyncio.Semaphore(concurrency)

    t = time.perf_counter()
    opened = await asyncio.gather(*(open_gated(url, token, failures, gate) for token in tokens))
    held = [ws for ws, _ in opened if ws is not None]
    print(
        f"\nSTORM: {len(held)} sockets open and idle (opened in {time.perf_counter() - t:.1f} s; "
        f"failures {dict(failures) or 'none'})",
        flush=True,
    )
    server.kill()
    await close_all(held)  # the clients notice the drop (their sockets are dead)
    server.start()
    restarted = time.perf_counter()
    cpu_before = server.cpu_seconds()
    failures.clear()
    back_at: list[float] = []

    async def come_back(token: str):
        await asyncio.sleep(random.random() * jitter_s)
        for attempt in range(6):  # refused or failed: the page backs off and tries again
            ws, _ = await open_gated(url, token, failures, gate)
            if ws is not None:
                back_at.append(time.perf_counter() - restarted)
                return ws
            await asyncio.sleep(min(8.0, 0.5 * 2**attempt) * random.uniform(0.5, 1.0))
        return None

    back = [ws for ws in await asyncio.gather(*(come_back(token) for token in tokens)) if ws is not None]
    wall, cpu = time.perf_counter() - restarted, server.cpu_seconds() - cpu_before
    print(
        f"STORM: after the restart {len(back)} of {len(tokens)} youths back in {wall:.1f} s "
        f"({len(back) / wall:.0f} opens/s); from the restart to auth.ok p50 {percentile(back_at, 0.5):.1f} s, "
        f"p99 {percentile(back_at, 0.99):.1f} s, last {max(back_at, default=float('nan')):.1f} s; "
        f"server CPU {1000 * cpu / max(1, len(back)):.2f} ms per open; failed attempts "
        f"{dict(failures) or 'none'}",
        flush=True,
    )
    await close_all(back)


def main() -> int:
    args = parse_args()
    database_url, redis_url = loadrun.local_services("bench/bench_opens.py")
    want = args.sockets + 2000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, want + 1000), hard))
    if args.driver_cpus and hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {int(c) for c in args.driver_cpus.split(",")})
    stack = loadrun.Stack()
    try:
        url = loadrun.create_database(stack, database_url, args.db)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "DJANGO_DEBUG": "0",
            "CHANNELS_PREFIX": f"bopen{os.getpid()}",
            "PYTHONUNBUFFERED": "1",
            "WS_AUTH_TIMEOUT_S": "60",
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        loadrun.manage(env, "migrate", "--noinput", "-v0")
        t = time.perf_counter()
        count = max(args.sockets, args.rate_sockets + 50)
        tokens = mint_youth_tokens(env, count)
        print(f"[bench] {len(tokens)} youth identities in {time.perf_counter() - t:.1f} s", flush=True)
        server = Server(stack, env, args.server_cpus)
        server.start()
        asyncio.run(opens_per_second(server, tokens[: args.rate_sockets + 50], args.concurrency))
        if not args.skip_storm:
            asyncio.run(reconnect_storm(server, tokens[: args.sockets], args.concurrency, args.jitter_s))
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        stack.stop(keep_db=False)


if __name__ == "__main__":
    sys.exit(main())
