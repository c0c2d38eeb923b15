"""The job runner for real: `manage.py run_huey` workers beside the Daphne processes.

The timers of the queue and crisis tests (tests/integration/test_queue_lifecycle.py,
test_crisis_escalation.py) run here too; these tests prove what only the runner can: a job runs
once with two workers, a scheduled job outlives a worker killed mid-wait, an alert's timer chain
stops once it is acknowledged, and the embedded default (SQLite, no Redis) runs its timers in a
worker process whose events still reach the sockets. Each prints how late its timers ran; no
test asserts a duration.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.integration.test_crisis_escalation import RISKY, _paired
from tests.live import ROOT, LiveStack, free_port
from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live
SCHEDULE_JOBS = """
import uuid
from crisis.tasks import check_overdue_alert
for _ in range({count}):
    task_id = str(uuid.uuid4())
    check_overdue_alert.schedule(args=(0,), delay={delay}, id=task_id)
    print(task_id)
"""


def _schedule_probe_jobs(stack: LiveStack, *, count: int, delay: float) -> list[str]:
    """Real jobs (an overdue check of an alert that does not exist: a sweep that finds nothing)."""
    out = stack.manage("shell", "-c", SCHEDULE_JOBS.format(count=count, delay=delay))
    ids = re.findall(r"^[0-9a-f-]{36}$", out, re.MULTILINE)
    assert len(ids) == count, out
    return ids


def _executions(logs: list[Path], task_ids: list[str]) -> dict[str, list[int]]:
    """Which worker (index) executed each task id, once per time it ran."""
    ran: dict[str, list[int]] = {task_id: [] for task_id in task_ids}
    for index, log in enumerate(logs):
        for task_id in re.findall(r"Executing crisis\.tasks\.check_overdue_alert: ([0-9a-f-]{36})", log.read_text()):
            if task_id in ran:
                ran[task_id].append(index)
    return ran


def _wait_all_ran(logs: list[Path], task_ids: list[str], timeout: float = 20.0) -> dict[str, list[int]]:
    deadline = time.monotonic() + timeout
    while True:
        ran = _executions(logs, task_ids)
        if all(ran.values()) or time.monotonic() > deadline:
            return ran
        time.sleep(0.2)


def test_two_workers_run_each_job_once_and_a_killed_worker_loses_no_scheduled_job(start_stack):
    stack = start_stack(processes=1, workers=2)

    ids = _schedule_probe_jobs(stack, count=20, delay=1)
    ran = _wait_all_ran(stack.worker_logs, ids)
    assert {task_id: len(workers) for task_id, workers in ran.items()} == dict.fromkeys(ids, 1)
    print(
        f"\n20 jobs, two workers: worker 0 ran {sum(w == [0] for w in ran.values())}, "
        f"worker 1 ran {sum(w == [1] for w in ran.values())}"
    )

    # Scheduled jobs wait in the store (Redis), not in a worker: kill one, the other runs them all.
    ids = _schedule_probe_jobs(stack, count=20, delay=3)
    deadline = time.monotonic() + 10
    while not all(
        any(f"Added task {task_id} to schedule" in log.read_text() for log in stack.worker_logs) for task_id in ids
    ):
        assert time.monotonic() < deadline, "the workers did not take the jobs in"
        time.sleep(0.1)
    stack.kill_worker(0)
    ran = _wait_all_ran(stack.worker_logs, ids)
    assert ran == {task_id: [1] for task_id in ids}


def test_an_alert_is_raised_again_while_unacknowledged_and_its_timer_stops_once_acknowledged(
    live_stack, make_youth, make_staff
):
    supervisor = make_staff("supervisor")
    s = WsClient(live_stack.urls[0], supervisor["access"])
    c, y, conversation = _paired(
        live_stack, make_youth, make_staff, youth_url=live_stack.urls[1], counselor_url=live_stack.urls[0]
    )
    try:
        y.send({"type": "message.send", "conversation": conversation, "client_id": "y1", "text": RISKY})
        alert = s.recv("crisis.alert", conversation=conversation)["alert"]
        created = live_stack.sql("SELECT created_at FROM crisis_alert WHERE id = %s", (alert,))[0][0]
        raised_at = []
        for _ in range(2):  # CRISIS_ACK_TIMEOUT_S is 3 s on the test stack
            s.recv("crisis.alert", timeout=10, conversation=conversation, overdue=True)
            raised_at.append(live_stack.sql("SELECT last_raised_at FROM crisis_alert WHERE id = %s", (alert,))[0][0])
        s.request({"type": "crisis.ack", "alert": alert}, "crisis.acked")
        count = live_stack.sql("SELECT raise_count FROM crisis_alert WHERE id = %s", (alert,))[0][0]
        time.sleep(7)  # two more timeouts: an acknowledged alert is not raised again
        assert live_stack.sql("SELECT raise_count FROM crisis_alert WHERE id = %s", (alert,))[0][0] == count
        assert not any(f["type"] == "crisis.alert" and f.get("alert") == alert for f in s.drain(0.2))
        due = [created + timedelta(seconds=3), raised_at[0] + timedelta(seconds=3)]
        print(
            "\noverdue re-alert, seconds after due (PostgreSQL + RedisHuey): "
            + ", ".join(f"{(ran - when).total_seconds():.2f}" for ran, when in zip(raised_at, due, strict=True))
        )
    finally:
        for sock in (s, c, y):
            sock.close()


def test_embedded_default_runs_timers_in_a_worker_process_and_its_events_reach_the_sockets():
    """`make run`'s processes: runserver and `run_huey` on SQLite and SqliteHuey, no Redis."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "HUEY_NAME")}
        env.update(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/embedded.sqlite3",
                "CRISIS_ACK_TIMEOUT_S": "3",
                "HUEY_IMMEDIATE": "0",
                "PYTHONUNBUFFERED": "1",
            }
        )
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [sys.executable, "manage.py", "demo_accounts", "--password", "embedded-pass"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        worker_log = Path(tmp) / "worker.log"
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey"],
            cwd=ROOT,
            env=env,
            stdout=worker_log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            LiveStack._wait_up(url, server, ROOT / "README.md")
            LiveStack._wait_worker(worker, worker_log)
            assert (Path(tmp) / "embedded.huey.sqlite3").exists()  # the job store beside the database
            tokens = {}
            for name in ("supervisor1", "counselor1"):
                _, tokens[name] = http_json(
                    "POST", url + "/api/v1/auth/login", {"username": name, "password": "embedded-pass"}
                )
            _, youth = http_json("POST", url + "/api/v1/auth/youth", {"channel": "web"})
            with (
                WsClient(url, tokens["supervisor1"]["access"]) as s,
                WsClient(url, tokens["counselor1"]["access"]) as c,
                WsClient(url, youth["access"]) as y,
            ):
                c.request({"type": "presence", "status": "available"}, "presence.ok")
                conversation = y.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
                c.recv("conversation.assigned")
                y.send({"type": "message.send", "conversation": conversation, "client_id": "y1", "text": RISKY})
                first = s.recv("crisis.alert", conversation=conversation)
                # Raised again by the worker process, handed to the web process's sockets.
                again = s.recv("crisis.alert", timeout=10, conversation=conversation, overdue=True)
                assert again["alert"] == first["alert"]
            assert "Executing crisis.tasks.check_overdue_alert" in worker_log.read_text()
            with sqlite3.connect(f"{tmp}/embedded.sqlite3") as db:
                created, raised = db.execute(
                    "SELECT created_at, last_raised_at FROM crisis_alert WHERE id = ?", (first["alert"],)
                ).fetchone()
            late = datetime.fromisoformat(raised) - datetime.fromisoformat(created) - timedelta(seconds=3)
            print(f"\noverdue re-alert, seconds after due (SQLite + SqliteHuey): {late.total_seconds():.2f}")
        finally:
            for proc in (server, worker):
                proc.terminate()
            for proc in (server, worker):
                proc.wait(timeout=10)
