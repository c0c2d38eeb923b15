"""Transcripts are deleted TRANSCRIPT_RETENTION_DAYS after their conversation ended, as the
youth's privacy notice promises; the conversation's figures stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from chat.models import Conversation, LeftMessage, Message
from chat.services.retention import do_delete_expired_transcripts
from crisis.models import Alert, Whisper
from crisis.services.alerts import do_delete_expired_excerpts

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


@override_settings(TRANSCRIPT_RETENTION_DAYS=30)
def test_what_was_said_goes_after_the_retention_period_and_the_figures_stay(
    make_conversation, make_counselor, make_supervisor
):
    counselor, supervisor = make_counselor(), make_supervisor()
    old = make_conversation(status=Conversation.Status.ENDED, counselor=counselor, ago_s=40 * 86400)
    recent = make_conversation(status=Conversation.Status.ENDED, counselor=counselor, ago_s=10 * 86400)
    still_open = make_conversation(status=Conversation.Status.ACTIVE, counselor=counselor, ago_s=40 * 86400)
    Conversation.objects.filter(pk=old.pk).update(ended_at=timezone.now() - timedelta(days=31), risk_level=4)
    Conversation.objects.filter(pk=recent.pk).update(ended_at=timezone.now() - timedelta(days=29))
    for conversation in (old, recent, still_open):
        said(conversation, "我很难过")
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
    left = make_conversation(status=Conversation.Status.MISSED, ago_s=40 * 86400)
    Conversation.objects.filter(pk=left.pk).update(ended_at=timezone.now() - timedelta(days=40))
    LeftMessage.objects.create(conversation=left, text="明天联系我", contact="微信 abc", reason="outside_hours")

    assert do_delete_expired_transcripts() == 1
    assert do_delete_expired_excerpts() == 1
    assert not Message.objects.filter(conversation=old).exists()
    assert (
        Message.objects.filter(conversation=recent).exists()
        and Message.objects.filter(conversation=still_open).exists()
    )
    assert (LeftMessage.objects.get(conversation=left).text, LeftMessage.objects.get(conversation=left).contact) == (
        "",
        "",
    )
    assert Alert.objects.get(conversation=old).excerpt == "" and Alert.objects.get(conversation=recent).excerpt
    assert (
        not Whisper.objects.filter(conversation=old).exists() and Whisper.objects.filter(conversation=recent).exists()
    )
    # The figures stay: the conversation, its times and its risk level.
    kept = Conversation.objects.get(pk=old.pk)
    assert kept.status == Conversation.Status.ENDED and kept.risk_level == 4
    # Run again: nothing more to do.
    assert do_delete_expired_transcripts() == 0 and do_delete_expired_excerpts() == 0
