"""Crisis-alert latency under load: a youth sends a risky message once a second; a supervisor
connected to another process measures the time until `crisis.alert` arrives, then acknowledges.

    .venv/bin/python loadtests/alert_probe.py --youth-url http://127.0.0.1:P1 --supervisor-url http://127.0.0.1:P2 \
        --username probe_sup --password ... --count 30

Run it while `make loadtest` (loadtests/run.py --alert-probe) keeps the relay busy. Prints
p50/p95/max alert latency and how many alerts never arrived (must be 0). Traffic goes to the
URLs given (loopback); the loop is bounded by --count and a timeout per alert.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request

from websockets.sync.client import connect

RISKY = "我不想活了，药我已经攒好了，今晚就吃"


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


class Socket:
    def __init__(self, base_url: str, token: str) -> None:
        self.conn = connect(
            base_url.replace("http://", "ws://") + "/ws/v1/", max_queue=None, close_timeout=2
        ).__enter__()
        self.send({"type": "auth", "token": token})
        self.wait("auth.ok", 10)

    def send(self, frame: dict) -> None:
        self.conn.send(json.dumps(frame, ensure_ascii=False))

    def wait(self, type_: str, timeout: float, **match) -> dict | None:
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                frame = json.loads(self.conn.recv(timeout=remaining))
            except TimeoutError:
                return None
            if frame.get("type") == type_ and all(frame.get(k) == v for k, v in match.items()):
                return frame
        return None


def run(youth_url: str, supervisor_url: str, username: str, password: str, count: int, interval_s: float) -> dict:
    staff = post(supervisor_url + "/api/v1/auth/login", {"username": username, "password": password})
    youth = post(youth_url + "/api/v1/auth/youth", {"channel": "web", "nickname": "probe"})
    supervisor = Socket(supervisor_url, staff["access"])
    young = Socket(youth_url, youth["access"])
    young.send({"type": "consult.request", "topic": "aid"})
    joined = young.wait("queue.joined", 10)
    if joined is None:
        raise SystemExit("the probe youth was never queued")
    conversation = joined["conversation"]
    latencies_ms: list[float] = []
    missed = 0
    for n in range(count):
        sent = time.monotonic()
        young.send({"type": "message.send", "conversation": conversation, "client_id": f"probe-{n}", "text": RISKY})
        alert = supervisor.wait("crisis.alert", 10, conversation=conversation)
        if alert is None:
            missed += 1
            continue
        latencies_ms.append((time.monotonic() - sent) * 1000)
        supervisor.send({"type": "crisis.ack", "alert": alert["alert"]})
        supervisor.wait("crisis.acked", 10, alert=alert["alert"])
        time.sleep(max(0.0, interval_s - (time.monotonic() - sent)))
    ordered = sorted(latencies_ms)
    return {
        "alerts": len(latencies_ms),
        "missed": missed,
        "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else None,
        "max_ms": round(ordered[-1], 1) if ordered else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--youth-url", required=True)
    parser.add_argument("--supervisor-url", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--interval-s", type=float, default=1.0)
    args = parser.parse_args(argv)
    result = run(args.youth_url, args.supervisor_url, args.username, args.password, args.count, args.interval_s)
    print("crisis alert latency (risky youth message -> supervisor on another process):")
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["missed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
