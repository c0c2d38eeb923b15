"""Transcripts are deleted or anonymised TRANSCRIPT_RETENTION_DAYS after their conversation
ended, as the youth's privacy notice promises, except under a hold (a referral or a mandatory
report); each run is reported, and the conversation's figures stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from chat.models import Assignment, Conversation, LeftMessage, Message, Survey, WrapUp
from chat.services.retention import do_apply_retention
from crisis.models import Alert, Whisper
from desk.models import ConversationNote
from moderation.holds import do_place_hold
from moderation.models import RetentionRun, TranscriptHold

pytestmark = pytest.mark.django_db


def said(conversation: Conversation, text: str) -> None:
    seq = conversation.messages.count() + 1
    Message.objects.create(
        conversation=conversation,
        seq=seq,
        sender_role="youth",
        client_id=f"c{seq}",
        text=text,
        created_at=timezone.now(),
    )


def ended(conversation: Conversation, *, days_ago: float) -> Conversation:
    Conversation.objects.filter(pk=conversation.pk).update(ended_at=timezone.now() - timedelta(days=days_ago))
    return conversation


def test_the_default_period_is_three_years():
    assert settings.TRANSCRIPT_RETENTION_DAYS == 3 * 365


@override_settings(TRANSCRIPT_RETENTION_DAYS=30)
def test_what_was_said_goes_after_the_retention_period_the_held_stay_and_the_figures_stay(
    make_conversation, make_counselor, make_supervisor
):
    counselor, supervisor = make_counselor(), make_supervisor()
    old = ended(make_conversation(status=Conversation.Status.ENDED, counselor=counselor, ago_s=40 * 86400), days_ago=31)
    Conversation.objects.filter(pk=old.pk).update(risk_level=4)
    recent = ended(
        make_conversation(status=Conversation.Status.ENDED, counselor=counselor, ago_s=10 * 86400), days_ago=29
    )
    still_open = make_conversation(status=Conversation.Status.ACTIVE, counselor=counselor, ago_s=40 * 86400)
    held = ended(
        make_conversation(status=Conversation.Status.ENDED, counselor=counselor, ago_s=90 * 86400), days_ago=80
    )
    do_place_hold(conversation_id=held.pk, reason=TranscriptHold.Reason.MANDATORY_REPORT)
    do_place_hold(conversation_id=held.pk, reason=TranscriptHold.Reason.MANDATORY_REPORT)  # once is enough
    for conversation in (old, recent, still_open, held):
        said(conversation, "我很难过，我叫王小明，电话13912345678")
        Alert.objects.create(
            conversation=conversation,
            message_seq=1,
            category="suicide",
            level=4,
            excerpt="我很难过",
            created_at=timezone.now(),
            last_raised_at=timezone.now(),
        )
        Whisper.objects.create(conversation=conversation, supervisor=supervisor, text="先问安全")
        WrapUp.objects.create(
            conversation=conversation,
            counselor=counselor,
            category="情绪困扰",
            risk_level=3,
            summary="来访者手机13912345678，已建议联系学校心理老师",
        )
        Survey.objects.create(conversation=conversation, score=5, comment="谢谢，我的微信是 wx_abc123")
        ConversationNote.objects.create(conversation=conversation, author=counselor, text="回访电话 13912345678")
    Assignment.objects.create(
        conversation=old, counselor=counselor, handover_note="她的QQ号是 12345678", assigned_at=timezone.now()
    )
    left = ended(make_conversation(status=Conversation.Status.MISSED, ago_s=40 * 86400), days_ago=40)
    LeftMessage.objects.create(conversation=left, text="明天联系我", contact="微信 abc", reason="outside_hours")

    report = do_apply_retention()

    assert (report.conversations, report.held, report.messages_deleted) == (2, 1, 1)
    assert report.detail["left_messages"] == 1 and report.detail["survey_comments"] == 1
    assert report.detail["crisis"] == 2  # one excerpt cleared, one whisper deleted
    assert report.detail["wrapup_summaries_masked"] == 1 and report.detail["desk_notes_masked"] == 1
    assert report.detail["handover_notes_masked"] == 1
    run = RetentionRun.objects.get(pk=report.run)
    assert (run.conversations, run.held, run.messages_deleted, run.detail) == (2, 1, 1, report.detail)

    assert not Message.objects.filter(conversation=old).exists()
    for kept in (recent, still_open, held):
        assert Message.objects.filter(conversation=kept).exists()
        assert Alert.objects.get(conversation=kept).excerpt and Whisper.objects.filter(conversation=kept).exists()
        assert Survey.objects.get(conversation=kept).comment and "139" in WrapUp.objects.get(conversation=kept).summary
    left_row = LeftMessage.objects.get(conversation=left)
    assert (left_row.text, left_row.contact) == ("", "")
    assert Alert.objects.get(conversation=old).excerpt == "" and not Whisper.objects.filter(conversation=old).exists()
    # What staff wrote stays readable, masked; the youth's survey comment goes, the score stays.
    summary = WrapUp.objects.get(conversation=old).summary
    assert "13912345678" not in summary and "学校心理老师" in summary
    assert "13912345678" not in ConversationNote.objects.get(conversation=old).text
    assert "12345678" not in Assignment.objects.get(conversation=old).handover_note
    survey = Survey.objects.get(conversation=old)
    assert (survey.score, survey.comment) == (5, "")
    # The figures stay: the conversation, its times, its risk level, the wrap-up's category.
    kept_row = Conversation.objects.get(pk=old.pk)
    assert kept_row.status == Conversation.Status.ENDED and kept_row.risk_level == 4
    assert WrapUp.objects.get(conversation=old).category == "情绪困扰"

    # Run again: nothing more to do, and the run says so.
    again = do_apply_retention()
    assert (again.conversations, again.held, again.messages_deleted) == (0, 1, 0)
    assert not any(again.detail.values())
    assert RetentionRun.objects.count() == 2
