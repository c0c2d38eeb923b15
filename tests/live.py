"""Real server processes for the tests: N Daphne processes on one PostgreSQL database and Redis.

Each stack gets a fresh database cloned from a migrated template (fast), its own channel
prefix on the shared Redis, and its own ports. Process 0 runs `manage.py runserver` (Daphne's
runserver, the documented development entry point), the others the `daphne` command that
production runs, so both paths are exercised.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
# One template per test session (process), so concurrent sessions on one server don't collide.
TEMPLATE_DB = f"youthline_template_{os.getpid()}"
# Every process a test starts runs with the project's settings as production does: DEBUG off and a
# signing key of its own (the test session's, tests/settings.py, else one made here), never the
# in-process tests' settings module that pytest-django exported.
PROCESS_ENV = {
    "DJANGO_SETTINGS_MODULE": "youthline.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(48),
}


def run_all_at_once(functions: list, timeout: float = 60.0) -> None:
    """Run each function in a thread of its own, all released together; the first failure is raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(functions))

    def run(fn):
        try:
            barrier.wait(timeout=30)
            fn()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    if errors:
        raise errors[0]


def admin_dsn() -> str:
    url = urlsplit(os.environ["DATABASE_URL"])
    return f"host={url.hostname} port={url.port or 5432} user={url.username or 'postgres'} dbname=postgres"


def database_url(name: str) -> str:
    url = urlsplit(os.environ["DATABASE_URL"])
    return url._replace(path=f"/{name}").geturl()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_templates: dict[Path, str] = {}  # checkout root -> its migrated template database
_template_lock = threading.Lock()


def ensure_template(root: Path = ROOT) -> str:
    """Migrate a template database once per test session (and checkout); stacks clone it."""
    with _template_lock:
        if root in _templates:
            return _templates[root]
        name = TEMPLATE_DB if root == ROOT else f"{TEMPLATE_DB}_{len(_templates)}"
        with psycopg.connect(admin_dsn(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        env = {**os.environ, **PROCESS_ENV, "DATABASE_URL": database_url(name)}
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=root, env=env, check=True)
        _templates[root] = name
        atexit.register(_drop_template, name)
        return name


def _drop_template(name: str) -> None:
    with psycopg.connect(admin_dsn(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class WebhookReceiver:
    """A local HTTP endpoint standing in for the on-call system."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the name BaseHTTPRequestHandler calls
                length = int(self.headers.get("Content-Length", 0))
                receiver.received.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/oncall"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, timeout: float = 15.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for item in self.received:
                if predicate(item):
                    return item
            time.sleep(0.05)
        raise AssertionError(f"webhook not called as expected; got {self.received}")

    def close(self) -> None:
        self.server.shutdown()


@dataclass
class LiveStack:
    processes: int = 2
    env: dict[str, str] = field(default_factory=dict)
    # The checkout the servers run from: another one (an older commit) for before/after benchmarks.
    root: Path = ROOT
    # Job workers (`manage.py run_huey`) on the stack's database and Redis, under the stack's
    # own Huey name; an older checkout without the job runner runs none.
    workers: int = 1
    urls: list[str] = field(default_factory=list)
    db_name: str = ""
    _procs: list[subprocess.Popen] = field(default_factory=list)
    _logs: list[Path] = field(default_factory=list)
    _workers: list[subprocess.Popen] = field(default_factory=list)
    worker_logs: list[Path] = field(default_factory=list)

    def start(self) -> LiveStack:
        template = ensure_template(self.root)
        self.db_name = f"youthline_live_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin_dsn(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {self.db_name} TEMPLATE {template}")
        base_env = {
            **os.environ,
            **PROCESS_ENV,
            "DATABASE_URL": database_url(self.db_name),
            "CHANNELS_PREFIX": f"t{self.db_name[-8:]}",
            "HUEY_NAME": f"t{self.db_name[-8:]}",
            "HUEY_IMMEDIATE": "0",
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        self.base_env = base_env
        log_dir = ROOT / "var" / "test-logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        for index in range(self.processes):
            port = free_port()
            if index == 0:
                cmd = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
            else:
                cmd = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "youthline.asgi:application"]
            log_path = log_dir / f"{self.db_name}-{index}.log"
            self._logs.append(log_path)
            self._procs.append(
                subprocess.Popen(cmd, cwd=self.root, env=base_env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT)
            )
            self.urls.append(f"http://127.0.0.1:{port}")
        has_job_runner = "huey" in (self.root / "youthline" / "settings.py").read_text()
        for index in range(self.workers if has_job_runner else 0):
            log_path = log_dir / f"{self.db_name}-worker{index}.log"
            self.worker_logs.append(log_path)
            self._workers.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "run_huey"],
                    cwd=self.root,
                    env=base_env,
                    stdout=log_path.open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        for url, proc, log in zip(self.urls, self._procs, self._logs, strict=True):
            self._wait_up(url, proc, log)
        for proc, log in zip(self._workers, self.worker_logs, strict=True):
            self._wait_worker(proc, log)
        return self

    @staticmethod
    def _wait_worker(proc: subprocess.Popen, log: Path) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"job worker exited: {log.read_text()[-3000:]}")
            if "consumer started" in log.read_text(errors="replace"):
                return
            time.sleep(0.1)
        raise RuntimeError(f"job worker did not start: {log.read_text()[-3000:]}")

    def kill_worker(self, index: int) -> None:
        """SIGKILL, as a crash: no shutdown, whatever it was running is lost."""
        self._workers[index].kill()
        self._workers[index].wait(timeout=10)

    @staticmethod
    def _wait_up(url: str, proc: subprocess.Popen, log: Path) -> None:
        host, port = urlsplit(url).hostname, urlsplit(url).port
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text()[-3000:]}")
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {log.read_text()[-3000:]}")

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.root,
            env=self.base_env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def create_staff(
        self,
        *,
        username: str,
        password: str = "test-pass-123",
        role: str = "counselor",
        topics: list[str] | None = None,
        max_chats: int | None = None,
        name: str = "",
    ) -> int:
        args = ["ensure_staff", "--username", username, "--password", password, "--role", role]
        if topics is not None:
            args += ["--topics", ",".join(topics)]
        if max_chats is not None:
            args += ["--max-chats", str(max_chats)]
        if name:
            args += ["--name", name]
        out = self.manage(*args)
        return int(out.strip().rsplit("id=", 1)[1])

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(database_url(self.db_name).replace("postgres://", "postgresql://")) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []

    def wait_until(self, query: str, expected: object, timeout: float = 15.0, params: tuple = ()) -> None:
        """Poll a single-value query until it equals `expected` (state settling across processes)."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = self.sql(query, params)[0][0]
            if value == expected:
                return
            time.sleep(0.05)
        raise AssertionError(f"{query!r} is {value!r}, expected {expected!r}")

    @property
    def server_pids(self) -> list[int]:
        """The Daphne processes' ids (for CPU accounting from /proc)."""
        return [proc.pid for proc in self._procs]

    @property
    def worker_pids(self) -> list[int]:
        """The job workers' ids."""
        return [proc.pid for proc in self._workers]

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-5000:] for p in self._logs)

    def stop(self) -> None:
        procs = self._procs + self._workers
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        with psycopg.connect(admin_dsn(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.db_name} WITH (FORCE)")
        if self._workers and os.environ.get("REDIS_URL"):
            import redis  # channels-redis' dependency

            client = redis.Redis.from_url(os.environ["REDIS_URL"])
            for key in client.scan_iter(match=f"huey.*.{self.base_env['HUEY_NAME']}"):
                client.delete(key)
