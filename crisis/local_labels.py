"""Labelled messages that this deployment's supervisors and counselors made: training data
that never leaves the deployment (minors' words).

- A supervisor's verdict on an alert labels the youth message (or the left message) it was
  raised on: a real risk with the right category and level, or not a risk (level 0).
- A counselor's own alert about one of the youth's messages labels that message as a risk the
  detector missed (unless a supervisor judged that alert not a risk).

`crisis_train` reads these at training time and adds them to the training split only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chat.models import LeftMessage, Message
from crisis.models import Alert, AlertVerdict


def local_labelled_rows() -> Iterator[dict[str, Any]]:
    seen: set[tuple[int, int]] = set()
    judged = (
        AlertVerdict.objects.select_related("alert")
        .only("real_risk", "category", "level", "alert__conversation_id", "alert__message_seq", "alert__source")
        .order_by("alert_id")
    )
    for verdict in judged.iterator():
        alert = verdict.alert
        text = _text_of(alert)
        key = (alert.conversation_id, alert.message_seq)
        if text is None or key in seen:
            continue
        seen.add(key)
        if verdict.real_risk:
            yield {
                "id": f"verdict-{alert.pk}",
                "text": text,
                "level": verdict.level or 0,
                "categories": [verdict.category],
                "kind": "verdict",
            }
        else:
            yield {"id": f"verdict-{alert.pk}", "text": text, "level": 0, "categories": [], "kind": "verdict"}
    misses = (
        Alert.objects.filter(source=Alert.Source.COUNSELOR, message_seq__gt=0)
        .exclude(verdict__real_risk=False)
        .order_by("pk")
    )
    for alert in misses.iterator():
        key = (alert.conversation_id, alert.message_seq)
        text = _text_of(alert)
        if text is None or key in seen:
            continue
        seen.add(key)
        yield {
            "id": f"miss-{alert.pk}",
            "text": text,
            "level": alert.level,
            "categories": [alert.category],
            "kind": "miss",
        }


def _text_of(alert: Alert) -> str | None:
    """The youth's own words the alert is about; None when it is about no one message."""
    if alert.source == Alert.Source.LEFT_MESSAGE:
        return LeftMessage.objects.filter(conversation_id=alert.conversation_id).values_list("text", flat=True).first()
    if alert.message_seq <= 0:
        return None
    return (
        Message.objects.filter(conversation_id=alert.conversation_id, seq=alert.message_seq, sender_role="youth")
        .values_list("text", flat=True)
        .first()
    )
