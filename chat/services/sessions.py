"""A socket's session: who it is, which groups it hears, what it needs to resume."""

from __future__ import annotations

from django.conf import settings

from accounts.models import CounselorProfile, Role
from accounts.services import Principal, count_live_sockets, do_register_socket, do_unregister_socket
from chat.models import Conversation
from chat.records import Session
from chat.selectors import session_summaries, youth_offline_since
from chat.services import presence as presence_service
from chat.services.queue import do_dispatch
from chat.tasks import schedule_offline_checks
from realtime import STAFF, SUPERVISORS, conversation_group, staff_group, user_group
from realtime.live import changed


class TooManySockets(Exception):
    """The identity holds WS_MAX_SOCKETS_PER_USER sockets already; this one is refused unregistered."""


def do_open_session(*, principal: Principal, channel_name: str) -> Session:
    # Checked before anything is written: a refused socket must not count as online, start
    # assignments or leave grace timers behind when it closes.
    if count_live_sockets(user_id=principal.user_id) >= settings.WS_MAX_SOCKETS_PER_USER:
        raise TooManySockets
    # Read before the socket counts: whether this is the youth's first socket after being away.
    youth_was_offline = principal.role == Role.YOUTH and youth_offline_since(youth_id=principal.user_id) is not None
    do_register_socket(user_id=principal.user_id, channel_name=channel_name)
    if principal.role == Role.YOUTH:
        presence_service.do_youth_socket_opened(youth_id=principal.user_id, was_offline=youth_was_offline)
    elif principal.role == Role.COUNSELOR:
        presence_service.do_tell_youths_counselor_back(counselor_id=principal.user_id)
    summaries = session_summaries(user_id=principal.user_id, role=principal.role)
    groups = [user_group(principal.user_id)]
    for summary in summaries:
        if summary.status in Conversation.OPEN_STATUSES:
            groups.append(conversation_group(summary.conversation))
            if principal.role in (Role.COUNSELOR, Role.SUPERVISOR):  # a supervisor's: one they took
                groups.append(staff_group(summary.conversation))
    if principal.role == Role.SUPERVISOR:
        groups.append(SUPERVISORS)
    if principal.role in (Role.COUNSELOR, Role.SUPERVISOR):
        groups.append(STAFF)
    if principal.role == Role.COUNSELOR:
        changed("team")
    presence = None
    if principal.role == Role.COUNSELOR:
        presence = CounselorProfile.objects.filter(user_id=principal.user_id).values_list("presence", flat=True).first()
        if presence == CounselorProfile.Presence.AVAILABLE:
            do_dispatch()
    return Session(
        role=principal.role, user_id=principal.user_id, conversations=summaries, presence=presence, groups=groups
    )


def do_close_session(*, principal: Principal, channel_name: str) -> None:
    do_unregister_socket(user_id=principal.user_id, channel_name=channel_name)
    if principal.role == Role.COUNSELOR:
        changed("team")
    in_chat = False
    if principal.role == Role.YOUTH:
        in_chat = presence_service.do_youth_socket_closed(youth_id=principal.user_id)
    elif principal.role == Role.COUNSELOR:
        in_chat = presence_service.has_active_chats(user_id=principal.user_id, role=principal.role)
    schedule_offline_checks(user_id=principal.user_id, role=principal.role, in_chat=in_chat)
