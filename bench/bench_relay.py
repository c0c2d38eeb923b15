"""What one relayed message costs, where that cost goes, and what an idle socket costs.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/youthline REDIS_URL=redis://127.0.0.1:56379/0 \
        .venv/bin/python bench/bench_relay.py [inproc|profile|sockets|ab|all] [options]

inproc   In this process, no network: PostgreSQL (a fresh database) and the in-memory channel
         layer. Times `do_send_message` as the gateway calls it (through Channels'
         database_sync_to_async, one call per message), the same calls in a loop inside the
         database thread (no thread hop), and each step of the hot path on its own: frame
         decode, sanitizing, the crisis scan, the SQL of the store, the per-call connection
         health check, the publish (in-memory and Redis pub/sub), frame encode; experiments
         (monkeypatched in this process only); the throughput of one process with one database
         thread vs a pool; then cProfile of the database thread over the same loop.
profile  A server under load: runs loadtests/run.py at --rate with py-spy recording the Daphne
         process(es) (py-spy: `.venv/bin/pip install py-spy`), and breaks the samples down by
         what the process was doing, as a share of CPU and as microseconds per relayed message.
sockets  Idle-socket memory: one Daphne process (REDIS_URL pub/sub layer, as deployed), N
         youth identities, N authenticated sockets opened and left idle; prints the growth of
         the server's RSS (and USS) per socket. Raises RLIMIT_NOFILE for itself and the server.
ab       The live load test (loadtests/run.py) once per variant, interleaved: `baseline` and
         candidate optimizations applied to the Daphne processes at run time through a
         sitecustomize on PYTHONPATH (no project file changes): dispatch, healthcheck, poolN,
         escalate, ssb (see SITECUSTOMIZE). Prints throughput, latencies and CPU per message.
`all` runs sockets, profile and inproc (about 7 minutes). py-spy is needed only by `profile`.

Prints figures; asserts nothing against targets. Everything it starts is stopped, the
databases it creates are dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loadtests import run as loadrun  # noqa: E402  (loadtests/run.py: database, process and cleanup helpers)

PYTHON = sys.executable

YOUTH_TEXTS = [
    "老师好，我最近压力特别大，晚上总是睡不着。",
    "期中考试又没考好，我爸妈肯定又要骂我了😢",
    "其实也没什么大事，就是想找个人说说话。",
    "每天作业写到十二点，周末还要去补习班，好累啊",
    "有人在网上加我，说可以帮我刷游戏装备，要先转账，这靠谱吗？",
    "高考还有一百天，我每天都很焦虑，一看书就心慌。我就是觉得自己什么都做不好，很没用。",
    "嗯嗯，我明白了，谢谢你。",
    "我爸喝了酒就发脾气，摔东西，我和妹妹都很害怕。",
]
COUNSELOR_TEXT = "听起来这段时间你真的很辛苦，能多说一点吗？"


# =================================================================================================
# inproc
# =================================================================================================
def bench_inproc(args: argparse.Namespace, database_url: str, redis_url: str) -> None:
    stack = loadrun.Stack()
    try:
        url = loadrun.create_database(stack, database_url, args.db)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0"}
        env.pop("REDIS_URL", None)
        loadrun.manage(env, "migrate", "--noinput", "-v0")
        os.environ.update({"DATABASE_URL": url, "DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "youthline.settings"})
        os.environ.pop("REDIS_URL", None)  # the in-memory channel layer
        import django

        django.setup()
        asyncio.run(_inproc(args, redis_url))
    finally:
        with contextlib.suppress(Exception):  # Django may not be set up yet
            from django.db import connections

            connections.close_all()
        stack.stop(keep_db=args.keep_db)


async def _inproc(args: argparse.Namespace, redis_url: str) -> None:
    """Every variant runs `--messages` messages (or steps) per round; rounds interleave the
    variants (A B C A B C ...) so that other work on the machine hits them alike; the minimum
    over the rounds is the figure, the median is shown beside it."""
    import cProfile
    import json
    import pstats
    from concurrent.futures import ThreadPoolExecutor

    import psutil
    from asgiref.sync import async_to_sync
    from channels.db import DatabaseSyncToAsync, database_sync_to_async
    from channels.layers import get_channel_layer
    from django.conf import settings
    from django.db import close_old_connections, connection, transaction
    from django.utils import timezone

    import realtime
    from accounts.services import do_create_youth, do_ensure_staff
    from chat.frames import Message, MessageAck
    from chat.models import Conversation
    from chat.services import messages
    from crisis.detection import ConversationRisk
    from crisis.models import Alert
    from crisis.runtime import current_detector
    from crisis.services import alerts
    from moderation.hygiene import clean_text
    from protocol import frames as f
    from realtime import conversation_group, relay_event

    n = args.messages
    db = database_sync_to_async

    def fixtures() -> tuple[int, list[int], dict[int, int]]:
        counselor = do_ensure_staff(
            username="bench-counselor",
            password="bench-pass-123",
            role="counselor",
            topics=["psych"],
            max_concurrent=1000,
        )
        conversations, youth_of = [], {}
        now = timezone.now()
        for _ in range(args.conversations):
            youth_id = do_create_youth(channel="web", nickname="小雨").user_id
            cid = Conversation.objects.create(
                youth_id=youth_id,
                counselor_id=counselor.pk,
                topic="psych",
                status=Conversation.Status.ACTIVE,
                requested_at=now,
                queued_at=now,
                assigned_at=now,
                first_assigned_at=now,
            ).pk
            conversations.append(cid)
            youth_of[cid] = youth_id
        current_detector()  # compile the lexicon now, not inside the timings
        return counselor.pk, conversations, youth_of

    counselor_id, conversation_ids, youth_of = await db(fixtures)()
    pg_version = await db(lambda: connection.pg_version // 10000)()  # type: ignore[attr-defined]  # PostgreSQL's wrapper

    # Every conversation has two listeners (youth and counselor), drained like sockets would.
    layer = get_channel_layer()
    layer.capacity = 1_000_000
    drainers = []
    for cid in conversation_ids:
        for _ in ("youth", "counselor"):
            name = await layer.new_channel()
            await layer.group_add(conversation_group(cid), name)

            async def drain(name: str = name) -> None:
                while True:
                    await layer.receive(name)

            drainers.append(asyncio.create_task(drain()))
    counter = iter(range(10**9))
    texts = [YOUTH_TEXTS[i % len(YOUTH_TEXTS)] for i in range(n)]

    def youth_args(i: int, cid: int | None = None) -> dict:
        cid = cid or conversation_ids[i % len(conversation_ids)]
        return {
            "user_id": youth_of[cid],
            "role": "youth",
            "conversation_id": cid,
            "client_id": f"y-{next(counter)}",
            "text": texts[i % n],
        }

    def counselor_args(i: int, cid: int | None = None) -> dict:
        cid = cid or conversation_ids[i % len(conversation_ids)]
        return {
            "user_id": counselor_id,
            "role": "counselor",
            "conversation_id": cid,
            "client_id": f"c-{next(counter)}",
            "text": COUNSELOR_TEXT,
        }

    escalations: Counter[str] = Counter()
    original_escalate = alerts.do_escalate

    def counting_escalate(**kwargs):
        escalations["calls"] += 1
        return original_escalate(**kwargs)

    alerts.do_escalate = counting_escalate

    # --- the variants ----------------------------------------------------------------------------
    # The gateway (gateway/consumers.py) runs the service inside realtime.collecting() in the
    # database thread and sends what it published from the event loop afterwards; older code
    # published from the database thread itself (async_to_sync). Both paths are measured.
    collecting = realtime.collecting
    send_collected = realtime.send_collected
    gateway_collects = True  # the old path (publishing from the database thread) is the experiment

    def store_collecting(**kwargs):
        with collecting() as events:
            reply = messages.do_send_message(**kwargs)
        return reply, events

    def make_send(executor=None, collect: bool = gateway_collects):
        if collect:
            call = DatabaseSyncToAsync(store_collecting, thread_sensitive=executor is None, executor=executor)

            async def send_(**kwargs) -> None:
                _reply, events = await call(**kwargs)
                if events:
                    await send_collected(events)
        else:
            call = DatabaseSyncToAsync(messages.do_send_message, thread_sensitive=executor is None, executor=executor)

            async def send_(**kwargs) -> None:
                await call(**kwargs)

        return send_

    send = make_send()
    send_from_db_thread = make_send(collect=False)

    async def gateway(make_args, sender=None) -> None:
        sender = sender or send
        for i in range(n):
            await sender(**make_args(i))

    delivering: set[asyncio.Task[None]] = set()  # deliveries still running after a timed call

    def in_thread(make_args):
        def loop_() -> list:
            collected: list = []
            for i in range(n):
                if gateway_collects:
                    collected.extend(store_collecting(**make_args(i))[1])
                else:
                    messages.do_send_message(**make_args(i))
            return collected

        async def run_() -> None:
            collected = await db(loop_)()
            if collected:  # delivered after the timing, like the gateway does after each call
                task = asyncio.create_task(send_collected(collected))
                delivering.add(task)  # the loop keeps only a weak reference to a task
                task.add_done_callback(delivering.discard)

        return run_

    def set_health_checks(enabled: bool) -> None:
        connection.health_check_enabled = enabled  # type: ignore[attr-defined]  # Django 4.1+, not in the stubs

    async def gateway_no_health_check(make_args) -> None:
        await db(set_health_checks)(False)
        try:
            await gateway(make_args)
        finally:
            await db(set_health_checks)(True)

    def escalate_fast(
        *,
        conversation_id: int,
        seq: int,
        level: int,
        categories: list[str],
        excerpt: str,
        at: datetime,
        risk: ConversationRisk,
        **alert_fields: Any,  # source, detected_by: only the alert path needs them
    ) -> Alert | None:
        """Candidate: below the alert level, one UPDATE (no SELECT of the conversation and its
        counselor); risk_level rises in SQL. The alert path is unchanged."""
        if level < settings.CRISIS_ALERT_LEVEL or not categories:
            escalations["calls"] += 1
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE chat_conversation SET risk_state = %s, risk_level = GREATEST(risk_level, %s) WHERE id = %s",
                    [json.dumps(risk.to_json()), level, conversation_id],
                )
            return None
        return counting_escalate(
            conversation_id=conversation_id,
            seq=seq,
            level=level,
            categories=categories,
            excerpt=excerpt,
            at=at,
            risk=risk,
            **alert_fields,
        )

    async def gateway_escalate_fast(make_args) -> None:
        alerts.do_escalate = escalate_fast
        try:
            await gateway(make_args)
        finally:
            alerts.do_escalate = counting_escalate

    async def in_db_thread(fn) -> None:
        await db(fn)()

    cid0 = conversation_ids[0]
    youth0 = youth_of[cid0]
    claim_sql = messages._CLAIM_SEQ_SQL.format(rule=messages._WRITE_RULES["youth"])

    def sql_store(health_check: bool):
        def run() -> None:
            now_value = connection.ops.adapt_datetimefield_value(timezone.now())
            for _ in range(n):
                if health_check:
                    close_old_connections()
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(claim_sql, [cid0, youth0])
                    seq = cursor.fetchone()[0]
                    cursor.execute(
                        messages._INSERT_SQL,
                        [cid0, seq, "youth", youth0, f"s-{next(counter)}", texts[0], now_value],
                    )
                    cursor.fetchone()

        return run

    one_stmt_sql = (
        "WITH c AS (UPDATE chat_conversation SET last_seq = last_seq + 1 WHERE id = %s AND youth_id = %s "
        "AND status IN ('queued','active') RETURNING last_seq, status, risk_state) "
        "INSERT INTO chat_message (conversation_id, seq, sender_role, sender_id, client_id, text, created_at) "
        "SELECT %s, c.last_seq, 'youth', %s, %s, %s, %s FROM c "
        "ON CONFLICT (conversation_id, sender_role, client_id) DO NOTHING RETURNING seq"
    )

    def one_statement() -> None:
        now_value = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            for _ in range(n):
                cursor.execute(one_stmt_sql, [cid0, youth0, cid0, youth0, f"o-{next(counter)}", texts[0], now_value])
                cursor.fetchone()

    def select_1() -> None:
        with connection.cursor() as cursor:
            for _ in range(n):
                cursor.execute("SELECT 1")
                cursor.fetchone()

    async def hops() -> None:
        noop = db(lambda: None)
        for _ in range(n):
            await noop()

    message = Message(
        conversation=1, seq=1, sender="youth", text=texts[0], client_id="y-1", at=timezone.now().isoformat()
    )
    event = relay_event(message)

    def publish_loop(target_layer, group: str):
        def run() -> None:
            send_ = async_to_sync(target_layer.group_send)
            for _ in range(n):
                send_(group, dict(event))

        return run

    detector = await db(current_detector)()

    def scan_all() -> None:
        risk = ConversationRisk()
        for t in texts:
            detector.scan_in_conversation(t, risk)

    def scan_roundtrip_all() -> None:  # on_youth_message_stored: risk state from JSON, scan, to JSON, compare
        state = None
        for t in texts:
            risk = ConversationRisk.from_json(state)
            before = risk.to_json()
            detector.scan_in_conversation(t, risk)
            after = risk.to_json()
            state = after if after != before else state

    raw = [msgspec_frame(cid=cid0, i=i) for i in range(n)]
    markup = [t + " <b>真的</b> &amp; 吗" for t in texts]

    async def sync_fn(fn) -> None:
        fn()

    rlayer = None
    if redis_url:
        from channels_redis.pubsub import RedisPubSubChannelLayer

        rlayer = RedisPubSubChannelLayer(hosts=[redis_url], prefix=f"bench{os.getpid()}")
        rname = await rlayer.new_channel()
        await rlayer.group_add("bench-group", rname)

        async def rdrain() -> None:
            while True:
                await rlayer.receive(rname)

        drainers.append(asyncio.create_task(rdrain()))

        async def rgroup_send() -> None:
            for _ in range(n):
                await rlayer.group_send("bench-group", dict(event))

    variants: dict[str, Callable[[], Awaitable[object]]] = {
        "e2e.youth": lambda: gateway(youth_args),
        "e2e.counselor": lambda: gateway(counselor_args),
        "thread.youth": in_thread(youth_args),
        "thread.counselor": in_thread(counselor_args),
        "exp.youth.no_health_check": lambda: gateway_no_health_check(youth_args),
        "exp.counselor.no_health_check": lambda: gateway_no_health_check(counselor_args),
        "exp.youth.publish_other_way": lambda: gateway(
            youth_args, send_from_db_thread if gateway_collects else make_send(collect=True)
        ),
        "exp.counselor.publish_other_way": lambda: gateway(
            counselor_args, send_from_db_thread if gateway_collects else send
        ),
        "exp.youth.escalate_fast": lambda: gateway_escalate_fast(youth_args),
        "step.hop": hops,
        "step.select1": lambda: in_db_thread(select_1),
        "step.sql": lambda: in_db_thread(sql_store(False)),
        "step.sql_hc": lambda: in_db_thread(sql_store(True)),
        "step.sql_one": lambda: in_db_thread(one_statement),
        "step.publish_mem": lambda: in_db_thread(publish_loop(layer, conversation_group(cid0))),
        "step.scan": lambda: sync_fn(scan_all),
        "step.scan_full": lambda: sync_fn(scan_roundtrip_all),
        "step.clean": lambda: sync_fn(lambda: [clean_text(t) for t in texts]),
        "step.clean_markup": lambda: sync_fn(lambda: [clean_text(t) for t in markup]),
        "step.decode": lambda: sync_fn(lambda: [f.decode_client_frame(r) for r in raw]),
        "step.encode": lambda: sync_fn(
            lambda: [
                (relay_event(message), f.encode(MessageAck(client_id="y-1", seq=i + 1, conversation=1)))
                for i in range(n)
            ]
        ),
    }
    if rlayer is not None:
        variants["step.publish_redis"] = lambda: in_db_thread(publish_loop(rlayer, "bench-group"))
        variants["step.group_send_redis"] = rgroup_send

    results: dict[str, list[float]] = defaultdict(list)
    await gateway(youth_args)  # warm up
    me = psutil.Process()
    cpu0, my0, wall0 = psutil.cpu_times(), me.cpu_times(), time.perf_counter()
    escalations.clear()
    for _ in range(args.repeat):
        for name, make in variants.items():
            gc.collect()
            t = time.perf_counter()
            await make()
            results[name].append((time.perf_counter() - t) / n * 1e6)
            await asyncio.sleep(0.02)  # let the drainers catch up
    wall = time.perf_counter() - wall0
    cpu1, my1 = psutil.cpu_times(), me.cpu_times()
    busy = (sum(cpu1) - cpu1.idle) - (sum(cpu0) - cpu0.idle)
    mine = (my1.user + my1.system) - (my0.user + my0.system)
    youth_messages = n * args.repeat * 5  # e2e, in-thread and the three experiments run youth messages

    def v(name: str) -> float:
        return min(results[name])

    def line(label: str, name: str, note: str = "") -> None:
        values = results[name]
        print(
            f"  {label:<62} {min(values):8.1f} µs  (median {statistics.median(values):8.1f})"
            f"{('  ' + note) if note else ''}",
            flush=True,
        )

    print(
        f"\nIn-process cost per message: PostgreSQL {pg_version}, in-memory layer, {len(conversation_ids)} "
        f"conversations; {n} messages a round, {args.repeat} interleaved rounds, minimum (and median)"
    )
    print(
        f"  machine busy {100 * busy / wall:.0f}% of a core during the rounds, this process {100 * mine / wall:.0f}% "
        f"(the rest is PostgreSQL and any other work on the machine)"
    )
    print(
        "  end to end, one database_sync_to_async call per message, as the gateway does "
        + ("(publish collected, sent from the loop):" if gateway_collects else "(publish from the db thread):")
    )
    line("youth message (sanitize, store, crisis scan, publish)", "e2e.youth")
    line("counselor message (sanitize, store, publish)", "e2e.counselor")
    print("  the same calls in a loop inside the database thread (no hop, no health check):")
    line("youth message", "thread.youth")
    line("counselor message", "thread.counselor")
    print("  the steps, each alone:")
    line("thread hop: await database_sync_to_async(noop)()", "step.hop", "incl. close_old_connections x2")
    line("health check: SELECT 1 (CONN_HEALTH_CHECKS, once per hop)", "step.select1")
    one_statement_now = hasattr(messages, "_CLAIM_AND_INSERT_PG")
    line(
        "SQL store: BEGIN; UPDATE..RETURNING; INSERT..RETURNING; COMMIT"
        + (" (the old path)" if one_statement_now else ""),
        "step.sql",
    )
    line("  the same, with close_old_connections before each (health check)", "step.sql_hc")
    line(
        "  the same as ONE statement (CTE) in autocommit"
        + (" (server: one CTE, in a transaction)" if one_statement_now else ""),
        "step.sql_one",
    )
    line("publish from the db thread, async_to_sync(group_send), in-memory", "step.publish_mem")
    if rlayer is not None:
        line("publish from the db thread, async_to_sync(group_send), Redis pub/sub", "step.publish_redis")
        line("group_send on the loop itself, Redis pub/sub", "step.group_send_redis")
    line("crisis scan: detector.scan_in_conversation", "step.scan")
    line("crisis scan + risk state from/to JSON (on_youth_message_stored)", "step.scan_full")
    line("clean_text, plain text (fast path)", "step.clean")
    line("clean_text, text with markup", "step.clean_markup")
    line("decode message.send (msgspec)", "step.decode")
    line("encode MESSAGE relay event + message.ack", "step.encode")
    per_youth_escalations = escalations["calls"] / max(1, youth_messages)
    print(
        f"  do_escalate (risk-state UPDATE, extra SELECT) ran for ~{100 * per_youth_escalations:.0f}% "
        "of youth messages "
        f"with these texts"
    )
    print("  experiments (applied in this bench process only; the server code is untouched):")
    line(
        "youth message, CONN_HEALTH_CHECKS off",
        "exp.youth.no_health_check",
        f"{v('exp.youth.no_health_check') - v('e2e.youth'):+.0f} µs",
    )
    line(
        "counselor message, CONN_HEALTH_CHECKS off",
        "exp.counselor.no_health_check",
        f"{v('exp.counselor.no_health_check') - v('e2e.counselor'):+.0f} µs",
    )
    line(
        "youth message, sub-alert risk update as one UPDATE (no SELECT)",
        "exp.youth.escalate_fast",
        f"{v('exp.youth.escalate_fast') - v('e2e.youth'):+.0f} µs",
    )
    other_way = (
        "published from the db thread (async_to_sync, the old way)"
        if gateway_collects
        else "(no realtime.collecting in this tree)"
    )
    line(
        f"youth message, {other_way}",
        "exp.youth.publish_other_way",
        f"{v('exp.youth.publish_other_way') - v('e2e.youth'):+.0f} µs",
    )
    line(
        f"counselor message, {other_way}",
        "exp.counselor.publish_other_way",
        f"{v('exp.counselor.publish_other_way') - v('e2e.counselor'):+.0f} µs",
    )

    # Throughput of one process: the gateway runs every database call in ONE thread
    # (thread_sensitive=True), so the messages of different sockets queue behind each other's
    # PostgreSQL round trips. The same messages from concurrent "sockets", serial vs a pool.
    def sockets_run(make_call):
        async def one_socket(k: int) -> None:
            cid = conversation_ids[k]
            for i in range(k, n, len(conversation_ids)):
                make = youth_args if (i // len(conversation_ids)) % 2 == 0 else counselor_args
                await make_call(make(i, cid))

        async def all_sockets() -> None:
            await asyncio.gather(*(one_socket(k) for k in range(len(conversation_ids))))

        return all_sockets

    async def serial(args_: dict) -> None:
        await send(**args_)

    pools = {
        threads: ThreadPoolExecutor(max_workers=threads, thread_name_prefix=f"bench-db{threads}")
        for threads in (2, 4, 8)
    }
    pooled_sends = {threads: make_send(executor=pool) for threads, pool in pools.items()}

    def pooled(threads: int):
        async def call(args_: dict) -> None:
            await pooled_sends[threads](**args_)

        return sockets_run(call)

    concurrency = {"one database thread (as now)": sockets_run(serial)}
    for threads in pools:
        concurrency[f"a pool of {threads} database threads"] = pooled(threads)
    throughput: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.repeat):
        for name, make in concurrency.items():
            t = time.perf_counter()
            await make()
            throughput[name].append(n / (time.perf_counter() - t))
            await asyncio.sleep(0.02)
    base = max(throughput["one database thread (as now)"])
    print(
        f"  throughput of one process, {len(conversation_ids)} concurrent sockets, half youth / half counselor "
        f"messages (best of {args.repeat}):"
    )
    for name, values in throughput.items():
        print(f"    {name:<44} {max(values):7.0f} msg/s  (x{max(values) / base:.2f})", flush=True)
    for pool in pools.values():
        pool.shutdown(wait=True)

    # --- cProfile of the database thread -------------------------------------------------------
    profiler = cProfile.Profile()

    def profiled() -> list:
        collected: list = []
        store = store_collecting if gateway_collects else (lambda **kw: (messages.do_send_message(**kw), []))
        profiler.enable()
        try:
            for i in range(n):
                collected.extend(store(**youth_args(i))[1])
                collected.extend(store(**counselor_args(i))[1])
        finally:
            profiler.disable()
        return collected

    collected = await db(profiled)()
    if collected:
        await send_collected(collected)
    await asyncio.sleep(0.2)
    out = Path(tempfile.gettempdir()) / "bench_relay_inproc.prof"
    profiler.dump_stats(out)
    print(
        f"\n  cProfile of the database thread, {n} youth + {n} counselor messages, wall time "
        f"(top by internal time; full profile: {out}):"
    )
    stats = pstats.Stats(profiler)
    _print_pstats(stats, 2 * n, limit=18)

    alerts.do_escalate = original_escalate
    for task in drainers:
        task.cancel()
    if rlayer is not None:
        await rlayer.flush()


def msgspec_frame(*, cid: int, i: int) -> str:
    import json

    return json.dumps(
        {"type": "message.send", "conversation": cid, "client_id": f"y-{i}", "text": YOUTH_TEXTS[i % len(YOUTH_TEXTS)]},
        ensure_ascii=False,
    )


def _print_pstats(stats, messages_count: int, limit: int) -> None:
    rows = []
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():
        rows.append((tt, ct, nc, f"{_short(filename)}:{line}({func})"))
    rows.sort(reverse=True)
    total = sum(r[0] for r in rows)
    print(
        f"    {'self µs/msg':>11} {'cum µs/msg':>10} {'calls/msg':>9}  function   "
        f"(total {total / messages_count * 1e6:.0f} µs/msg)"
    )
    for tt, ct, nc, name in rows[:limit]:
        print(
            f"    {tt / messages_count * 1e6:11.1f} {ct / messages_count * 1e6:10.1f} "
            f"{nc / messages_count:9.2f}  {name}"
        )


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# =================================================================================================
# profile: py-spy on a server under load
# =================================================================================================
CATEGORIES = [
    # (label, predicate on one frame "function (file:line)"), tried from the innermost frame out
    ("crisis scan (crisis/detection, alerts)", lambda fr: "crisis/" in fr),
    ("sanitize (moderation/hygiene)", lambda fr: "moderation/hygiene" in fr),
    ("PostgreSQL client (psycopg)", lambda fr: "psycopg" in fr),
    ("Django ORM / db layer", lambda fr: "django/db" in fr),
    ("Redis pub/sub layer (channels_redis, redis-py)", lambda fr: "channels_redis" in fr or "/redis/" in fr),
    ("frames (msgspec, protocol/frames)", lambda fr: "msgspec" in fr or "protocol/frames" in fr),
    ("WebSocket I/O (Daphne, Autobahn, Twisted)", lambda fr: "autobahn" in fr or "twisted" in fr or "daphne" in fr),
    ("thread hop (asgiref sync_to_async / async_to_sync)", lambda fr: "asgiref" in fr or "concurrent/futures" in fr),
    ("Channels consumer / layer dispatch", lambda fr: "channels/" in fr),
    ("Youthline code (gateway, chat, realtime...)", lambda fr: "/work/main/" in fr and ".venv" not in fr),
    ("asyncio event loop", lambda fr: "asyncio" in fr),
    ("threading / queue", lambda fr: "threading.py" in fr or "queue.py" in fr),
]
INCLUSIVE = [
    ("gateway: receive -> _dispatch (per frame)", "receive (gateway/consumers.py"),
    ("  database_sync_to_async thread: do_send_message", "do_send_message (chat/services/messages.py"),
    ("    _store (SQL + signal + publish scheduling)", "_store (chat/services/messages.py"),
    ("    on_youth_message_stored (crisis scan)", "on_youth_message_stored (crisis/services/alerts.py"),
    ("      do_escalate (risk state update / alert)", "do_escalate (crisis/services/alerts.py"),
    ("    clean_text", "clean_text (moderation/hygiene.py"),
    ("    publish (async_to_sync group_send)", "publish (realtime/__init__.py"),
    ("  close_old_connections (health check)", "close_old_connections ("),
    ("Channels dispatch: aclose_old_connections hop before EVERY event", "aclose_old_connections ("),
    ("thread hops, loop side (SyncToAsync.__call__)", "SyncToAsync.__call__ ("),
    ("publish: send_collected / group_send (loop)", "group_send ("),
    ("gateway: relay (fan-out event -> socket send)", "relay (gateway/consumers.py"),
    ("Autobahn frame parsing (dataReceived)", "dataReceived ("),
    ("socket heartbeat (gateway/heartbeat.py)", "_loop (gateway/heartbeat.py"),
]


def parse_collapsed(path: Path) -> list[tuple[list[str], int]]:
    samples = []
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples.append((stack.split(";"), int(count)))
    return samples


def bench_profile(args: argparse.Namespace) -> None:
    py_spy = Path(PYTHON).parent / "py-spy"
    if not py_spy.exists():
        raise SystemExit("profile needs py-spy: .venv/bin/pip install py-spy")
    prefix = Path(tempfile.gettempdir()) / f"youthline-spy-{os.getpid()}"
    summary = Path(f"{prefix}-summary.json")
    cmd = [
        PYTHON,
        str(ROOT / "loadtests" / "run.py"),
        "--rate",
        str(args.rate),
        "--processes",
        str(args.processes),
        "--send-s",
        str(args.send_s),
        "--py-spy",
        str(prefix),
        "--summary",
        str(summary),
        "--db",
        args.db + "_load",
        *(["--py-spy-gil"] if not args.spy_all else []),
    ]
    print(f"\nProfile under load: {' '.join(cmd[1:])}", flush=True)
    proc = subprocess.run(  # a failed run still prints what it measured: its output is shown either way
        cmd,
        cwd=ROOT,
        timeout=args.send_s + 200,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    result = proc.stdout[proc.stdout.rfind("RESULT") :] if "RESULT" in proc.stdout else proc.stdout[-3000:]
    print(result, flush=True)
    import json

    if not summary.exists():
        raise SystemExit("the load run wrote no summary")
    s = json.loads(summary.read_text())
    relayed_per_s = s["relayed_msgs_per_s"]
    server_cpu = s["cpu_percent_of_one_core"].get("server", 0.0) / 100.0  # cores
    files = sorted(Path(prefix).parent.glob(Path(prefix).name + "-*.txt"))
    samples = [smp for fp in files for smp in parse_collapsed(fp)]
    total = sum(c for _, c in samples)
    if not total:
        raise SystemExit("py-spy recorded nothing")
    cpu_us_per_msg = server_cpu / relayed_per_s * 1e6 if relayed_per_s else 0.0
    print(
        f"\n  py-spy: {total} samples from {len(files)} process(es); server CPU {server_cpu * 100:.0f}% of a core "
        f"at {relayed_per_s:.0f} msg/s = {cpu_us_per_msg:.0f} µs of CPU per relayed message "
        f"(youth messages carry the scan, counselor answers do not)"
    )

    by_category: Counter = Counter()
    for frames, count in samples:
        label = "other (interpreter, GC, stdlib)"
        for fr in reversed(frames):
            hit = next((lab for lab, pred in CATEGORIES if pred(fr)), None)
            if hit:
                label = hit
                break
        by_category[label] += count
    print("  where the server's CPU goes (innermost matching frame; share of samples, µs per relayed message):")
    for label, count in by_category.most_common():
        share = count / total
        print(f"    {share * 100:5.1f}%  {share * cpu_us_per_msg:7.0f} µs  {label}")

    print("  inclusive time of the main steps:")
    for label, marker in INCLUSIVE:
        count = sum(c for frames, c in samples if any(marker in fr for fr in frames))
        share = count / total
        print(f"    {share * 100:5.1f}%  {share * cpu_us_per_msg:7.0f} µs  {label}")

    leaf: Counter = Counter()
    for frames, count in samples:
        leaf[_frame_short(frames[-1])] += count
    print("  top leaf functions (self time):")
    for name, count in leaf.most_common(15):
        print(f"    {count / total * 100:5.1f}%  {name}")
    print(f"  raw stacks: {', '.join(str(fp) for fp in files)}")


def _frame_short(frame: str) -> str:
    m = re.match(r"(.*) \((.*)\)$", frame)
    if not m:
        return frame
    return f"{m.group(1)} ({_short(m.group(2))})"


# =================================================================================================
# ab: the live server with candidate optimizations applied at run time (experiment only)
# =================================================================================================
# Loaded into the Daphne processes through PYTHONPATH (sitecustomize) only for the `ab` runs; no
# project file is changed. Each patch is one candidate optimization from the report.
SITECUSTOMIZE = r"""
import os
_PATCHES = set(filter(None, os.environ.get("YOUTHLINE_BENCH_PATCHES", "").split(",")))
if _PATCHES:
    import django
    _setup = django.setup

    def _patched_setup(*args, **kwargs):
        _setup(*args, **kwargs)
        _apply()

    django.setup = _patched_setup


