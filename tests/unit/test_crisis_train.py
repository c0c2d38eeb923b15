"""crisis_train learns from this deployment's verdicts and registers the new model in shadow."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role, User
from chat.models import Conversation, Message
from crisis.models import Alert, AlertVerdict, ModelVersion

pytestmark = pytest.mark.django_db


def test_a_retrained_model_includes_local_verdicts_and_enters_in_shadow(tmp_path):
    pytest.importorskip("sklearn")
    youth = User.objects.create(username="y-train", role=Role.YOUTH)
    supervisor = User.objects.create(username="s-train", role=Role.SUPERVISOR)
    now = timezone.now()
    conversation = Conversation.objects.create(
        youth=youth, topic="psych", status="ended", requested_at=now, queued_at=now
    )
    Message.objects.create(
        conversation=conversation,
        seq=1,
        sender_role="youth",
        client_id="a",
        text="作业写完了就去天台吹吹风",
        created_at=now,
    )
    alert = Alert.objects.create(
        conversation=conversation,
        message_seq=1,
        category="suicide",
        level=2,
        excerpt="作业写完了就去天台吹吹风",
        created_at=now,
        last_raised_at=now,
    )
    AlertVerdict.objects.create(alert=alert, supervisor=supervisor, real_risk=False)
    out = io.StringIO()
    call_command("crisis_train", model_version="local-t1", out=str(tmp_path / "model.json"), stdout=out)
    assert "1 local labelled rows" in out.getvalue()
    assert "registered model local-t1 in shadow" in out.getvalue()
    registered = ModelVersion.objects.get(version="local-t1")
    assert registered.status == "shadow" and registered.artifact["version"] == "local-t1"
    assert (tmp_path / "model.json").exists()
