"""The services under the processes fail while messages flow: Redis restarted (killed, then
started again), on a Redis server of the test's own (tests/faults/conftest.py), never the shared one.

The database is the record: what is acknowledged while the pub/sub layer is gone is stored, and
reaches the other side (through `history`) once it is back."""

from __future__ import annotations

import time

import pytest

from tests.faults.client import Ledger, settle, stored_messages
from tests.faults.conftest import assert_healthy, exchange, open_conversation

pytestmark = pytest.mark.live


def test_a_redis_restart_while_messages_flow_loses_nothing_acknowledged(fault_stack, dedicated_redis):
    stack = fault_stack(processes=2, workers=1, REDIS_URL=dedicated_redis.url)
    # Youth on one process, counselor on the other: every relay crosses Redis.
    youth, counselor = open_conversation(stack, [stack.urls[0], stack.urls[1]], [stack.urls[1], stack.urls[0]])
    exchange([youth, counselor], seconds=1.5)
    before = {p.name: len(p.acked) for p in (youth, counselor)}

    dedicated_redis.kill()
    down_at = time.monotonic()
    exchange([youth, counselor], seconds=3.0)
    during = {p.name: len(p.acked) - before[p.name] for p in (youth, counselor)}
    dedicated_redis.start()
    back_at = time.monotonic()
    exchange([youth, counselor], seconds=2.0)
    settle([youth, counselor], timeout=40)

    stored = stored_messages(stack, youth.conversation)
    ledger = Ledger(
        "Redis killed and restarted while messages flow (2 processes)",
        [youth, counselor],
        stored,
        extra={
            "acked while Redis was down": during,
            "seconds down": round(back_at - down_at, 2),
            "seconds from restart to settled": round(time.monotonic() - back_at, 2),
        },
    )
    ledger.check()
    for url in stack.urls:
        latency_ms = assert_healthy(url, stack)
        print(f"{url} healthy after the Redis restart: a fresh socket relayed a message in {latency_ms:.0f} ms")
