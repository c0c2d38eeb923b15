"""What the metrics cost on the hot path: each call the relay makes, in microseconds.

    .venv/bin/python bench/bench_metrics.py

`metrics.message_stored` runs once per stored message, `metrics.sent` once per frame a socket is
given (a message frame is timed, an error frame counted, any other frame only looked at). Each
is timed twice, in a child process each: one process alone, and prometheus_client's
multiprocess mode (PROMETHEUS_MULTIPROC_DIR, values in memory-mapped files), as deployed with
several Daphne processes. Prints figures; asserts nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, statistics, sys, time
sys.path.insert(0, sys.argv[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
import django
django.setup()
from datetime import datetime, timezone
import metrics
from chat import frames as chat_frames
from protocol import frames as f

now = datetime.now(timezone.utc).isoformat()
message = f.encode(chat_frames.Message(conversation=12, seq=345, sender="youth",
                                       text="老师好，我最近压力特别大，晚上总是睡不着。",
                                       client_id="c-0123456789", at=now))
error = f.encode(f.Error(code="rate_limited", detail="too many frames; slow down", ref="r-12"))
other = '{"type":"typing","conversation":12,"role":"youth"}'
calls = {
    "message_stored (a new message)": lambda: metrics.message_stored("youth", duplicate=False),
    "sent: a message frame (timed)": lambda: metrics.sent(message),
    "sent: an error frame (counted)": lambda: metrics.sent(error),
    "sent: any other frame": lambda: metrics.sent(other),
}
n = int(sys.argv[2])
out = {}
for name, call in calls.items():
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(n):
            call()
        rounds.append((time.perf_counter() - started) / n * 1e6)
    out[name] = statistics.median(rounds)
print(json.dumps(out))
"""


def run(calls: int, multiprocess_dir: str | None) -> dict[str, float]:
    env = {**os.environ}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if multiprocess_dir:
        env["PROMETHEUS_MULTIPROC_DIR"] = multiprocess_dir
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), str(calls)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    started = time.perf_counter()
    alone = run(calls, None)
    with tempfile.TemporaryDirectory(prefix="prom-") as directory:
        shared = run(calls, directory)
    print(f"metrics on the hot path, microseconds per call (median of 5 rounds of {calls:,} calls)")
    print(f"{'call':<34}{'one process':>14}{'multiprocess':>14}")
    for name in alone:
        print(f"{name:<34}{alone[name]:>14.2f}{shared[name]:>14.2f}")
    print(f"(measured in {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
