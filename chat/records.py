"""What the chat services return and announce: domain results and events, never wire frames.

Services return these; they publish the events (after commit) with `realtime.publish_on_commit`.
The transport (`chat/routes.py`) turns results into reply frames and events into server frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


# ----- results and read models --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message in the record (also the event that announces it)."""

    conversation: int
    seq: int
    sender: str
    text: str
    client_id: str
    at: datetime


class MessagePage(list[StoredMessage]):
    """Stored messages in seq order, as much as one server frame may carry (chat/selectors.py,
    `history_after`); `more` says that messages after the last one exist: ask `history` again."""

    more: bool = False


@dataclass(frozen=True, slots=True)
class YouthCard:
    """What staff see of a youth: an anonymous identity, never more."""

    id: int
    nickname: str
    channel: str
    region: str


@dataclass(frozen=True, slots=True)
class ConversationBrief:
    """What a (re)connecting socket needs to resume one of its conversations."""

    conversation: int
    status: str
    topic: str
    last_seq: int
    risk_level: int | None = None
    counselor_name: str | None = None
    youth: YouthCard | None = None
    survey_due: bool = False
    wrapup_due: bool = False
    # To the youth: the safety response their page shows again after a reload (0: none).
    safety_level: int = 0


@dataclass(frozen=True, slots=True)
class Session:
    role: str
    user_id: int
    conversations: list[ConversationBrief]
    presence: str | None
    groups: list[str]


@dataclass(frozen=True, slots=True)
class MessageAccepted:
    conversation: int
    client_id: str
    seq: int


@dataclass(frozen=True, slots=True)
class HistoryPage:
    conversation: int
    messages: list[StoredMessage]


@dataclass(frozen=True, slots=True)
class QueuePlace:
    """A youth's place in the queue (or 0 once paired) and the estimated wait, a range from
    the measured handling times (chat/selectors.py, `estimate_wait`); with nobody online and
    free for the topic there is no estimate to give, and the page says so."""

    conversation: int
    position: int
    eta_s: int
    eta_max_s: int = 0
    nobody_online: bool = False


@dataclass(frozen=True, slots=True)
class LeaveMessageOffer:
    """Nobody can answer now (outside hours, or waited too long): a message may be left."""

    conversation: int
    reason: str  # "outside_hours" | "wait_too_long" | "nobody_online"
    service_hours: str


@dataclass(frozen=True, slots=True)
class WrapUpInput:
    category: str
    risk_level: int
    summary: str
    needs_followup: bool = False


# ----- events (published after commit) ------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ConversationClosed:
    conversation: int
    by: str


@dataclass(frozen=True, slots=True)
class ConversationTransferred:
    conversation: int
    topic: str
    to: str = ""  # the colleague it went to ("" : the topic's queue)


@dataclass(frozen=True, slots=True)
class BackInQueue:
    """A conversation went back to the queue (transfer, counselor lost): the youth waits again."""

    place: QueuePlace


@dataclass(frozen=True, slots=True)
class ConversationTakenOver:
    """To the counselor who had it: a supervisor gave the conversation to someone else (or took it)."""

    conversation: int
    by: str
    to: str


@dataclass(frozen=True, slots=True)
class QueueMoved:
    place: QueuePlace


@dataclass(frozen=True, slots=True)
class AssignedToYouth:
    conversation: int
    counselor_name: str


@dataclass(frozen=True, slots=True)
class Handover:
    """What the counselor who handed a conversation on wrote for the next one."""

    from_name: str
    note: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AssignedToCounselor:
    conversation: int
    youth: YouthCard
    topic: str
    history: list[StoredMessage]
    risk_level: int
    handover: Handover | None = None


@dataclass(frozen=True, slots=True)
class PresenceChanged:
    status: str


@dataclass(frozen=True, slots=True)
class SomeoneTyping:
    conversation: int
    role: str


@dataclass(frozen=True, slots=True)
class WaitingChanged:
    """The number of youths waiting per topic changed (pushed to staff consoles)."""

    waiting: dict[str, int] = field(default_factory=dict)


# ----- youth presence (chat/services/presence.py) -------------------------------------------
@dataclass(frozen=True, slots=True)
class YouthPresence:
    """Whether the youth of a chat is there, told to its staff side (the counselor's tab and header).

    "online": a socket of theirs is open; "away": their last socket closed at `since`; "gone":
    away longer than YOUTH_GONE_CLOSE_S, the chat was ended as abandoned."""

    conversation: int
    state: str  # "online" | "away" | "gone"
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class CounselorConversationBrief(ConversationBrief):
    """A counselor's conversation to resume, with whether its youth is there now (active chats)
    and, after a transfer, the note the counselor before left for them."""

    youth_online: bool | None = None
    youth_offline_since: datetime | None = None
    handover: Handover | None = None
