"""What the desk's services and selectors return: plain values, never models or wire bodies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ReplyRecord:
    id: int
    language: str
    title: str
    text: str
    shortcut: str
    own: bool


@dataclass(frozen=True, slots=True)
class NoteRecord:
    id: int
    conversation: int
    author: str
    author_role: str
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class WrapUpRecord:
    category: str
    risk_level: int
    summary: str
    needs_followup: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class EarlierRecord:
    conversation: int
    topic: str
    requested_at: datetime
    ended_at: datetime | None
    counselor: str | None
    risk_level: int
    wrapup: WrapUpRecord | None
    notes: list[NoteRecord] = field(default_factory=list)
