"""The relay's storage path in-process: idempotency, gapless seq, and the crisis hook never losing a message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role, User
from chat.models import Conversation, Message
from chat.services.messages import do_send_message
from crisis.models import Alert
from protocol.errors import Refused
from realtime import collecting

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conversation():
    youth = User.objects.create(username="y-unit", role=Role.YOUTH)
    counselor = User.objects.create(username="c-unit", role=Role.COUNSELOR)
    now = timezone.now()
    return Conversation.objects.create(
        youth=youth, counselor=counselor, topic="psych", status="active", requested_at=now, queued_at=now
    )


def send(conversation, client_id, text, role="youth"):
    user_id = conversation.youth_id if role == "youth" else conversation.counselor_id
    with collecting() as events:
        ack = do_send_message(
            user_id=user_id, role=role, conversation_id=conversation.pk, client_id=client_id, text=text
        )
    return ack, events


def test_resend_is_idempotent_and_seq_gapless(conversation):
    first, events = send(conversation, "a", "你好")
    assert first.seq == 1 and len(events) == 1  # one MESSAGE published
    again, events = send(conversation, "a", "你好")
    assert again.seq == 1 and events == []  # nothing new stored or published
    assert send(conversation, "b", "在吗", role="counselor")[0].seq == 2
    assert list(Message.objects.filter(conversation=conversation).values_list("seq", flat=True).order_by("seq")) == [
        1,
        2,
    ]
    conversation.refresh_from_db()
    assert conversation.last_seq == 2


def test_refusals_store_nothing(conversation):
    for text, code in [("x" * 2001, "too_large"), ("   ", "invalid"), ("<b></b>", "invalid")]:
        with pytest.raises(Refused) as refused:
            send(conversation, f"r-{code}", text)
        assert refused.value.code == code
    assert not Message.objects.exists()
    conversation.refresh_from_db()
    assert conversation.last_seq == 0


def test_a_failing_escalation_never_loses_the_message(conversation, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database hiccup during escalation")

    monkeypatch.setattr("crisis.services.alerts.do_escalate", broken)
    ack, _ = send(conversation, "risky", "我今晚就吃药自杀")
    assert ack.seq == 1
    assert Message.objects.get(conversation=conversation, seq=1).text == "我今晚就吃药自杀"


def test_a_failing_detector_never_loses_the_message(conversation, monkeypatch):
    def broken():
        raise RuntimeError("lexicon failed to load")

    monkeypatch.setattr("crisis.services.alerts.current_detector", broken)
    assert send(conversation, "m", "我想死")[0].seq == 1
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_a_risky_youth_message_stores_an_alert_and_raises_the_risk(conversation):
    _, events = send(conversation, "risky", "我已经写好遗书了，今晚就从楼顶跳下去")
    alert = Alert.objects.get(conversation=conversation)
    assert alert.level == 4 and alert.category == "suicide" and alert.message_seq == 1
    conversation.refresh_from_db()
    assert conversation.risk_level == 4
    groups = [target for _, target, _ in events]
    # The message, the alert to supervisors, the risk flag to staff, the safety response to the youth.
    assert sorted(groups) == sorted(
        [f"conv.{conversation.pk}", "supervisors", f"conv.{conversation.pk}.staff", f"user.{conversation.youth_id}"]
    )
    # The counselor's words are never scanned.
    send(conversation, "c1", "你说想从楼顶跳下去，能多说说吗？", role="counselor")
    assert Alert.objects.filter(conversation=conversation).count() == 1


def test_a_failing_detector_is_loud_and_a_counselor_can_still_raise_the_alert(conversation, monkeypatch):
    from chat import scanning
    from chat.models import UnscannedMessage
    from crisis.live import detector_health
    from crisis.services.alerts import do_raise_counselor_alert

    def broken():
        raise RuntimeError("lexicon failed to load")

    monkeypatch.setattr("crisis.services.alerts.current_detector", broken)
    before = scanning.unscanned_total
    assert send(conversation, "m", "药都攒够了")[0].seq == 1
    # Loud: logged, counted, recorded, and on the supervisors' dashboard.
    assert scanning.unscanned_total == before + 1
    assert list(UnscannedMessage.objects.values_list("conversation_id", "seq")) == [(conversation.pk, 1)]
    health = detector_health(since=timezone.now() - timedelta(hours=1))
    assert health.unscanned_last_hour == 1 and health.unscanned_conversations == [conversation.pk]
    # The counselor's own alert reads no detector.
    view = do_raise_counselor_alert(
        counselor_id=conversation.counselor_id,
        conversation_id=conversation.pk,
        category="suicide",
        level=3,
        note="攒药",
        seq=1,
    )
    alert = Alert.objects.get(pk=view.alert)
    assert (alert.source, alert.level, alert.excerpt, alert.raised_by_id) == (
        "counselor",
        3,
        "药都攒够了",
        conversation.counselor_id,
    )


def test_with_no_scanner_installed_the_check_fails_and_messages_are_recorded_unscanned(conversation, monkeypatch):
    from chat import scanning
    from chat.models import UnscannedMessage

    monkeypatch.setattr(scanning, "_scanner", None)
    assert [m.id for m in scanning.scanner_is_installed()] == ["chat.E001"]
    assert send(conversation, "n", "你好")[0].seq == 1
    assert UnscannedMessage.objects.filter(conversation=conversation, seq=1).exists()


def test_verdicts_and_counselors_alerts_become_local_training_rows(conversation):
    from crisis.local_labels import local_labelled_rows
    from crisis.records import VerdictInput
    from crisis.services.alerts import do_ack_alert, do_raise_counselor_alert, do_record_verdict

    supervisor = User.objects.create(username="s-unit", role=Role.SUPERVISOR)
    send(conversation, "r1", "我已经写好遗书了，今晚就从楼顶跳下去")
    send(conversation, "r2", "活着好累，我想吃安眠药")
    first = Alert.objects.get(conversation=conversation)  # the second message is below the open alert's level
    do_ack_alert(
        supervisor_id=supervisor.pk,
        alert_id=first.pk,
        verdict=VerdictInput(real_risk=True, category="suicide", level=4),
    )
    send(conversation, "r3", "周末想去海边看看，以后就不麻烦大家了")
    miss = do_raise_counselor_alert(
        counselor_id=conversation.counselor_id,
        conversation_id=conversation.pk,
        category="suicide",
        level=3,
        note="像告别",
        seq=3,
    )
    rows = {row["id"]: row for row in local_labelled_rows()}
    assert rows[f"verdict-{first.pk}"] == {
        "id": f"verdict-{first.pk}",
        "text": "我已经写好遗书了，今晚就从楼顶跳下去",
        "level": 4,
        "categories": ["suicide"],
        "kind": "verdict",
    }
    assert rows[f"miss-{miss.alert}"]["text"] == "周末想去海边看看，以后就不麻烦大家了"
    assert rows[f"miss-{miss.alert}"]["level"] == 3
    # A supervisor who judges the counselor's alert "not a risk" turns it into a negative example.
    do_record_verdict(supervisor_id=supervisor.pk, alert_id=miss.alert, verdict=VerdictInput(real_risk=False))
    rows = {row["id"]: row for row in local_labelled_rows()}
    assert rows[f"verdict-{miss.alert}"]["level"] == 0 and f"miss-{miss.alert}" not in rows
    assert sorted(rows) == sorted([f"verdict-{first.pk}", f"verdict-{miss.alert}"])  # unjudged messages are not labels


def test_a_scanner_that_aborts_the_transaction_gets_no_false_acknowledgement(conversation, monkeypatch):
    from django.db import DatabaseError, OperationalError, connection

    from chat import scanning

    def careless_scanner(message):
        # A failed statement outside a savepoint, swallowed: PostgreSQL has aborted the transaction.
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")
        except DatabaseError:
            pass

    monkeypatch.setattr(scanning, "_scanner", careless_scanner)
    with pytest.raises(OperationalError):
        send(conversation, "x", "你好")
    assert not Message.objects.filter(conversation=conversation).exists()
    conversation.refresh_from_db()
    assert conversation.last_seq == 0  # nothing half-stored: the resend will be the first message


def test_a_failing_shadow_model_never_keeps_the_real_alert_from_being_raised(conversation, monkeypatch):
    from crisis import model_sync

    def broken(**kwargs):
        raise RuntimeError("the shadow artifact is corrupt")

    monkeypatch.setattr(model_sync, "shadow_model_version", lambda: "broken-shadow")
    monkeypatch.setattr(model_sync, "score_in_shadow", broken)
    send(conversation, "s", "我已经写好遗书了，今晚就从楼顶跳下去")
    assert Alert.objects.filter(conversation=conversation, level=4).exists()


def test_messages_stored_while_the_detector_failed_are_scanned_again_once_it_works(conversation, monkeypatch):
    from chat.models import UnscannedMessage
    from crisis.runtime import current_detector as real_detector
    from crisis.services import alerts

    def broken():
        raise RuntimeError("lexicon failed to load")

    monkeypatch.setattr(alerts, "current_detector", broken)
    send(conversation, "u", "我已经写好遗书了，今晚就从楼顶跳下去")
    assert alerts.do_rescan_unscanned() == 0  # still broken: kept for the next sweep
    assert UnscannedMessage.objects.count() == 1 and not Alert.objects.exists()
    monkeypatch.setattr(alerts, "current_detector", real_detector)
    assert alerts.do_rescan_unscanned() == 1
    assert not UnscannedMessage.objects.exists()
    alert = Alert.objects.get(conversation=conversation)
    assert (alert.level, alert.message_seq) == (4, 1)
