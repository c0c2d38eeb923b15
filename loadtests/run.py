"""`make loadtest`: Youthline's relay under locust, against local Daphne processes on PostgreSQL + Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/youthline REDIS_URL=redis://127.0.0.1:56379/0 \
        .venv/bin/python loadtests/run.py [--rate 700] [--processes 1] [--counselors 10] [--max-chats 10] ...

Steps: a fresh database (DATABASE_URL's server, database --db, default youthline_load), migrated;
N counselor accounts (manage.py ensure_staff); P Daphne processes pinned to the server cores
(taskset, when present); locust headless pinned to the other core, running
loadtests/locustfile.py; then the figures: concurrent conversations, messages/s relayed,
p50/p95/p99 relay and ack latency, sent/acked/received/lost, and CPU of the server processes,
PostgreSQL and Redis over the timed window. Every process started here is stopped on the way
out, also on failure or Ctrl-C, and the database is dropped (unless --keep-db).

All traffic goes to 127.0.0.1. The run is bounded: setup (--setup-s), the send window (--send-s),
the drain (--drain-s) and a hard timeout on locust. Nothing is asserted against the targets:
the figures are printed (and written as JSON with --summary).

`--overload` runs three times, at --saturation (default 500 msg/s), 1.5x and 3x it, and prints
a table: relayed rate, p50/p99 relay, p99 ack, `busy` refusals and resends, lost messages.
Every run also prints where a relayed message's time went on the servers (stored -> published
-> taken by the recipient's consumer -> handed to the socket), read from their /metrics.

Options may also come from the environment: LOAD_RATE, LOAD_PROCESSES, LOAD_COUNSELORS,
LOAD_MAX_CHATS, LOAD_YOUTHS, LOAD_SEND_S (see --help).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
COUNSELOR_FMT = "loadc{}"
COUNSELOR_PASSWORD = "load-test-password-1"
PROBE_SUPERVISOR = "loadsup1"
# The servers run with DEBUG off, which needs a signing key: one per run, shared by every process
# this script (and bench/bench_relay.py, which imports it) starts.
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(48))


def _env(name: str, default):
    value = os.environ.get(name)
    return default if value in (None, "") else type(default)(value)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--rate",
        type=float,
        default=_env("LOAD_RATE", 700.0),
        help="target relayed messages/s, youth messages plus counselor answers (default 700)",
    )
    p.add_argument("--processes", type=int, default=_env("LOAD_PROCESSES", 1), help="Daphne processes (default 1)")
    p.add_argument(
        "--counselors",
        type=int,
        default=_env("LOAD_COUNSELORS", 20),
        help="counselor accounts and users (default 20; each login is a password hash on the server)",
    )
    p.add_argument(
        "--max-chats", type=int, default=_env("LOAD_MAX_CHATS", 5), help="concurrent chats per counselor (default 5)"
    )
    p.add_argument(
        "--youths",
        type=int,
        default=_env("LOAD_YOUTHS", 0),
        help="youth users (default counselors x max-chats: every youth gets a counselor)",
    )
    p.add_argument("--send-s", type=float, default=_env("LOAD_SEND_S", 25.0), help="send window (default 25 s)")
    p.add_argument(
        "--warmup-s",
        type=float,
        default=_env("LOAD_WARMUP_S", 3.0),
        help="first seconds of the window counted but not timed (default 3)",
    )
    p.add_argument(
        "--drain-s",
        type=float,
        default=_env("LOAD_DRAIN_S", 10.0),
        help="wait at most this long after the window for in-flight messages (default 10)",
    )
    p.add_argument(
        "--setup-s",
        type=float,
        default=_env("LOAD_SETUP_S", 30.0),
        help="at most this long for every youth to be paired (default 30)",
    )
    p.add_argument(
        "--spawn-rate", type=float, default=_env("LOAD_SPAWN_RATE", 50.0), help="users started per second (default 50)"
    )
    p.add_argument(
        "--overload",
        action="store_true",
        help="three runs, at --saturation, 1.5x and 3x it, and a table of relayed rate, p99 and refusals",
    )
    p.add_argument(
        "--saturation",
        type=float,
        default=_env("LOAD_SATURATION", 500.0),
        help="messages/s one run of this set-up relays at most (default 500, measured on a 2-core machine)",
    )
    p.add_argument("--no-reply", action="store_true", help="counselors only listen (rate = youth messages only)")
    p.add_argument(
        "--risky-pct",
        type=float,
        default=_env("LOAD_RISKY_PCT", 0.5),
        help="percent of youth messages with crisis language (default 0.5)",
    )
    p.add_argument("--server-cpus", default=_env("LOAD_SERVER_CPUS", "0"), help="taskset list for Daphne (default 0)")
    p.add_argument("--locust-cpus", default=_env("LOAD_LOCUST_CPUS", "1"), help="taskset list for locust (default 1)")
    p.add_argument(
        "--base-port", type=int, default=_env("LOAD_BASE_PORT", 0), help="first server port (default: free ports)"
    )
    p.add_argument("--db", default=_env("LOAD_DB", "youthline_load"), help="database created for the run")
    p.add_argument("--keep-db", action="store_true", help="do not drop the database afterwards")
    p.add_argument("--debug", action="store_true", help="run the servers with DJANGO_DEBUG=1 (slower: query log)")
    p.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the servers (repeatable)",
    )
    p.add_argument("--summary", default=_env("LOAD_SUMMARY", ""), help="write the JSON summary here")
    p.add_argument(
        "--py-spy",
        default="",
        metavar="PREFIX",
        help="record each server with py-spy during the window: PREFIX-N.txt (collapsed stacks)",
    )
    p.add_argument(
        "--py-spy-format",
        default="raw",
        choices=["raw", "speedscope", "flamegraph"],
        help="py-spy output format (default raw: collapsed stacks, one line per stack)",
    )
    p.add_argument("--py-spy-idle", action="store_true", help="py-spy: also sample idle threads (waits)")
    p.add_argument(
        "--py-spy-gil",
        action="store_true",
        help="py-spy: sample only the thread holding the GIL (Python CPU; I/O waits release it)",
    )
    p.add_argument(
        "--alert-probe",
        type=int,
        default=_env("LOAD_ALERT_PROBE", 0),
        metavar="N",
        help="also run loadtests/alert_probe.py during the window: N risky messages, one a second, "
        "alert latency to a supervisor on the last process (default 0: off)",
    )
    p.add_argument("--log-dir", default=str(ROOT / "var" / "load-logs"), help="server logs (default var/load-logs)")
    args = p.parse_args(argv)
    if args.youths <= 0:
        args.youths = args.counselors * args.max_chats
    return args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def admin_dsn(database_url: str) -> str:
    url = urlsplit(database_url)
    return (
        f"host={url.hostname or '127.0.0.1'} port={url.port or 5432} user={url.username or 'postgres'} dbname=postgres"
    )


def db_url(database_url: str, name: str) -> str:
    return urlsplit(database_url)._replace(path=f"/{name}").geturl()


def pinned(cpus: str, cmd: list[str]) -> list[str]:
    if cpus and shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", cpus, *cmd]
    return cmd


class Stack:
    """Everything this run started, so that it can all be stopped."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []
        self.db_created: tuple[str, str] | None = None  # (admin dsn, name)

    def spawn(self, cmd: list[str], **kwargs) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, start_new_session=True, **kwargs)
        self.procs.append(proc)
        return proc

    def stop(self, keep_db: bool) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)  # its own session: this process and its children only
        deadline = time.monotonic() + 10
        for proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        if self.db_created and not keep_db:
            import psycopg

            dsn, name = self.db_created
            try:
                with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except Exception as exc:  # noqa: BLE001
                print(f"[run] could not drop database {name}: {exc}", file=sys.stderr)


