"""What a counselor keeps at hand beside the chat: canned replies and private notes.

Both are staff-only. A note is never sent to the youth: it has no frame, no presenter and no
path to the youth's socket; it is read over HTTP by the conversation's counselor or a supervisor.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chat.models import Conversation


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class CannedReply(models.Model):
    """A reply a counselor inserts into the composer and edits before sending (never sent as is
    by the system). `owner` null: the helpline's library, edited in the admin; otherwise the
    counselor's own, which only they see."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
        verbose_name=_("owner"),
        help_text=_("Empty: part of the helpline's library, offered to every counselor."),
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS)
    title = models.CharField(_("title"), max_length=60)
    text = models.TextField(_("text"), max_length=2000)
    shortcut = models.CharField(
        _("shortcut"),
        max_length=24,
        blank=True,
        help_text=_('A keyword typed after "/" in the composer, such as "safe".'),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["position", "title", "pk"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        indexes = [models.Index(fields=["owner", "language"], name="canned_owner_language")]


class ConversationNote(models.Model):
    """A counselor's or supervisor's private note on a conversation: for staff only."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="note_conversation_time")]
