"""The chat app's transport: which frame calls which service, and how results and events go out.

Routes: a client frame, the roles that may send it, the one service call, the reply frame.
Presenters: a domain event (chat/records.py) -> the server frame the sockets receive.
Registered in chat/apps.py; the gateway only reads them from `protocol.registry`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accounts.models import Role
from chat import frames as f, records as r
from chat.selectors import waiting_counts
from chat.services import conversations, messages, queue
from protocol.frames import ServerFrame
from protocol.registry import AppVocabulary, Caller, Route
from realtime import STAFF, conversation_group
from realtime.live import Publication

YOUTH, COUNSELOR, SUPERVISOR = Role.YOUTH.value, Role.COUNSELOR.value, Role.SUPERVISOR.value
CONVERSING = frozenset({YOUTH, COUNSELOR, SUPERVISOR})


# ----- results and events -> frames ---------------------------------------------------------
def message_frame(message: r.StoredMessage) -> f.Message:
    return f.Message(
        conversation=message.conversation,
        seq=message.seq,
        sender=message.sender,
        text=message.text,
        client_id=message.client_id,
        at=message.at.isoformat(),
    )


def youth_frame(card: r.YouthCard) -> f.YouthInfo:
    return f.YouthInfo(id=card.id, nickname=card.nickname, channel=card.channel, region=card.region)


def summary_frame(brief: r.ConversationBrief) -> f.ConversationSummary:
    return f.ConversationSummary(
        conversation=brief.conversation,
        status=brief.status,
        topic=brief.topic,
        last_seq=brief.last_seq,
        risk_level=brief.risk_level,
        counselor=f.Person(name=brief.counselor_name) if brief.counselor_name is not None else None,
        youth=youth_frame(brief.youth) if brief.youth is not None else None,
        survey_due=brief.survey_due,
        wrapup_due=brief.wrapup_due,
        safety_level=brief.safety_level,
        **youth_presence_fields(brief),
    )


def youth_presence_fields(brief: r.ConversationBrief) -> dict[str, Any]:
    """A counselor's active chat says whether its youth is there (absent for everyone else),
    and the handover note left for them, if any."""
    if not isinstance(brief, r.CounselorConversationBrief) or brief.youth_online is None:
        return {}
    since = brief.youth_offline_since
    return {
        "youth_online": brief.youth_online,
        "youth_offline_since": since.isoformat() if since else None,
        "handover": handover_frame(brief.handover),
    }


def handover_frame(handover: r.Handover | None) -> f.HandoverInfo | None:
    if handover is None:
        return None
    return f.HandoverInfo(from_=handover.from_name, note=handover.note, at=handover.at.isoformat())


def auth_ok_frame(session: r.Session) -> f.AuthOk:
    return f.AuthOk(
        role=session.role,
        user=session.user_id,
        conversations=[summary_frame(b) for b in session.conversations],
        presence=session.presence,
    )


def has_more(messages: list[r.StoredMessage]) -> bool:
    """Whether a page of history (chat/selectors.py, `history_after`) was cut short."""
    return isinstance(messages, r.MessagePage) and messages.more


def history_frame(page: r.HistoryPage) -> f.History:
    return f.History(
        conversation=page.conversation, messages=[message_frame(m) for m in page.messages], more=has_more(page.messages)
    )


def queue_answer_frame(answer: queue.QueueAnswer) -> f.QueueJoined | f.QueueUnavailable:
    if isinstance(answer, r.LeaveMessageOffer):
        return leave_message_offer_frame(answer)
    return queue_joined_frame(answer)


def queue_joined_frame(place: r.QueuePlace) -> f.QueueJoined:
    return f.QueueJoined(
        conversation=place.conversation,
        position=place.position,
        eta_s=place.eta_s,
        eta_max_s=place.eta_max_s,
        nobody_online=place.nobody_online,
    )


def leave_message_offer_frame(offer: r.LeaveMessageOffer) -> f.QueueUnavailable:
    return f.QueueUnavailable(
        conversation=offer.conversation,
        reason=offer.reason,  # type: ignore[arg-type]
        service_hours=offer.service_hours,
    )


def wrapup_input(wrapup: f.WrapUp) -> r.WrapUpInput:
    return r.WrapUpInput(
        category=wrapup.category,
        risk_level=wrapup.risk_level,
        summary=wrapup.summary,
        needs_followup=wrapup.needs_followup,
    )


PRESENTERS: dict[type, Callable[[Any], ServerFrame]] = {
    r.StoredMessage: message_frame,
    r.SomeoneTyping: lambda e: f.TypingNotice(conversation=e.conversation, role=e.role),
    r.ConversationClosed: lambda e: f.ConversationEnded(conversation=e.conversation, by=e.by),
    r.ConversationTransferred: lambda e: f.ConversationTransferred(conversation=e.conversation, topic=e.topic, to=e.to),
    r.BackInQueue: lambda e: queue_joined_frame(e.place),
    r.QueueMoved: lambda e: f.QueuePosition(
        conversation=e.place.conversation,
        position=e.place.position,
        eta_s=e.place.eta_s,
        eta_max_s=e.place.eta_max_s,
        nobody_online=e.place.nobody_online,
    ),
    r.LeaveMessageOffer: leave_message_offer_frame,
    r.ConversationTakenOver: lambda e: f.ConversationTaken(conversation=e.conversation, by=e.by, to=e.to),
    r.AssignedToYouth: lambda e: f.ConversationAssignedToYouth(
        conversation=e.conversation, counselor=f.Person(name=e.counselor_name)
    ),
    r.AssignedToCounselor: lambda e: f.ConversationAssignedToCounselor(
        conversation=e.conversation,
        youth=youth_frame(e.youth),
        topic=e.topic,
        history=[message_frame(m) for m in e.history],
        risk_level=e.risk_level,
        more=has_more(e.history),
        handover=handover_frame(e.handover),
    ),
    r.PresenceChanged: lambda e: f.PresenceOk(status=e.status),
    r.WaitingChanged: lambda e: f.QueueStats(waiting=e.waiting),
    r.YouthPresence: lambda e: f.YouthPresenceNotice(
        conversation=e.conversation, state=e.state, since=e.since.isoformat() if e.since else None
    ),
}


# ----- frames -> services -------------------------------------------------------------------
ROUTES: list[Route[Any]] = [
    Route(
        f.MessageSend,
        CONVERSING,
        lambda who, fr: messages.do_send_message(
            user_id=who.user_id, role=who.role, conversation_id=fr.conversation, client_id=fr.client_id, text=fr.text
        ),
        reply=lambda a: f.MessageAck(client_id=a.client_id, seq=a.seq, conversation=a.conversation),
        lane=lambda fr: fr.conversation,
    ),
    Route(
        f.HistoryRequest,
        CONVERSING,
        lambda who, fr: conversations.read_history(
            user_id=who.user_id, role=who.role, conversation_id=fr.conversation, after_seq=fr.after_seq
        ),
        reply=history_frame,
    ),
    Route(
        f.Typing,
        frozenset({YOUTH, COUNSELOR}),
        lambda who, fr: conversations.do_typing(
            user_id=who.user_id, role=who.role, conversation_id=fr.conversation, channel_name=who.channel_name
        ),
    ),
    Route(
        f.ConsultRequest,
        frozenset({YOUTH}),
        lambda who, fr: queue.do_request_consultation(youth_id=who.user_id, topic=fr.topic),
        reply=queue_answer_frame,
        joins=lambda answer: [conversation_group(answer.conversation)] if isinstance(answer, r.QueuePlace) else [],
    ),
    Route(
        f.ConsultCancel,
        frozenset({YOUTH}),
        lambda who, fr: queue.do_cancel_request(youth_id=who.user_id, conversation_id=fr.conversation),
        reply=PRESENTERS[r.ConversationClosed],  # the same frame the other sockets get
    ),
    Route(
        f.LeaveMessage,
        frozenset({YOUTH}),
        lambda who, fr: conversations.do_leave_message(
            youth_id=who.user_id, conversation_id=fr.conversation, text=fr.text, contact=fr.contact
        ),
        reply=lambda conversation: f.LeaveMessageOk(conversation=conversation),
    ),
    Route(
        f.SurveySubmit,
        frozenset({YOUTH}),
        lambda who, fr: conversations.do_submit_survey(
            youth_id=who.user_id, conversation_id=fr.conversation, score=fr.score, comment=fr.comment
        ),
        reply=lambda conversation: f.SurveyOk(conversation=conversation),
    ),
    Route(
        f.ConversationEnd,
        frozenset({YOUTH, COUNSELOR, SUPERVISOR}),
        lambda who, fr: conversations.do_end_conversation(
            user_id=who.user_id,
            role=who.role,
            conversation_id=fr.conversation,
            wrapup=None if fr.wrapup is None else wrapup_input(fr.wrapup),
        ),
        reply=PRESENTERS[r.ConversationClosed],  # the same frame the other sockets get
    ),
    Route(
        f.Presence,
        frozenset({COUNSELOR}),
        lambda who, fr: queue.do_set_presence(
            counselor_id=who.user_id, status=fr.status, channel_name=who.channel_name
        ),
        reply=lambda status: f.PresenceOk(status=status),
    ),
    Route(
        f.ConversationTransfer,
        frozenset({COUNSELOR}),
        lambda who, fr: conversations.do_transfer(
            counselor_id=who.user_id,
            conversation_id=fr.conversation,
            topic=fr.topic,
            to_counselor_id=fr.counselor,
            note=fr.note,
        ),
        reply=PRESENTERS[r.ConversationTransferred],
    ),
    Route(
        f.WrapupSubmit,
        frozenset({COUNSELOR}),
        lambda who, fr: conversations.do_submit_wrapup(
            counselor_id=who.user_id, conversation_id=fr.conversation, wrapup=wrapup_input(fr.wrapup)
        ),
        reply=lambda conversation: f.WrapupOk(conversation=conversation),
    ),
    Route(
        f.QueueStatsRequest,
        frozenset({COUNSELOR, SUPERVISOR}),
        lambda who, fr: waiting_counts(),
        reply=lambda waiting: f.QueueStats(waiting=waiting),
    ),
]


def queue_counter_publications() -> list[Publication]:
    """The live view of the counselors' queue counter (realtime/live.py)."""
    return [(STAFF, r.WaitingChanged(waiting=waiting_counts()))]


VOCABULARY = AppVocabulary(
    app="chat", client_frames=f.CLIENT_FRAMES, server_frames=f.SERVER_FRAMES, routes=ROUTES, presenters=PRESENTERS
)

__all__ = ["VOCABULARY", "Caller", "auth_ok_frame", "message_frame"]