def _apply():
    import sys
    from gateway import consumers
    if "dispatch" in _PATCHES:
        # Channels >= 4.2 runs close_old_connections (a hop into the one database thread) before
        # EVERY handler, relay events included. The gateway's database work all goes through
        # database_sync_to_async, which closes old connections itself, before and after.
        from channels.consumer import get_handler_name

        async def dispatch(self, message):
            handler = getattr(self, get_handler_name(message), None)
            if handler is None:
                raise ValueError("No handler for message type %s" % message["type"])
            await handler(message)

        consumers.GatewayConsumer.dispatch = dispatch
    if "escalate" in _PATCHES:
        # Below the alert level: one UPDATE of the risk state, no SELECT of the conversation.
        import json
        from django.conf import settings
        from django.db import connection
        from crisis.services import alerts
        original_escalate = alerts.do_escalate

        def do_escalate(*, conversation_id, seq, level, categories, excerpt, at, risk):
            if level < settings.CRISIS_ALERT_LEVEL or not categories:
                with connection.cursor() as cursor:
                    cursor.execute("UPDATE chat_conversation SET risk_state = %s, "
                                   "risk_level = GREATEST(risk_level, %s) WHERE id = %s",
                                   [json.dumps(risk.to_json()), level, conversation_id])
                return None
            return original_escalate(conversation_id=conversation_id, seq=seq, level=level, categories=categories,
                                     excerpt=excerpt, at=at, risk=risk)

        alerts.do_escalate = do_escalate
    if "healthcheck" in _PATCHES:
        from django.conf import settings
        settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    if "ssb" in _PATCHES:
        # psycopg server-side binding: statements run 5 times are prepared (PostgreSQL parses
        # and plans them once per connection instead of every time).
        from django.conf import settings
        settings.DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
    pools = [p for p in _PATCHES if p.startswith("pool")]
    if pools:
        from concurrent.futures import ThreadPoolExecutor
        from protocol import frames as f
        size = int(pools[0][4:] or 4)
        executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="msg-db")
        original = consumers.database_sync_to_async

        def patched(func, *args, **kwargs):
            if getattr(func, "__name__", "") == "_call_collecting" and not args and not kwargs:
                pooled = original(func, thread_sensitive=False, executor=executor)
                serial = original(func)

                async def call(handler, consumer, principal, frame):
                    if isinstance(frame, f.MessageSend):
                        return await pooled(handler, consumer, principal, frame)
                    return await serial(handler, consumer, principal, frame)

                return call
            return original(func, *args, **kwargs)

        consumers.database_sync_to_async = patched
    sys.stderr.write("bench patches applied: %s\n" % ",".join(sorted(_PATCHES)))
