"""/metrics in process: who may read it, what the hot-path calls count, the job signals, the
state read from the database, and that the answer parses as the Prometheus text format."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

import metrics
from metrics.apps import check_settings
from protocol import frames as f

TOKEN = "t" * 24


def value(name: str, labels: dict | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


def scrape(client: Client, **headers: Any) -> dict[str, list]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    families = {family.name: family.samples for family in text_string_to_metric_families(response.content.decode())}
    return families


# ----- who may read it ---------------------------------------------------------------------------
@override_settings(METRICS_TOKEN="", METRICS_ALLOWED_NETS=[])
def test_off_unless_configured(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


@override_settings(METRICS_TOKEN=TOKEN, METRICS_ALLOWED_NETS=[])
@pytest.mark.django_db
def test_a_token_lets_in_only_who_presents_it(client):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token-wrong-token").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


@override_settings(METRICS_TOKEN="", METRICS_ALLOWED_NETS=["10.20.0.0/16", "fd00::/8"])
@pytest.mark.django_db
def test_allowed_networks_let_in_their_addresses_only(client):
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="fd00::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.21.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    # The token is not configured: presenting one changes nothing.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 403


@override_settings(METRICS_TOKEN=TOKEN, METRICS_ALLOWED_NETS=["10.20.0.0/16"])
@pytest.mark.django_db
def test_either_the_network_or_the_token(client):
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 403


@pytest.mark.parametrize("token,nets", [("short", []), ("", ["10.0.0.0/33"]), ("", ["not-a-network"])])
def test_a_bad_setting_stops_the_process_at_start(token, nets):
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(METRICS_TOKEN=token, METRICS_ALLOWED_NETS=nets), pytest.raises(ImproperlyConfigured):
        check_settings()


# ----- what the hot path counts ------------------------------------------------------------------
def test_message_stored_counts_new_messages_not_resends():
    before = value("youthline_messages_relayed_total", {"sender": "youth"})
    metrics.message_stored("youth", duplicate=False)
    metrics.message_stored("youth", duplicate=True)
    assert value("youthline_messages_relayed_total", {"sender": "youth"}) == before + 1


def test_error_frames_are_counted_by_their_code():
    for code in ("rate_limited", "bad_frame", "rate_limited"):
        before = value("youthline_frames_refused_total", {"code": code})
        metrics.sent(f.encode(f.Error(code=code, detail="no", ref="r1")))
        assert value("youthline_frames_refused_total", {"code": code}) == before + 1


def _message_frame(at) -> str:
    from chat import frames as chat_frames

    return f.encode(
        chat_frames.Message(conversation=1, seq=1, sender="youth", text='"at":"x" <3', client_id="c", at=at.isoformat())
    )


def test_a_message_frame_is_timed_from_its_stored_at():
    before = value("youthline_relay_latency_seconds_count")
    before_fast = value("youthline_relay_latency_seconds_bucket", {"le": "0.25"})
    before_slow = value("youthline_relay_latency_seconds_bucket", {"le": "2.5"})
    metrics.sent(_message_frame(timezone.now()))
    metrics.sent(_message_frame(timezone.now() - timedelta(seconds=2)))
    assert value("youthline_relay_latency_seconds_count") == before + 2
    assert value("youthline_relay_latency_seconds_bucket", {"le": "0.25"}) == before_fast + 1
    assert value("youthline_relay_latency_seconds_bucket", {"le": "2.5"}) == before_slow + 2


def test_a_relayed_message_is_timed_in_stages_from_its_stamps():
    import time

    def stage(name: str, le: str | None = None) -> float:
        if le is None:
            return value("youthline_relay_stage_seconds_count", {"stage": name})
        return value("youthline_relay_stage_seconds_bucket", {"stage": name, "le": le})

    before = {name: stage(name) for name in ("publish", "deliver", "send")}
    slow_publish, fast_deliver = stage("publish", "2.5"), stage("deliver", "0.25")
    stored = timezone.now() - timedelta(seconds=2)
    now = time.time()
    metrics.sent(_message_frame(stored), published=stored.timestamp() + 1.5, received=now - 0.1)
    assert {name: stage(name) - before[name] for name in before} == {"publish": 1, "deliver": 1, "send": 1}
    assert stage("publish", "2.5") == slow_publish + 1 and stage("publish", "1.0") < stage("publish", "2.5")
    assert stage("deliver", "0.25") == fast_deliver  # 0.4 s or more between publish and receipt
    # No stamp (an event from an older process), or not a message frame: nothing observed.
    metrics.sent(_message_frame(stored), published=None, received=now)
    metrics.sent('{"type":"presence","status":"available"}', published=now, received=now)
    assert {name: stage(name) - before[name] for name in before} == {"publish": 1, "deliver": 1, "send": 1}


def test_an_alert_frame_is_timed_on_its_first_raise_only():
    from crisis import frames as crisis_frames

    def alert(overdue: bool) -> str:
        return f.encode(
            crisis_frames.CrisisAlert(
                alert=1,
                conversation=1,
                category="suicide",
                level=3,
                excerpt="…",
                at=(timezone.now() - timedelta(seconds=0.5)).isoformat(),
                topic="psych",
                overdue=overdue,
            )
        )

    before = value("youthline_alert_latency_seconds_count")
    before_sum = value("youthline_alert_latency_seconds_sum")
    metrics.sent(alert(overdue=False))
    metrics.sent(alert(overdue=True))
    assert value("youthline_alert_latency_seconds_count") == before + 1
    assert 0.5 <= value("youthline_alert_latency_seconds_sum") - before_sum < 5


def test_other_frames_and_odd_text_are_ignored():
    before = [value("youthline_relay_latency_seconds_count"), value("youthline_alert_latency_seconds_count")]
    for text in (
        '{"type":"pong"}',
        '{"type":"message","at":"not a time"}',
        '{"type":"message",',
        "not json",
        json.dumps({"type": "history", "messages": []}),
    ):
        metrics.sent(text)
    assert [value("youthline_relay_latency_seconds_count"), value("youthline_alert_latency_seconds_count")] == before


def _conversation(*, topic: str = "psych", risk_level: int = 0, waited_s: float = 0):
    from accounts.models import Role, User
    from chat.models import Conversation

    user = User.objects.create(username=f"metrics-youth-{User.objects.count()}", role=Role.YOUTH)
    at = timezone.now() - timedelta(seconds=waited_s)
    return Conversation.objects.create(youth=user, topic=topic, risk_level=risk_level, requested_at=at, queued_at=at)


@pytest.mark.django_db
def test_a_failed_crisis_scan_is_counted(monkeypatch):
    import chat.scanning
    from chat.models import UnscannedMessage
    from chat.scanning import StoredYouthMessage

    def broken(message: StoredYouthMessage) -> None:
        raise RuntimeError("detector down")

    conversation = _conversation()
    monkeypatch.setattr(chat.scanning, "_scanner", broken)
    before = value("youthline_detector_failures_total")
    chat.scanning.scan_stored_youth_message(
        StoredYouthMessage(
            conversation_id=conversation.pk, seq=1, text="你好", at=timezone.now(), status="queued", risk_state=None
        )
    )
    assert value("youthline_detector_failures_total") == before + 1
    assert UnscannedMessage.objects.filter(conversation=conversation).count() == 1


# ----- state read at scrape time -----------------------------------------------------------------
@override_settings(METRICS_TOKEN=TOKEN, METRICS_ALLOWED_NETS=[])
@pytest.mark.django_db
def test_queue_sockets_alerts_and_unscanned_rows_are_read_from_the_database(client):
    from accounts.models import LiveSocket
    from chat.models import UnscannedMessage
    from crisis.models import Alert

    _conversation(topic="psych", risk_level=0, waited_s=30)
    _conversation(topic="psych", risk_level=0, waited_s=90)
    risky = _conversation(topic="legal", risk_level=3, waited_s=5)
    now = timezone.now()
    LiveSocket.objects.create(channel_name="metrics.a", user=risky.youth, heartbeat_at=now)
    LiveSocket.objects.create(channel_name="metrics.b", user=risky.youth, heartbeat_at=now)
    Alert.objects.create(
        conversation=risky,
        message_seq=1,
        category="suicide",
        level=3,
        excerpt="…",
        created_at=now - timedelta(seconds=40),
        last_raised_at=now,
    )
    UnscannedMessage.objects.create(conversation=risky, seq=1, error="RuntimeError: x", at=now - timedelta(hours=2))
    UnscannedMessage.objects.create(conversation=risky, seq=2, error="RuntimeError: x", at=now)

    families = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    def samples(name: str) -> dict[tuple, float]:
        return {tuple(sorted(s.labels.items())): s.value for s in families[name]}

    assert samples("youthline_queue_length") == {
        (("risk_level", "0"), ("topic", "psych")): 2,
        (("risk_level", "3"), ("topic", "legal")): 1,
    }
    waits = samples("youthline_queue_oldest_wait_seconds")
    assert 90 <= waits[(("risk_level", "0"), ("topic", "psych"))] < 120
    assert 5 <= waits[(("risk_level", "3"), ("topic", "legal"))] < 35
    assert samples("youthline_open_sockets") == {(("role", "youth"),): 2}
    assert samples("youthline_alerts_unacknowledged") == {(("level", "3"),): 1}
    assert 40 <= samples("youthline_alert_oldest_unacknowledged_seconds")[(("level", "3"),)] < 70
    assert samples("youthline_unscanned_messages") == {(): 2}
    assert samples("youthline_unscanned_messages_last_hour") == {(): 1}
    assert samples("youthline_state_up") == {(): 1}
    # The events of this process are in the same answer.
    assert "youthline_messages_relayed" in families and "youthline_relay_latency_seconds" in families


@override_settings(METRICS_TOKEN=TOKEN, METRICS_ALLOWED_NETS=[])
@pytest.mark.django_db
def test_a_failing_state_reader_leaves_the_rest_of_the_answer(client, monkeypatch):
    def broken():
        raise RuntimeError("database down")
        yield  # a generator, like the others

    monkeypatch.setattr(metrics, "_state_readers", [broken, *metrics.state_readers()])
    families = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert [s.value for s in families["youthline_state_up"]] == [0]
    assert "youthline_queue_length" in families and "youthline_messages_relayed" in families


# ----- the job workers ---------------------------------------------------------------------------
def test_job_runs_and_failures_are_counted_from_huey_signals():
    from huey import signals
    from huey.contrib.djhuey import HUEY

    class Task:
        id = "job-1"
        name = "metrics_test_job"

    labels = {"task": "metrics_test_job"}
    before_ok = value("youthline_jobs_total", {**labels, "outcome": "complete"})
    before_error = value("youthline_jobs_total", {**labels, "outcome": "error"})
    before_runs = value("youthline_job_duration_seconds_count", labels)
    HUEY._emit(signals.SIGNAL_EXECUTING, Task())
    HUEY._emit(signals.SIGNAL_COMPLETE, Task())
    HUEY._emit(signals.SIGNAL_EXECUTING, Task())
    HUEY._emit(signals.SIGNAL_ERROR, Task(), RuntimeError("boom"))
    assert value("youthline_jobs_total", {**labels, "outcome": "complete"}) == before_ok + 1
    assert value("youthline_jobs_total", {**labels, "outcome": "error"}) == before_error + 1
    assert value("youthline_job_duration_seconds_count", labels) == before_runs + 2


@override_settings(METRICS_TOKEN=TOKEN, METRICS_ALLOWED_NETS=[])
@pytest.mark.django_db
def test_a_database_error_stops_the_readers_left(client, monkeypatch):
    from django.db import OperationalError

    called: list[str] = []

    def unreachable():
        raise OperationalError("connection refused")
        yield

    def after():
        called.append("after")
        yield from ()

    monkeypatch.setattr(metrics, "_state_readers", [unreachable, after])
    families = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert [s.value for s in families["youthline_state_up"]] == [0]
    assert called == []
    assert "youthline_messages_relayed" in families
