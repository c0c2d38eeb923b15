"""A supervisor's transcript read outside their assignments asks a reason every time and logs it;
the access log is for supervisors and admins only. In-process, over the HTTP calls too."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from accounts.tokens import issue_access_token
from chat.models import Conversation, Message, WrapUp
from moderation.models import TranscriptAccess
from moderation.services import do_log_transcript_access
from protocol.errors import Refused
from quality.models import QualityAction
from quality.transcripts import do_read_transcript

pytestmark = pytest.mark.django_db

HTTP = Client(HTTP_HOST="127.0.0.1")


def call(path: str, body: object, *, user: User) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {issue_access_token(user_id=user.pk, role=user.role)}"}
    answer = HTTP.post(f"/api/v1/{path}", json.dumps(body), content_type="application/json", headers=headers)
    return answer.status_code, json.loads(answer.content) if answer.content else None


@pytest.fixture
def ended_chat(make_conversation, make_counselor):
    counselor = make_counselor()
    conversation = make_conversation(status=Conversation.Status.ENDED, counselor=counselor, ago_s=3600)
    Conversation.objects.filter(pk=conversation.pk).update(ended_at=timezone.now() - timedelta(minutes=10))
    for seq, (role, text) in enumerate(
        [("youth", "我叫王小明，手机13912345678，在学校被欺负"), ("counselor", "谢谢你告诉我，你现在安全吗？")], start=1
    ):
        Message.objects.create(
            conversation=conversation,
            seq=seq,
            sender_role=role,
            client_id=f"c{seq}",
            text=text,
            created_at=timezone.now(),
        )
    WrapUp.objects.create(
        conversation=conversation, counselor=counselor, category="校园欺凌", risk_level=2, summary="手机13912345678"
    )
    return conversation


def test_a_read_outside_ones_assignments_needs_a_reason_and_is_logged_masked(ended_chat, make_supervisor):
    supervisor = make_supervisor()
    for reason in ("", "  ", "看看"):
        with pytest.raises(Refused) as refused:
            do_read_transcript(supervisor_id=supervisor.pk, conversation_id=ended_chat.pk, reason=reason)
        assert refused.value.code == "invalid"
    with pytest.raises(Refused) as refused:
        do_read_transcript(supervisor_id=supervisor.pk, conversation_id=ended_chat.pk, reason="x" * 201)
    assert refused.value.code == "too_large"
    with pytest.raises(Refused) as refused:
        do_read_transcript(supervisor_id=supervisor.pk, conversation_id=ended_chat.pk + 999, reason="家长投诉核查")
    assert refused.value.code == "not_found"
    assert not TranscriptAccess.objects.exists()  # a refused read is no read

    read = do_read_transcript(supervisor_id=supervisor.pk, conversation_id=ended_chat.pk, reason=" 家长投诉，核查过程 ")
    assert [line.seq for line in read.transcript] == [1, 2]
    assert "13912345678" not in read.transcript[0].text and "被欺负" in read.transcript[0].text
    assert read.wrapup is not None and "13912345678" not in str(read.wrapup["summary"])
    (logged,) = TranscriptAccess.objects.all()
    assert (logged.conversation_id, logged.user_id, logged.purpose, logged.reason) == (
        ended_chat.pk,
        supervisor.pk,
        "quality",
        "家长投诉，核查过程",
    )
    assert QualityAction.objects.get(action="lookup").detail == {"reason": "家长投诉，核查过程"}


def test_an_open_conversation_is_not_read_here(make_conversation, make_counselor, make_supervisor):
    live = make_conversation(status=Conversation.Status.ACTIVE, counselor=make_counselor())
    with pytest.raises(Refused) as refused:
        do_read_transcript(supervisor_id=make_supervisor().pk, conversation_id=live.pk, reason="家长投诉核查")
    assert refused.value.code == "invalid" and not TranscriptAccess.objects.exists()


def test_the_lookup_and_the_log_over_http_by_role(ended_chat, make_supervisor, make_counselor, make_youth):
    supervisor, counselor, youth = make_supervisor(), make_counselor(), make_youth()
    admin = User.objects.create(username="admin-x", role=Role.ADMIN)
    body = {"conversation": ended_chat.pk, "reason": "个案回访前核查"}
    for outsider in (counselor, youth, admin):  # admins read no transcript
        assert call("quality/transcripts/read", body, user=outsider)[0] == 403
    assert call("quality/transcripts/read", {**body, "reason": ""}, user=supervisor)[0] == 400
    status, read = call("quality/transcripts/read", body, user=supervisor)
    assert status == 200 and read["conversation"] == ended_chat.pk and len(read["transcript"]) == 2
    assert "13912345678" not in json.dumps(read, ensure_ascii=False)

    do_log_transcript_access(conversation_id=ended_chat.pk + 1, user_id=supervisor.pk, purpose="monitor")
    for outsider in (counselor, youth):
        assert call("quality/access-log", {}, user=outsider)[0] == 403
    for reader in (supervisor, admin):
        status, log = call("quality/access-log", {}, user=reader)
        assert status == 200 and log["total"] == 2
        assert [e["purpose"] for e in log["entries"]] == ["monitor", "quality"]  # newest first
        assert log["entries"][1]["reason"] == "个案回访前核查"
        assert log["entries"][1]["username"] == supervisor.username
    status, log = call("quality/access-log", {"conversation": ended_chat.pk}, user=admin)
    assert status == 200 and log["total"] == 1
    today = timezone.localdate().isoformat()
    status, log = call("quality/access-log", {"purpose": "monitor", "since": today, "until": today}, user=admin)
    assert status == 200 and log["total"] == 1
    assert call("quality/access-log", {"since": "2026-12-31", "until": "2026-12-01"}, user=admin)[0] == 400
    assert call("quality/access-log", {"page_size": 500}, user=admin)[0] == 400