"""


def bench_ab(args: argparse.Namespace) -> None:
    import json

    patch_dir = Path(tempfile.mkdtemp(prefix="youthline-ab-"))
    (patch_dir / "sitecustomize.py").write_text(SITECUSTOMIZE)
    variants = [v.strip() for v in args.variants.split(";") if v.strip() != ""] or ["baseline"]
    results: dict[str, list[dict]] = defaultdict(list)
    for round_ in range(args.rounds):
        for variant in variants:
            patches = "" if variant == "baseline" else variant
            summary = patch_dir / f"summary-{round_}-{len(results[variant])}-{abs(hash(variant))}.json"
            cmd = [
                PYTHON,
                str(ROOT / "loadtests" / "run.py"),
                "--rate",
                str(args.rate),
                "--processes",
                str(args.processes),
                "--send-s",
                str(args.send_s),
                "--summary",
                str(summary),
                "--db",
                args.db + "_ab",
                "--server-env",
                f"PYTHONPATH={patch_dir}",
                "--server-env",
                f"YOUTHLINE_BENCH_PATCHES={patches}",
                "--server-cpus",
                args.server_cpus,
                "--locust-cpus",
                args.locust_cpus,
            ]
            print(f"[ab] round {round_ + 1}/{args.rounds}: {variant} at {args.rate:.0f} msg/s ...", flush=True)
            subprocess.run(  # a failed run is told by the summary it did not write, below
                cmd,
                cwd=ROOT,
                timeout=args.send_s + 200,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            if summary.exists():
                results[variant].append(json.loads(summary.read_text()))
            else:
                print(f"[ab] {variant}: the run wrote no summary", flush=True)
    print(
        f"\nA/B on the live server: {args.processes} process(es) on cpus {args.server_cpus}, locust on cpus "
        f"{args.locust_cpus}, offered {args.rate:.0f} msg/s, "
        f"{args.send_s:.0f} s windows, {args.rounds} round(s), variants interleaved; per run:"
    )
    print(
        f"  {'variant':<34} {'relayed/s':>9} {'p50':>7} {'p95':>7} {'p99':>8} {'ack p50':>8} {'lost':>5} "
        f"{'srv CPU%':>8} {'µs CPU/msg':>10} {'pg µs/msg':>9} {'other%':>7}"
    )
    for variant in variants:
        for s in results[variant]:
            relay = s["relay_ms"]["all"]
            cpu = s["cpu_percent_of_one_core"]
            per = s.get("server_cpu_ms_per_message")
            print(
                f"  {variant:<34} {s['relayed_msgs_per_s']:9.1f} {relay.get('p50') or 0:7.1f} "
                f"{relay.get('p95') or 0:7.1f} {relay.get('p99') or 0:8.1f} "
                f"{s['ack_ms']['youth'].get('p50') or 0:8.1f} {s['lost']:5d} {cpu.get('server', 0):8.1f} "
                f"{(per or 0) * 1000:10.0f} "
                f"{10_000 * cpu.get('postgres', 0) / max(1e-9, s['relayed_msgs_per_s']):9.0f} "
                f"{cpu.get('other', 0):7.1f}",
                flush=True,
            )
    print("  (latencies in ms over both directions; other% = CPU used on the machine by work outside this run)")
    import shutil

    shutil.rmtree(patch_dir, ignore_errors=True)


# =================================================================================================
# sockets: memory per idle authenticated socket
# =================================================================================================
def bench_sockets(args: argparse.Namespace, database_url: str, redis_url: str) -> None:
    import psutil

    want = args.sockets + args.warm_sockets + 200
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(hard, max(soft, want + 1000))
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < want:
        print(f"  RLIMIT_NOFILE hard limit {hard} < {want}: opening {target - 1200} sockets instead", flush=True)
        args.sockets = max(100, target - 1200 - args.warm_sockets)

    stack = loadrun.Stack()
    db_name = args.db + "_sockets"
    try:
        url = loadrun.create_database(stack, database_url, db_name)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_DEBUG": "0",
            "CHANNELS_PREFIX": f"bsock{os.getpid()}",
            "PYTHONUNBUFFERED": "1",
            "WS_AUTH_TIMEOUT_S": "60",
        }
        if redis_url:
            env["REDIS_URL"] = redis_url
        loadrun.manage(env, "migrate", "--noinput", "-v0")
        count = args.sockets + args.warm_sockets
        t = time.perf_counter()
        tokens = mint_youth_tokens(env, count)
        print(f"\nIdle sockets: {count} youth identities created in {time.perf_counter() - t:.1f} s", flush=True)

        port = loadrun.free_port()
        log = Path(tempfile.gettempdir()) / f"bench-sockets-daphne-{os.getpid()}.log"
        cmd = loadrun.pinned(
            args.server_cpus, [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "youthline.asgi:application"]
        )
        server = stack.spawn(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        loadrun.wait_up(port, server, log)
        proc = psutil.Process(server.pid)
        if args.client_cpus and hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
            os.sched_setaffinity(0, {int(c) for c in args.client_cpus.split(",")})
        asyncio.run(_hold_sockets(args, port, tokens, proc, server))
    finally:
        stack.stop(keep_db=args.keep_db)


def mint_youth_tokens(env: dict, count: int) -> list[str]:
    """Youth identities straight into the database (bulk), tokens signed with the server's key."""
    code = r"""
import os, sys, uuid
import django
django.setup()
from django.contrib.auth.hashers import make_password
from accounts.models import User, YouthProfile, Role
from accounts.tokens import issue_access_token
n = int(sys.argv[1])
unusable = make_password(None)
users = [User(username=f"youth-{uuid.uuid4().hex}", role=Role.YOUTH, password=unusable) for _ in range(n)]
User.objects.bulk_create(users, batch_size=2000)
YouthProfile.objects.bulk_create([YouthProfile(user=u, channel="web", nickname="小雨", region="") for u in users],
                                 batch_size=2000)
sys.stdout.write("\n".join(issue_access_token(user_id=u.pk, role=Role.YOUTH) for u in users))
"""
    out = subprocess.run(
        [PYTHON, "-c", code, str(count)],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "youthline.settings"},
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return out.stdout.split()


