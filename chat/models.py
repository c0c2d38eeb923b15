"""Conversations, their messages, and what is recorded when they end."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# One list of topics for the whole project: what youths ask about, what counselors serve.
from accounts.models import Topic


class Conversation(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting in the queue"
        ACTIVE = "active", "With a counselor"
        ENDED = "ended", "Ended"
        CANCELLED = "cancelled", "Left the queue"
        MISSED = "missed", "Not answered (outside hours or left a message)"

    OPEN_STATUSES = (Status.QUEUED, Status.ACTIVE)

    class EndReason(models.TextChoices):
        BY_YOUTH = "youth", "Ended by the youth"
        BY_COUNSELOR = "counselor", "Ended by the counselor"
        BY_SUPERVISOR = "supervisor", "Ended by a supervisor"
        YOUTH_ABANDONED = "youth_abandoned", "The youth was gone too long (closed by the service)"
        CANCELLED = "cancelled", "Left the queue before being paired"
        LEFT_MESSAGE = "left_message", "Left a message instead of waiting"

    youth = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="youth_conversations")
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="counselor_conversations",
    )
    topic = models.CharField(max_length=8, choices=Topic.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    # Higher is served first; the crisis detector raises it to the conversation's risk level.
    priority = models.SmallIntegerField(default=0)
    risk_level = models.SmallIntegerField(default=0)
    risk_state = models.JSONField(null=True, blank=True)
    channel = models.CharField(max_length=16, blank=True)
    region = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField()
    # Queue order within a priority; a conversation sent back to the queue keeps its place.
    queued_at = models.DateTimeField()
    within_service_hours = models.BooleanField(default=True)
    first_assigned_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    leave_message_offered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=12, blank=True)
    # Why it ended; blank for conversations that ended before the reason was recorded (and
    # for open ones). `ended_by` says who; this says what happened (a youth gone too long is
    # ended by "system" with the reason "youth_abandoned").
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    # When the youth was told their counselor's connection dropped (cleared when told they are
    # back): the notice is posted once per drop, and "back" only after a notice. Older than
    # `assigned_at`, it belongs to a previous counselor and counts as unset.
    counselor_drop_told_at = models.DateTimeField(null=True, blank=True)
    # The last seq handed out; the row lock on this counter makes seq gapless across processes.
    last_seq = models.IntegerField(default=0)
    # The counselor who last handed it back to the queue (a transfer, or a drop past the
    # grace period); the queue prefers someone else for it.
    transferred_from = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Supervisors who joined visibly and may write in it.
    joined_supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="joined_conversations"
    )

    class Meta:
        indexes = [
            models.Index(fields=["status", "priority", "queued_at"], name="conv_queue_order"),
            models.Index(fields=["counselor", "status"], name="conv_counselor_status"),
            models.Index(fields=["youth", "status"], name="conv_youth_status"),
            # The indicators' upkeep and drill-down, and the staffing inputs, read by request time.
            models.Index(fields=["requested_at"], name="conv_requested_at"),
        ]
        constraints = [
            # One open conversation per youth, whatever races between tabs and processes.
            models.UniqueConstraint(
                fields=["youth"],
                condition=models.Q(status__in=["queued", "active"]),
                name="one_open_conversation_per_youth",
            ),
        ]


class Message(models.Model):
    class Sender(models.TextChoices):
        YOUTH = "youth"
        COUNSELOR = "counselor"
        SUPERVISOR = "supervisor"
        SYSTEM = "system"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    seq = models.IntegerField()
    sender_role = models.CharField(max_length=12, choices=Sender.choices)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client_id = models.CharField(max_length=64)
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "sender_role", "client_id"], name="message_client_id_unique"
            ),
        ]


class Assignment(models.Model):
    """Who served a conversation, from when to when: transfers and drops leave a trail."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="assignments")
    counselor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=16, blank=True)
    # What the counselor who handed it on wrote for the next one (a transfer); staff only.
    handover_note = models.TextField(blank=True, default="")


class WrapUp(models.Model):
    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="wrapup")
    counselor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=64)
    risk_level = models.SmallIntegerField()
    summary = models.TextField()
    needs_followup = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)


class Survey(models.Model):
    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="survey")
    score = models.SmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class LeftMessage(models.Model):
    """What a youth left when nobody could answer: followed up offline."""

    class Outcome(models.TextChoices):
        CALLED_BACK = "called_back", "Called back"
        FOLLOW_UP = "follow_up", "Turned into a follow-up"
        UNREACHABLE = "unreachable", "Could not reach them"
        NO_CONTACT = "no_contact", "No contact given: read, nothing to call back"

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="left_message")
    text = models.TextField()
    contact = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    # Working it (chat/services/left_messages.py): one staff member claims it, so two never
    # call the same youth back; the claim is released, or taken over by a supervisor.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The first claim, kept when a claim is released: what the youth's page shows as "read".
    read_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    # The call-back note: plain text (moderation.hygiene.clean_text), at most HANDLING_NOTE_MAX_CHARS.
    handling_note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["handled_at", "created_at"], name="left_message_work_order")]


class LeftMessageAction(models.Model):
    """The audit trail of working left messages, append-only: who claimed, released, took over
    or handled which one, and when. Plain ids, like the transcript access log, so the trail
    outlives the message."""

    class Action(models.TextChoices):
        CLAIM = "claim", "Claimed"
        RELEASE = "release", "Released"
        TAKE_OVER = "take_over", "Taken over by a supervisor"
        HANDLE = "handle", "Handled"

    left_message_id = models.BigIntegerField(db_index=True)
    conversation_id = models.BigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]


class UnscannedMessage(models.Model):
    """A youth message stored without a crisis scan, because the scan failed.

    The message itself is kept (it is in `Message`); this row makes the failure loud: it is
    counted on the supervisors' dashboard, with the conversation to read by hand.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    seq = models.IntegerField()
    error = models.CharField(max_length=200)
    at = models.DateTimeField(db_index=True)
