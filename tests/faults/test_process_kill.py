"""A server process killed with -9 in the middle of a conversation: both sides move to the other
process and resume; nothing acknowledged is lost or duplicated."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.faults.client import Ledger, settle, stored_messages
from tests.faults.conftest import assert_healthy, exchange, open_conversation

pytestmark = pytest.mark.live


def test_a_process_killed_mid_conversation_loses_and_duplicates_nothing(fault_stack):
    stack = fault_stack(processes=2, workers=1)
    doomed, survivor = stack.urls[1], stack.urls[0]  # process 1 runs the `daphne` command, as production
    # Both sides on the process that dies; each falls back to the other one.
    youth, counselor = open_conversation(stack, [doomed, survivor], [doomed, survivor])

    exchange([youth, counselor], seconds=2.0)
    # The kill lands with frames in flight: sent, maybe stored, not yet acknowledged.
    for _ in range(5):
        youth.say()
        counselor.say()
    in_flight = {p.name: len(p.pending) for p in (youth, counselor)}
    os.kill(stack.server_pids[1], signal.SIGKILL)
    killed_at = time.monotonic()
    exchange([youth, counselor], seconds=3.0)  # sends go on: pending while there is no socket
    settle([youth, counselor])
    resumed_on = {p.name: p.urls[p.url_index % 2] == survivor for p in (youth, counselor)}

    ledger = Ledger(
        "process killed with -9 mid-conversation (2 processes)",
        [youth, counselor],
        stored_messages(stack, youth.conversation),
        extra={
            "unacknowledged when killed": in_flight,
            "resumed on the survivor": resumed_on,
            "seconds from kill to settled": round(time.monotonic() - killed_at, 2),
        },
    )
    ledger.check()
    assert all(resumed_on.values()), resumed_on
    assert all(p.reconnects >= 1 for p in (youth, counselor)), "the kill did not reach the clients"
    latency_ms = assert_healthy(survivor, stack)
    print(f"surviving process healthy: a fresh socket relayed a message in {latency_ms:.0f} ms")
