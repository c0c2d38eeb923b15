"""Reads of the transcript access log, for supervisors and admins (the views check the role)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from moderation.models import TranscriptAccess

PAGE_SIZE_MAX = 200


@dataclass(frozen=True, slots=True)
class AccessFilter:
    conversation: int | None = None
    user: int | None = None
    purpose: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True, slots=True)
class AccessRow:
    at: datetime
    conversation: int
    user: int
    username: str
    role: str
    purpose: str
    reason: str


@dataclass(frozen=True, slots=True)
class AccessPage:
    rows: list[AccessRow]
    total: int
    page: int
    page_size: int


def access_log(*, filters: AccessFilter) -> AccessPage:
    """Newest first. The user's name and role are read through the log's own foreign key
    (moderation sits below accounts: it imports no model of it)."""
    rows = TranscriptAccess.objects.all()
    if filters.conversation is not None:
        rows = rows.filter(conversation_id=filters.conversation)
    if filters.user is not None:
        rows = rows.filter(user_id=filters.user)
    if filters.purpose:
        rows = rows.filter(purpose=filters.purpose)
    if filters.since is not None:
        rows = rows.filter(at__gte=filters.since)
    if filters.until is not None:
        rows = rows.filter(at__lt=filters.until)
    size = max(1, min(filters.page_size, PAGE_SIZE_MAX))
    start = (max(filters.page, 1) - 1) * size
    picked = rows.order_by("-at", "-pk").values_list(
        "at", "conversation_id", "user_id", "user__username", "user__role", "purpose", "reason"
    )[start : start + size]
    return AccessPage(
        rows=[AccessRow(*row) for row in picked],
        total=rows.count(),
        page=max(filters.page, 1),
        page_size=size,
    )
