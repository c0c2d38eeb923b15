"""PostgreSQL stopped for seconds under a live process, on a cluster of this module's own
(tests/faults/conftest.py), never the shared one.

While it is down a client is told so (an `unavailable` error frame, or a closed socket it
reconnects from), and never acknowledged for what was not stored; once it is back, sends
succeed and nothing acknowledged is lost."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from tests.faults.client import Ledger, Participant, settle, stored_messages
from tests.faults.conftest import FAULT_ENV, assert_healthy, exchange, new_staff, new_youth, open_conversation
from tests.live import LiveStack

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def pg_stack(dedicated_postgres):
    stack = LiveStack(processes=1, workers=1, env=FAULT_ENV).start()
    yield stack
    stack.stop()


def _status(method: str, url: str, body: dict) -> int:
    """The HTTP status alone (a 500 page is not JSON)."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _false_acks(person: Participant, stored: list[tuple[int, str, str]]) -> list[str]:
    stored_ids = {client_id for _seq, client_id, _role in stored}
    return [client_id for client_id in person.acked if client_id not in stored_ids]


def test_a_postgresql_stop_is_answered_never_falsely_acknowledged_and_loses_nothing(dedicated_postgres, pg_stack):
    stack = pg_stack
    url = stack.urls[0]
    youth, counselor = open_conversation(stack, [url], [url])
    # Signed in before the outage: the health check after it is about sockets (HTTP: below).
    checkers = (new_youth(stack), new_staff(stack, topics=["legal"]))
    exchange([youth, counselor], seconds=1.0)
    acked_before = {p.name: set(p.acked) for p in (youth, counselor)}
    errors_before = {p.name: sum(p.errors.values()) for p in (youth, counselor)}
    closes_before = {p.name: sum(p.closes.values()) for p in (youth, counselor)}

    dedicated_postgres.stop()
    down_at = time.monotonic()
    exchange([youth, counselor], seconds=3.0)
    up_again_at = time.monotonic()
    acked_while_down = {p.name: sorted(set(p.acked) - acked_before[p.name]) for p in (youth, counselor)}
    # Said after the database was gone and acknowledged before it came back: nothing could have
    # stored it, whatever the record shows later.
    impossible = {
        p.name: [c for c in acked_while_down[p.name] if p.said_at[c] > down_at and p.acks_at[c] < up_again_at]
        for p in (youth, counselor)
    }
    told = {
        p.name: {
            "errors": sum(p.errors.values()) - errors_before[p.name],
            "closes": sum(p.closes.values()) - closes_before[p.name],
            "failed connects": p.failed_connects,
        }
        for p in (youth, counselor)
    }
    dedicated_postgres.start()
    back_at = time.monotonic()
    exchange([youth, counselor], seconds=2.0)
    settle([youth, counselor], timeout=40)

    stored = stored_messages(stack, youth.conversation)
    for person in (youth, counselor):
        person.false_acks = _false_acks(person, stored) + impossible[person.name]
    ledger = Ledger(
        "PostgreSQL stopped (fast shutdown) for seconds (1 process)",
        [youth, counselor],
        stored,
        extra={
            "acked after the stop began (each must be stored)": acked_while_down,
            "told while down": told,
            "seconds down": round(back_at - down_at, 2),
            "seconds from restart to settled": round(time.monotonic() - back_at, 2),
        },
    )
    ledger.check()
    # An ack that arrived after the stop began is true only if its message was stored before it
    # (a frame in flight): the ledger's false-ack check above holds every one of them to that.
    # ...and each side was told: an error frame (`unavailable`) or a closed socket.
    for name, what in told.items():
        assert what["errors"] + what["closes"] + what["failed connects"] > 0, (name, what)
    latency_ms = assert_healthy(url, stack, people=checkers)
    print(f"healthy after PostgreSQL came back: a fresh socket relayed a message in {latency_ms:.0f} ms")


def test_the_first_sign_in_after_a_postgresql_restart_succeeds(dedicated_postgres, pg_stack):
    url = pg_stack.urls[0]
    staff = new_staff(pg_stack)  # the process's HTTP thread now holds a connection
    new_youth(pg_stack)
    dedicated_postgres.stop()
    dedicated_postgres.start()
    answers = [
        _status("POST", url + "/api/v1/auth/login", {"username": staff["username"], "password": "test-pass-123"}),
        _status("POST", url + "/api/v1/auth/youth", {"channel": "web"}),
    ]
    print(f"first answers after the restart (login, youth sign-up): {answers}")
    assert answers == [200, 201], answers
