"""A socket's session: who it is, which groups it hears, what it needs to resume."""
from __future__ import annotations

from dataclasses import dataclass

from accounts.models import CounselorProfile, Role
from accounts.services import Principal, do_register_socket, do_unregister_socket
from chat.models import Conversation
from chat.selectors import session_summaries, waiting_counts
from chat.services.queue import do_dispatch
from chat.tasks import schedule_offline_checks
from protocol import frames as f
from realtime import SUPERVISORS, conversation_group, staff_group, user_group


@dataclass(frozen=True, slots=True)
class Session:
    auth_ok: f.AuthOk
    groups: list[str]


def do_open_session(*, principal: Principal, channel_name: str) -> Session:
    do_register_socket(user_id=principal.user_id, channel_name=channel_name)
    summaries = session_summaries(user_id=principal.user_id, role=principal.role)
    groups = [user_group(principal.user_id)]
    for summary in summaries:
        if summary.status in Conversation.OPEN_STATUSES:
            groups.append(conversation_group(summary.conversation))
            if principal.role == Role.COUNSELOR:
                groups.append(staff_group(summary.conversation))
    if principal.role == Role.SUPERVISOR:
        groups.append(SUPERVISORS)
    presence = None
    if principal.role == Role.COUNSELOR:
        presence = CounselorProfile.objects.filter(user_id=principal.user_id).values_list("presence", flat=True).first()
        if presence == CounselorProfile.Presence.AVAILABLE:
            do_dispatch()
    auth_ok = f.AuthOk(role=principal.role, user=principal.user_id, conversations=summaries, presence=presence)
    return Session(auth_ok=auth_ok, groups=groups)


def do_close_session(*, principal: Principal, channel_name: str) -> None:
    do_unregister_socket(user_id=principal.user_id, channel_name=channel_name)
    schedule_offline_checks(user_id=principal.user_id, role=principal.role)


def queue_stats(*, ref: f.Ref = None) -> f.QueueStats:
    return f.QueueStats(waiting=waiting_counts(), ref=ref)