async def _hold_sockets(args, port: int, tokens: list[str], proc, server) -> None:
    import websockets

    url = f"ws://127.0.0.1:{port}/ws/v1/"
    opened: list = []
    failures: Counter[str] = Counter()

    async def open_one(token: str) -> None:
        try:
            ws = await websockets.connect(
                url, compression=None, max_queue=16, open_timeout=60, ping_interval=None, close_timeout=2
            )
            await ws.send(f'{{"type":"auth","token":"{token}"}}')
            reply = await asyncio.wait_for(ws.recv(), 60)
            if '"auth.ok"' not in reply:
                failures["auth refused"] += 1
                await ws.close()
                return
            opened.append(ws)
        except Exception as exc:  # noqa: BLE001
            failures[type(exc).__name__] += 1

    async def open_many(batch: list[str]) -> None:
        sem = asyncio.Semaphore(args.concurrency)

        async def guarded(token: str) -> None:
            async with sem:
                await open_one(token)

        await asyncio.gather(*(guarded(t) for t in batch))

    def mem() -> tuple[int, int]:
        info = proc.memory_full_info()
        return info.rss, info.uss

    # Warm up: the first sockets load code, fill caches and connect to Redis and PostgreSQL.
    await open_many(tokens[: args.warm_sockets])
    await asyncio.sleep(2)
    base_rss, base_uss = mem()
    t = time.perf_counter()
    rest = tokens[args.warm_sockets :]
    step = max(1, len(rest) // 5)
    print(f"  server RSS after {len(opened)} warm-up sockets: {base_rss / 2**20:.1f} MiB", flush=True)
    for i in range(0, len(rest), step):
        if server.poll() is not None:
            print("  the server exited!", flush=True)
            break
        await open_many(rest[i : i + step])
        rss, uss = mem()
        n_new = len(opened) - args.warm_sockets
        print(
            f"  {len(opened):6d} sockets open ({time.perf_counter() - t:5.1f} s): RSS {rss / 2**20:7.1f} MiB, "
            f"+{(rss - base_rss) / max(1, n_new) / 1024:5.1f} KiB/socket",
            flush=True,
        )
    # Idle for a while (Daphne pings every 20 s; periodic duties run) and measure again.
    await asyncio.sleep(args.idle_s)
    gc.collect()
    rss, uss = mem()
    n_new = len(opened) - args.warm_sockets
    cpu = proc.cpu_times()
    print(
        f"  after {args.idle_s:.0f} s idle: {len(opened)} sockets, "
        f"RSS {rss / 2**20:.1f} MiB (USS {uss / 2**20:.1f} MiB)"
    )
    print(
        f"  => idle socket memory: {(rss - base_rss) / max(1, n_new) / 1024:.1f} KiB RSS per socket "
        f"({(uss - base_uss) / max(1, n_new) / 1024:.1f} KiB USS) over {n_new} sockets; "
        f"{len(opened)} sockets would need {rss / 2**20:.0f} MiB in one process",
        flush=True,
    )
    print(
        f"  open rate {n_new / max(1e-9, time.perf_counter() - t - args.idle_s):.0f} sockets/s; "
        f"failures: {dict(failures) or 'none'}; server CPU so far {cpu.user + cpu.system:.1f} s",
        flush=True,
    )

    async def close(ws) -> None:
        with contextlib.suppress(Exception):  # a socket the server or the network already dropped
            await ws.close()

    for i in range(0, len(opened), 1000):
        await asyncio.gather(*(close(ws) for ws in opened[i : i + 1000]))


# =================================================================================================
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("what", nargs="?", default="all", choices=["inproc", "profile", "sockets", "ab", "all"])
    p.add_argument("--db", default="youthline_bench", help="database created (and dropped) for the bench")
    p.add_argument("--keep-db", action="store_true")
    p.add_argument("--messages", type=int, default=500, help="inproc: messages a round (default 500)")
    p.add_argument("--conversations", type=int, default=20, help="inproc: conversations written to (default 20)")
    p.add_argument("--repeat", type=int, default=5, help="inproc: interleaved rounds (default 5)")
    p.add_argument("--rate", type=float, default=400.0, help="profile: relayed msg/s offered (default 400)")
    p.add_argument("--processes", type=int, default=1, help="profile: Daphne processes (default 1)")
    p.add_argument(
        "--spy-all",
        action="store_true",
        help="profile: sample every thread (wall time incl. I/O waits) instead of the GIL holder (CPU)",
    )
    p.add_argument("--send-s", type=float, default=20.0, help="profile: send window (default 20 s)")
    p.add_argument(
        "--variants",
        default="baseline;dispatch;dispatch,healthcheck;dispatch,healthcheck,pool4",
        help="ab: ';'-separated patch sets (baseline = none; patches: dispatch, healthcheck, poolN, escalate, ssb)",
    )
    p.add_argument("--rounds", type=int, default=1, help="ab: rounds over the variants (default 1)")
    p.add_argument("--sockets", type=int, default=10_000, help="sockets: idle sockets measured (default 10000)")
    p.add_argument("--warm-sockets", type=int, default=200, help="sockets: opened before the baseline (default 200)")
    p.add_argument("--concurrency", type=int, default=100, help="sockets: handshakes in flight (default 100)")
    p.add_argument("--idle-s", type=float, default=25.0, help="sockets: idle time before the final reading")
    p.add_argument("--server-cpus", default="0", help="taskset for the server (default 0)")
    p.add_argument("--locust-cpus", default="1", help="ab/profile: taskset for locust (default 1)")
    p.add_argument("--client-cpus", default="1", help="affinity of this process while it holds sockets (default 1)")
    args = p.parse_args(argv)
    database_url, redis_url = loadrun.local_services("bench/bench_relay.py")
    if args.what in ("sockets", "all"):
        bench_sockets(args, database_url, redis_url)
    if args.what in ("profile", "all"):
        bench_profile(args)
    if args.what == "ab":
        bench_ab(args)
    if args.what in ("inproc", "all"):
        bench_inproc(args, database_url, redis_url)  # last: it sets Django up in this process
    return 0


if __name__ == "__main__":
    sys.exit(main())
