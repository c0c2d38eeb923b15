"""The export of example lines for training (`manage.py qa_export_examples`): masked, with the
lines before each, only by a supervisor or an admin with a reason, every conversation logged."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Role, User
from chat.models import Conversation, Message
from moderation.models import TranscriptAccess
from quality.models import QualityAction, Review, Rubric, Sample, SamplingRun, TranscriptExample

pytestmark = pytest.mark.django_db

LINES = [
    ("youth", "我叫王小明，在合肥市第一中学读初二，手机13912345678"),
    ("counselor", "谢谢你告诉我这些。"),
    ("youth", "我有时候不想活了"),
    ("counselor", "谢谢你愿意说出来。你现在有伤害自己的想法吗？"),
]


@pytest.fixture
def reviewed(make_conversation, make_counselor, make_supervisor):
    counselor, reviewer = make_counselor(), make_supervisor()
    conversation = make_conversation(status=Conversation.Status.ENDED, counselor=counselor, ago_s=7200)
    Conversation.objects.filter(pk=conversation.pk).update(ended_at=timezone.now() - timedelta(hours=1), risk_level=3)
    for seq, (role, text) in enumerate(LINES, start=1):
        Message.objects.create(
            conversation=conversation,
            seq=seq,
            sender_role=role,
            client_id=f"c{seq}",
            text=text,
            created_at=timezone.now(),
        )
    today = timezone.localdate()
    run = SamplingRun.objects.create(
        since=today, until=today, seed=1, rate=0.05, min_per_counselor_month=4, double_share=0.1, source="command"
    )
    sample = Sample.objects.create(run=run, conversation=conversation, counselor=counselor, reason="high_risk")
    review = Review.objects.create(
        sample=sample,
        reviewer=reviewer,
        rubric=Rubric.objects.get(active=True),
        status=Review.Status.SUBMITTED,
        score=85,
        grade="B",
        passed=True,
        submitted_at=timezone.now(),
    )
    TranscriptExample.objects.create(review=review, seq=4, kind="good", note="直接询问自杀想法")
    TranscriptExample.objects.create(review=review, seq=2, kind="poor", note="回应太简短")
    return conversation, reviewer


def export(**options: str) -> list[dict]:
    out = StringIO()
    args = [part for name, value in options.items() for part in (f"--{name}", value)]
    call_command("qa_export_examples", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_examples_are_exported_masked_with_their_context_and_the_reads_logged(reviewed):
    conversation, reviewer = reviewed
    today = timezone.localdate().isoformat()
    rows = export(since=today, until=today, user=reviewer.username, reason="新志愿者培训材料")
    assert [(r["kind"], r["role"], len(r["before"])) for r in rows] == [
        ("poor", "counselor", 1),
        ("good", "counselor", 3),
    ]
    everything = json.dumps(rows, ensure_ascii=False)
    assert "13912345678" not in everything and "王小明" not in everything and "第一中学" not in everything
    assert "不想活了" in everything  # the counseling content stays readable
    assert rows[1]["note"] == "直接询问自杀想法" and rows[1]["grade"] == "B" and rows[1]["risk_level"] == 3
    (logged,) = TranscriptAccess.objects.all()
    assert (logged.conversation_id, logged.user_id, logged.reason) == (
        conversation.pk,
        reviewer.pk,
        "export: 新志愿者培训材料",
    )
    assert QualityAction.objects.get(action="export").detail["examples"] == 2
    # Outside the period: nothing, and the export itself is still audited.
    assert export(since="2020-01-01", until="2020-01-31", user=reviewer.username, reason="新志愿者培训材料") == []


def test_only_a_supervisor_or_admin_with_a_reason_exports(reviewed, make_counselor):
    today = timezone.localdate().isoformat()
    counselor = make_counselor()
    for user, reason in (
        (counselor.username, "新志愿者培训材料"),
        ("nobody", "新志愿者培训材料"),
        (reviewed[1].username, ""),
    ):
        with pytest.raises(CommandError):
            export(since=today, until=today, user=user, reason=reason)
    assert not TranscriptAccess.objects.exists() and not QualityAction.objects.filter(action="export").exists()
    admin = User.objects.create(username="admin-export", role=Role.ADMIN)
    assert len(export(since=today, until=today, user=admin.username, reason="年度培训")) == 2
