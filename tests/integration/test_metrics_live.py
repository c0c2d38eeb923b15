"""/metrics on a live stack: two Daphne processes and a job worker sharing one multiprocess
directory, a token configured. Refused without the token; with it, what any process answers
adds up every process: a youth message stored on process 0 and delivered on both, a refusal,
the queue, the sockets, and a job run by the worker."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live

TOKEN = "metrics-test-token-0123456789"


def get(url: str, token: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url + "/metrics", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def scrape(url: str) -> dict[tuple[str, tuple], float]:
    status, text = get(url, TOKEN)
    assert status == 200, text[:500]
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def total(samples: dict, name: str, **labels: str) -> float:
    """The sum over every sample of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= set(ls))


def test_metrics_are_refused_without_the_token_and_add_up_every_process(start_stack, tmp_path):
    stack = start_stack(
        processes=2, workers=1, METRICS_TOKEN=TOKEN, PROMETHEUS_MULTIPROC_DIR=str(tmp_path), QUEUE_ABANDON_S="1"
    )
    for url in stack.urls:
        assert get(url)[0] == 403
        assert get(url, "not-the-token-not-the-token")[0] == 403

    before = scrape(stack.urls[1])
    counselor_id = stack.create_staff(username="metrics_c1", topics=["psych"], name="陈老师")
    status, login = http_json(
        "POST", stack.urls[0] + "/api/v1/auth/login", {"username": "metrics_c1", "password": "test-pass-123"}
    )
    assert status == 200 and counselor_id
    status, youth = http_json("POST", stack.urls[0] + "/api/v1/auth/youth", {"channel": "web", "nickname": "小林"})
    assert status == 201

    with WsClient(stack.urls[1], login["access"]) as c, WsClient(stack.urls[0], youth["access"]) as y:
        c.request({"type": "presence", "status": "available"}, "presence.ok")
        conversation = y.request({"type": "consult.request", "topic": "psych"}, "queue.joined")["conversation"]
        c.recv("conversation.assigned", conversation=conversation)
        ack = y.request(
            {"type": "message.send", "conversation": conversation, "client_id": "m1", "text": "老师好"}, "message.ack"
        )
        c.recv("message", seq=ack["seq"])
        y.recv("message", seq=ack["seq"])
        # The same client_id again: answered, not relayed again.
        y.request(
            {"type": "message.send", "conversation": conversation, "client_id": "m1", "text": "老师好"}, "message.ack"
        )
        assert y.error({"type": "no.such.frame", "ref": "x"})["code"] == "bad_frame"

        # A youth waiting for a topic nobody serves: the queue, by topic and risk level.
        status, waiting = http_json("POST", stack.urls[1] + "/api/v1/auth/youth", {"channel": "web"})
        w = WsClient(stack.urls[1], waiting["access"])
        w.request({"type": "consult.request", "topic": "aid"}, "queue.joined")

        # Asked of process 1: the message was stored on process 0, delivered on both.
        after = scrape(stack.urls[1])
        assert (
            total(after, "youthline_messages_relayed_total", sender="youth")
            == total(before, "youthline_messages_relayed_total", sender="youth") + 1
        )
        assert (
            total(after, "youthline_relay_latency_seconds_count")
            >= total(before, "youthline_relay_latency_seconds_count") + 2
        )
        # ...and in stages, across the two processes, one observation per recipient in each.
        for stage in ("publish", "deliver", "send"):
            assert (
                total(after, "youthline_relay_stage_seconds_count", stage=stage)
                >= total(before, "youthline_relay_stage_seconds_count", stage=stage) + 2
            ), stage
        assert (
            total(after, "youthline_frames_refused_total", code="bad_frame")
            == total(before, "youthline_frames_refused_total", code="bad_frame") + 1
        )
        assert total(after, "youthline_queue_length", topic="aid") == 1
        assert total(after, "youthline_queue_oldest_wait_seconds", topic="aid") >= 0
        assert total(after, "youthline_open_sockets", role="youth") == 2
        assert total(after, "youthline_open_sockets", role="counselor") == 1
        assert total(after, "youthline_state_up") == 1
        # Process 0 gives the same sums.
        same = scrape(stack.urls[0])
        assert total(same, "youthline_messages_relayed_total") == total(after, "youthline_messages_relayed_total")

        # The waiting youth leaves: the worker's abandoned-request job runs, counted by the worker
        # and reported by the web processes.
        w.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            jobs = scrape(stack.urls[0])
            if total(jobs, "youthline_jobs_total", task="cancel_if_abandoned", outcome="complete") >= 1:
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"no job run reported: {[k for k in jobs if 'jobs' in k[0]]}")
        assert total(jobs, "youthline_job_duration_seconds_count", task="cancel_if_abandoned") >= 1
        assert total(jobs, "youthline_queue_length", topic="aid") == 0