def create_database(stack: Stack, database_url: str, name: str) -> str:
    import psycopg

    if not name.replace("_", "").isalnum():
        raise SystemExit(f"bad database name {name!r}")
    dsn = admin_dsn(database_url)
    with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    stack.db_created = (dsn, name)
    return db_url(database_url, name)


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=120, stdout=subprocess.DEVNULL)


def create_counselors(env: dict, count: int, max_chats: int) -> None:
    """ensure_staff, a few at a time (each is a Django start plus a password hash)."""
    pending = list(range(1, count + 1))
    running: list[subprocess.Popen] = []
    while pending or running:
        while pending and len(running) < 4:
            n = pending.pop(0)
            running.append(
                subprocess.Popen(
                    [
                        PYTHON,
                        "manage.py",
                        "ensure_staff",
                        "--username",
                        COUNSELOR_FMT.format(n),
                        "--password",
                        COUNSELOR_PASSWORD,
                        "--role",
                        "counselor",
                        "--name",
                        f"咨询师{n}",
                        "--topics",
                        "psych,legal,aid",
                        "--max-chats",
                        str(max_chats),
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                )
            )
        proc = running.pop(0)
        if proc.wait(timeout=120) != 0:
            raise RuntimeError("ensure_staff failed")


def wait_up(port: int, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start:\n{log.read_text(errors='replace')[-3000:]}")


def stored_counts(url: str) -> dict[str, int]:
    import psycopg

    u = urlsplit(url)
    dsn = f"host={u.hostname} port={u.port or 5432} user={u.username or 'postgres'} dbname={u.path.lstrip('/')}"
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        rows = conn.execute("SELECT sender_role, count(*) FROM chat_message GROUP BY sender_role").fetchall()
    return dict(rows)


def _interrupted(*_: object) -> None:
    raise KeyboardInterrupt


def local_services(script: str) -> tuple[str, str]:
    """DATABASE_URL (PostgreSQL) and REDIS_URL, both on this machine; or exit saying why.
    Used by this script and the benchmarks in bench/ that start servers."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        raise SystemExit(f"{script} needs DATABASE_URL (PostgreSQL) and REDIS_URL; `make loadtest` sets both.")
    for url in (database_url, redis_url):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"refusing a non-local service: {url}")
    return database_url, redis_url


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url, redis_url = local_services("loadtests/run.py")
    locust_bin = Path(PYTHON).parent / "locust"
    if not locust_bin.exists():
        print("locust is not installed: `make install-load`", file=sys.stderr)
        return 2
    # Ctrl-C or a kill of this script still runs the clean-up of each run.
    signal.signal(signal.SIGTERM, _interrupted)
    if not args.overload:
        return run_once(args, database_url, redis_url, locust_bin)[0]
    return overload(args, database_url, redis_url, locust_bin)


OVERLOAD_FACTORS = (1.0, 1.5, 3.0)


def overload(args: argparse.Namespace, database_url: str, redis_url: str, locust_bin: Path) -> int:
    """The same run at the saturation rate, 1.5x and 3x it, each on a fresh stack; then a table.

    Under graceful overload the relayed rate stays near saturation, latency of what is admitted
    stays bounded, and the excess is refused `busy` and sent again by the clients."""
    results: list[tuple[float, dict | None]] = []
    for factor in OVERLOAD_FACTORS:
        rate = args.saturation * factor
        print(f"\n[run] overload: {factor:g}x saturation = {rate:.0f} msg/s offered", flush=True)
        at_rate = argparse.Namespace(**{**vars(args), "rate": rate})
        code, summary = run_once(at_rate, database_url, redis_url, locust_bin)
        if code == 130:
            return code
        results.append((factor, summary))
    print(f"\nOVERLOAD (saturation taken as {args.saturation:.0f} msg/s; --saturation)")
    print("  relay p50/p99: from a message's first send (what a person waits); admitted p99: from the")
    print("  send the server admitted (refused sends are sent again after a backoff)")
    print(
        f"  {'offered':>16} {'relayed/s':>10} {'relay p50':>10} {'relay p99':>10} {'admitted p99':>13} "
        f"{'busy':>7} {'unavail.':>8} {'resends':>8} {'lost':>6} {'srv ms/msg':>10}"
    )
    for factor, s in results:
        if s is None:
            print(f"  {factor:g}x: the run failed (see above)")
            continue
        relay, admitted = s["relay_ms"]["all"], s["relay_ms"]["admitted"]
        print(
            f"  {factor:>4g}x {s['offered_msgs_per_s']:>6.0f} msg/s {s['relayed_msgs_per_s']:>10.1f} "
            f"{relay.get('p50', float('nan')):>8.0f}ms {relay.get('p99', float('nan')):>8.0f}ms "
            f"{admitted.get('p99', float('nan')):>11.0f}ms {s['refused'].get('busy', 0):>7} "
            f"{s['refused'].get('unavailable', 0):>8} {s['resent']:>8} {s['lost']:>6} "
            f"{s.get('server_cpu_ms_per_message')!s:>10}"
        )
    return 0 if all(s is not None for _, s in results) else 1


def run_once(args: argparse.Namespace, database_url: str, redis_url: str, locust_bin: Path) -> tuple[int, dict | None]:
    """One run on a fresh stack: (exit code, locust's summary or None)."""
    stack = Stack()
    metrics_token = secrets.token_urlsafe(24)
    started = time.monotonic()
    try:
        run_url = create_database(stack, database_url, args.db)
        base_env = dict(os.environ)
        base_env.update(
            {
                "DATABASE_URL": run_url,
                "REDIS_URL": redis_url,
                "CHANNELS_PREFIX": f"load{os.getpid()}",
                "DJANGO_DEBUG": "1" if args.debug else "0",
                "AUTH_RATE_PER_MIN": "1000000",
                "SIGNUP_RATE_PER_MIN": "1000000",
                "WS_RATE_PER_S": "100000",
                "WS_RATE_BURST": "100000",
                "PYTHONUNBUFFERED": "1",
                # The relay's stage histograms are read from each process's /metrics: one
                # process's own values each (no shared multiprocess directory), added up by locust.
                "METRICS_TOKEN": metrics_token,
            }
        )
        base_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        for item in args.server_env:
            name, _, value = item.partition("=")
            base_env[name] = value
        manage(base_env, "migrate", "--noinput", "-v0")
        create_counselors(base_env, args.counselors, args.max_chats)
        if args.alert_probe:
            manage(
                base_env,
                "ensure_staff",
                "--username",
                PROBE_SUPERVISOR,
                "--password",
                COUNSELOR_PASSWORD,
                "--role",
                "supervisor",
                "--name",
                "值班督导",
            )
        print(
            f"[run] database {args.db} migrated, {args.counselors} counselors (max {args.max_chats} chats) "
            f"in {time.monotonic() - started:.1f} s",
            flush=True,
        )

        base_env.setdefault("HUEY_NAME", f"load_{args.db}")  # the servers and the worker share one job queue
        log_dir = Path(args.log_dir)
        log_dir.mkdir(parents=True, exist_ok=True)
        ports, servers = [], []
        for index in range(args.processes):
            port = args.base_port + index if args.base_port else free_port()
            log = log_dir / f"daphne-{index}.log"
            cmd = pinned(
                args.server_cpus,
                [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "youthline.asgi:application"],
            )
            servers.append(
                (stack.spawn(cmd, cwd=ROOT, env=base_env, stdout=log.open("wb"), stderr=subprocess.STDOUT), log)
            )
            ports.append(port)
        # The timers (grace periods, overdue alerts) run in a job worker, as in production.
        worker_log = log_dir / "worker-0.log"
        stack.spawn(
            pinned(args.server_cpus, [PYTHON, "manage.py", "run_huey"]),
            cwd=ROOT,
            env=base_env,
            stdout=worker_log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        for port, (proc, log) in zip(ports, servers, strict=True):
            wait_up(port, proc, log)
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        print(
            f"[run] {args.processes} Daphne process(es) on {', '.join(urls)} (cpus {args.server_cpus or 'any'}); "
            f"locust on cpus {args.locust_cpus or 'any'}",
            flush=True,
        )

        # A fresh private directory: locust creates the file, so that its absence means it wrote none.
        summary_path = args.summary or str(Path(tempfile.mkdtemp(prefix="youthline-load-")) / "summary.json")
        users = args.counselors + args.youths
        locust_env = {
            **os.environ,
            "LOAD_URLS": ",".join(urls),
            "LOAD_COUNSELORS": str(args.counselors),
            "LOAD_COUNSELOR_FMT": COUNSELOR_FMT,
            "LOAD_COUNSELOR_PASSWORD": COUNSELOR_PASSWORD,
            "LOAD_YOUTHS": str(args.youths),
            "LOAD_RATE": str(args.rate),
            "LOAD_REPLY": "0" if args.no_reply else "1",
            "LOAD_SEND_S": str(args.send_s),
            "LOAD_WARMUP_S": str(args.warmup_s),
            "LOAD_DRAIN_S": str(args.drain_s),
            "LOAD_SETUP_S": str(args.setup_s),
            "LOAD_RISKY_PCT": str(args.risky_pct),
            "LOAD_SERVER_PIDS": ",".join(str(proc.pid) for proc, _ in servers),
            "LOAD_SUMMARY": summary_path,
            "LOAD_DB": args.db,
            "LOAD_METRICS_TOKEN": metrics_token,
            "PYTHONUNBUFFERED": "1",
        }
        run_time = int(args.setup_s + args.send_s + args.drain_s + 20)
        cmd = pinned(
            args.locust_cpus,
            [
                str(locust_bin),
                "-f",
                str(ROOT / "loadtests" / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(args.spawn_rate),
                "-t",
                f"{run_time}s",
                "--host",
                urls[0],
                "--only-summary",
                "--stop-timeout",
                "2",
                "--loglevel",
                "WARNING",
            ],
        )
        locust = stack.spawn(
            cmd, cwd=ROOT, env=locust_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        spies: list[subprocess.Popen] = []

        def start_py_spy() -> None:
            py_spy = shutil.which("py-spy") or str(Path(PYTHON).parent / "py-spy")
            if not Path(py_spy).exists():
                print("[run] --py-spy: py-spy is not installed (.venv/bin/pip install py-spy)", flush=True)
                return
            duration = max(1, int(args.send_s - args.warmup_s - 1))
            for index, (proc, _) in enumerate(servers):
                ext = {"raw": "txt", "speedscope": "json", "flamegraph": "svg"}[args.py_spy_format]
                out = f"{args.py_spy}-{index}.{ext}"
                spies.append(
                    stack.spawn(
                        pinned(
                            args.locust_cpus,
                            [
                                py_spy,
                                "record",
                                "-p",
                                str(proc.pid),
                                "-o",
                                out,
                                "-f",
                                args.py_spy_format,
                                "-d",
                                str(duration),
                                "-r",
                                "250",
                                "--threads",
                                "--nonblocking",
                                *(["--idle"] if args.py_spy_idle else []),
                                *(["--gil"] if args.py_spy_gil else []),
                            ],
                        ),
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.STDOUT,
                    )
                )
            print(
                f"[run] py-spy recording {len(servers)} server(s) for {duration} s -> {args.py_spy}-N.{ext}", flush=True
            )

        probes: list[subprocess.Popen] = []

        def start_alert_probe() -> None:
            probes.append(
                stack.spawn(
                    pinned(
                        args.locust_cpus,
                        [
                            PYTHON,
                            str(ROOT / "loadtests" / "alert_probe.py"),
                            "--youth-url",
                            urls[0],
                            "--supervisor-url",
                            urls[-1],
                            "--username",
                            PROBE_SUPERVISOR,
                            "--password",
                            COUNSELOR_PASSWORD,
                            "--count",
                            str(args.alert_probe),
                        ],
                    ),
                    cwd=ROOT,
                    env=os.environ.copy(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )

        def pump() -> None:
            assert locust.stdout is not None  # noqa: S101 - started with stdout=PIPE
            for line in locust.stdout:
                sys.stdout.write(line)
                sys.stdout.flush()
                if line.startswith("[load]") and "sending" in line:
                    if args.py_spy:
                        threading.Timer(args.warmup_s + 0.2, start_py_spy).start()
                    if args.alert_probe:
                        threading.Timer(args.warmup_s + 0.2, start_alert_probe).start()

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            code = locust.wait(timeout=run_time + 30)
        except subprocess.TimeoutExpired:
            print("[run] locust overran its time; stopping it", flush=True)
            os.killpg(locust.pid, signal.SIGTERM)
            code = locust.wait(timeout=10)
        reader.join(timeout=5)
        for probe in probes:
            try:
                out, _ = probe.communicate(timeout=args.alert_probe * 12 + 30)
                print(f"[run] alert probe (exit {probe.returncode}):\n{out.strip()}", flush=True)
            except subprocess.TimeoutExpired:
                print("[run] the alert probe overran; stopped", flush=True)
        for spy in spies:
            with contextlib.suppress(subprocess.TimeoutExpired):
                spy.wait(timeout=max(5, args.send_s + 10))

        if not Path(summary_path).exists():
            print(f"[run] locust exited with {code} and wrote no summary", file=sys.stderr)
            for _, log in servers:
                print(f"--- {log} (tail) ---\n{log.read_text(errors='replace')[-2000:]}", file=sys.stderr)
            return 1, None
        summary = json.loads(Path(summary_path).read_text(encoding="utf-8"))
        if not args.summary:
            shutil.rmtree(Path(summary_path).parent)
        stored = stored_counts(run_url)
        report(args, summary, stored, time.monotonic() - started)
        for _, log in servers:
            text = log.read_text(errors="replace")
            if "Traceback" in text:
                print(f"[run] note: {log} holds tracebacks", flush=True)
        return 0, summary
    except KeyboardInterrupt:
        print("[run] interrupted", file=sys.stderr)
        return 130, None
    finally:
        stack.stop(keep_db=args.keep_db)


def report(args: argparse.Namespace, s: dict, stored: dict[str, int], elapsed: float) -> None:
    def lat(block: dict) -> str:
        if not block.get("count"):
            return "-"
        return f"p50 {block['p50']:.1f} / p95 {block['p95']:.1f} / p99 {block['p99']:.1f} ms"

    cpu = s.get("cpu_percent_of_one_core", {})
    relay = s["relay_ms"]["youth->counselor"]
    print(
        "\n".join(
            [
                "",
                "RESULT",
                (
                    f"  processes={args.processes} conversations={s['concurrent_conversations']} "
                    f"target={args.rate:.0f} msg/s"
                ),
                f"  relayed              {s['relayed_msgs_per_s']:.1f} msg/s",
                f"  relay youth->couns.  {lat(relay)}",
                f"  relay both ways      {lat(s['relay_ms']['all'])}",
                f"  ack youth            {lat(s['ack_ms']['youth'])}",
                f"  sent/acked/received  {s['sent_total']}/{s['acked_total']}/{s['received_total']}  lost={s['lost']}  "
                f"stored in db={sum(stored.get(r, 0) for r in ('youth', 'counselor'))}"
                + (
                    f"  (drain ended with {s['in_flight_at_end']} in flight: overloaded)"
                    if s.get("in_flight_at_end")
                    else ""
                ),
                (
                    f"  server CPU           {cpu.get('server', '?')}% of one core over {args.processes} process(es); "
                    f"postgres {cpu.get('postgres', '?')}%, redis {cpu.get('redis', '?')}%, "
                    f"locust {cpu.get('locust', '?')}%, other work on the machine {cpu.get('other', '?')}%"
                ),
                f"  server CPU/message   {s.get('server_cpu_ms_per_message')} ms",
                (
                    f"  refused, sent again  busy {s['refused'].get('busy', 0)}, unavailable "
                    f"{s['refused'].get('unavailable', 0)}; resends {s['resent']}"
                ),
                f"  total run time       {elapsed:.0f} s",
            ]
        ),
        flush=True,
    )
    if isinstance(cpu.get("locust"), (int, float)) and cpu["locust"] > 90:
        print("  NOTE: the load generator's core was saturated; latencies include client-side queuing.", flush=True)
    if isinstance(cpu.get("other"), (int, float)) and cpu["other"] > 20:
        print(
            f"  NOTE: other work used {cpu['other']}% of a core during the window; latencies are disturbed.", flush=True
        )


if __name__ == "__main__":
    sys.exit(main())
