"""The case work (docs/cases.md): opening a case, every transition of the state machine
(cases/states.py) and every action, the deadline sweep.

Each `do_*` checks (raising `protocol.errors.Refused`, having changed nothing), then writes in one
transaction with the case's row locked (`select_for_update`), so two members of staff at once
cannot both accept or both close: the second finds the new status and is refused
`invalid_transition`. Every transition and action writes a `CaseEvent` (the timeline and the
audit trail). Openings are idempotent: one case per conversation per source (the conversation's
row is locked while looking), one per left message, one per referral.

A conversation with an open case keeps its transcript past retention (a `moderation` hold, reason
`case`); the hold is lifted when its last open case closes, and never touches other reasons' holds.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from cases import deadlines, states
from cases.access import SYSTEM, Who, actors_of, visible_to, who_is
from cases.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CasePriority,
    DeadlineRule,
    MatterKind,
    Region,
    ServiceCentre,
)
from cases.seeds import default_deadline
from cases.states import Actor, InvalidTransition
from chat.models import Conversation, LeftMessage, WrapUp
from crisis.models import Referral
from moderation.holds import do_place_hold, do_release_hold
from moderation.hygiene import clean_text
from moderation.models import TranscriptHold
from protocol import errors

log = logging.getLogger(__name__)

S = Case.Status
K = CaseEvent.Kind
NOTE_MAX_CHARS = 2000
SUMMARY_MAX_CHARS = 4000
CONTACT_MAX_CHARS = 100
# The sweep urges a case near or past a deadline, and escalates an overdue one, at most once per
# this period (settings.CASES_URGE_PERIOD_S overrides it).
URGE_PERIOD_S = 12 * 3600


class FieldRefused(errors.Refused):
    """A refusal about one field of the request (its name in the request body), so a form can show
    it beside that field; over HTTP the error body carries it as `field` (cases/views.py)."""

    def __init__(self, code: str, detail: str, *, field: str) -> None:
        super().__init__(code, detail)
        self.field = field


def urge_period() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "CASES_URGE_PERIOD_S", URGE_PERIOD_S)))


# ---------------------------------------------------------------------------------------------
# Checks shared by the services


def check_note(note: str, *, required: bool = False, what: str = "the note") -> str:
    if len(note) > NOTE_MAX_CHARS:
        raise errors.too_large(f"{what} may hold at most {NOTE_MAX_CHARS} characters")
    cleaned = clean_text(note)
    if required and not cleaned:
        raise errors.invalid(f"{what} is required")
    return cleaned


@dataclass(frozen=True, slots=True)
class CaseFields:
    category: str
    priority: int
    consent_to_contact: bool
    contact_method: str
    contact: str


def check_case_fields(
    *, category: str, priority: int, consent_to_contact: bool, contact_method: str, contact: str
) -> CaseFields:
    if category not in CaseCategory.values:
        raise FieldRefused("invalid", f"not a case category: {category}", field="category")
    if priority not in CasePriority.values:
        raise FieldRefused("invalid", f"not a priority: {priority}", field="priority")
    if contact_method not in Case.ContactMethod.values:
        raise FieldRefused("invalid", f"not a contact method: {contact_method}", field="contact_method")
    if len(contact) > CONTACT_MAX_CHARS:
        raise FieldRefused("too_large", f"the contact may hold at most {CONTACT_MAX_CHARS} characters", field="contact")
    contact = clean_text(contact)
    if not consent_to_contact:
        # Without consent nobody calls: nothing of how is kept (a contact sent anyway is dropped).
        return CaseFields(category, priority, False, Case.ContactMethod.NONE, "")
    if contact_method == Case.ContactMethod.NONE:
        raise FieldRefused("invalid", "the youth agreed to be contacted: say how", field="contact_method")
    if contact_method in (Case.ContactMethod.PHONE, Case.ContactMethod.WECHAT) and not contact:
        raise FieldRefused("invalid", "a phone number or WeChat id is needed to contact them that way", field="contact")
    if contact_method == Case.ContactMethod.IN_APP:
        contact = ""
    return CaseFields(category, priority, True, contact_method, contact)


def root_region() -> Region:
    """The province's intake: CASES_ROOT_REGION if set, else the (first) region without a parent."""
    code = getattr(settings, "CASES_ROOT_REGION", "")
    region = Region.objects.filter(code=code).first() if code else None
    region = region or Region.objects.filter(parent__isnull=True).order_by("code").first()
    if region is None:
        raise errors.invalid("no regions are loaded (manage.py load_regions)")
    return region


def region_for(code: str) -> Region:
    """The region of a code; an unknown or empty one is the province root."""
    code = (code or "").strip()
    region = Region.objects.filter(code=code).first() if len(code) == 6 and code.isdigit() else None
    return region or root_region()


def _top_of(region: Region) -> Region:
    return Region.objects.get(code=region.path.split("/")[0])


def _deadlines(*, category: str, priority: int, opened_at: datetime) -> tuple[datetime, datetime]:
    rule = DeadlineRule.objects.filter(category=category, priority=priority).first()
    accept_h, resolve_h = (
        (rule.accept_within_hours, rule.resolve_within_hours) if rule else default_deadline(category, priority)
    )
    return opened_at + timedelta(hours=accept_h), opened_at + timedelta(hours=resolve_h)


def _event(
    case: Case,
    kind: str,
    who: Who,
    *,
    at: datetime,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    action_kind: str = "",
    matter_kind: MatterKind | None = None,
    detail: Mapping[str, object] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor_id=who.user_id,
        from_status=from_status,
        to_status=to_status,
        note=note,
        action_kind=action_kind,
        matter_kind=matter_kind,
        detail=dict(detail or {}),
        at=at,
    )


def _hold(conversation_id: int | None) -> None:
    if conversation_id is not None:
        do_place_hold(conversation_id=conversation_id, reason=TranscriptHold.Reason.CASE)


def _release_if_last(case: Case) -> None:
    """Lift the case hold of its conversation when no other case of it is open."""
    if case.conversation_id is None:
        return
    others_open = (
        Case.objects.filter(conversation_id=case.conversation_id, status__in=Case.OPEN_STATUSES)
        .exclude(pk=case.pk)
        .exists()
    )
    if not others_open:
        do_release_hold(conversation_id=case.conversation_id, reason=TranscriptHold.Reason.CASE)


@dataclass(frozen=True, slots=True)
class Moved:
    """What a service did: the case, its status now, the event written."""

    case: int
    reference: str
    status: str
    event: int


def _moved(case: Case, event: CaseEvent) -> Moved:
    return Moved(case=case.pk, reference=case.reference, status=case.status, event=event.pk)


# ---------------------------------------------------------------------------------------------
# Opening


def _open(
    *,
    who: Who,
    actors: frozenset[Actor] = frozenset({Actor.SYSTEM}),
    source: str,
    fields: CaseFields,
    region: Region,
    holder: Region,
    summary: str,
    conversation: Conversation | None = None,
    left_message: LeftMessage | None = None,
    referral: Referral | None = None,
    youth_id: int | None = None,
    high_risk: bool = False,
    key_supervisor_id: int | None = None,
    now: datetime | None = None,
    detail: dict[str, object] | None = None,
) -> Case:
    states.check_transition(event=K.OPEN, status="", actors=actors)
    now = now or timezone.now()
    accept_due_at, due_at = _deadlines(category=fields.category, priority=fields.priority, opened_at=now)
    case = Case.objects.create(
        reference=f"T{uuid.uuid4().hex[:19]}",  # replaced below, once the id is known
        source=source,
        category=fields.category,
        priority=fields.priority,
        status=S.OPEN,
        region=region,
        holder_region=holder,
        conversation=conversation,
        left_message=left_message,
        referral=referral,
        youth_id=youth_id if youth_id is not None else (conversation.youth_id if conversation else None),
        summary=summary,
        consent_to_contact=fields.consent_to_contact,
        contact_method=fields.contact_method,
        contact=fields.contact,
        high_risk=high_risk,
        is_key=key_supervisor_id is not None,
        key_supervisor_id=key_supervisor_id,
        opened_by_id=who.user_id,
        opened_at=now,
        accept_due_at=accept_due_at,
        due_at=due_at,
    )
    case.reference = f"C{timezone.localtime(now):%Y%m%d}{case.pk:05d}"
    case.save(update_fields=["reference"])
    _event(
        case,
        K.OPEN,
        who,
        at=now,
        to_status=S.OPEN,
        detail={"source": source, "region": region.code, "held_at": holder.code, **(detail or {})},
    )
    _hold(case.conversation_id)
    return case


def priority_of_risk(risk_level: int) -> int:
    if risk_level >= 4:
        return CasePriority.CRITICAL
    if risk_level >= 3:
        return CasePriority.URGENT
    return CasePriority.NORMAL


# The wrap-up's categories (frontend/templates/frontend/_wrapup_fields.html) as case categories.
WRAPUP_CATEGORY: dict[str, str] = {
    "self_harm": CaseCategory.CRISIS,
    "emotion": CaseCategory.OTHER,
    "bullying": CaseCategory.BULLYING,
    "abuse": CaseCategory.ABUSE,
    "legal_rights": CaseCategory.LEGAL,
    "hardship": CaseCategory.HARDSHIP,
    "study": CaseCategory.SCHOOL,
    "family": CaseCategory.FAMILY,
}
TOPIC_CATEGORY: dict[str, str] = {"legal": CaseCategory.LEGAL, "aid": CaseCategory.HARDSHIP}


def _existing(conversation_id: int, source: str) -> Case | None:
    return Case.objects.filter(conversation_id=conversation_id, source=source).order_by("pk").first()


def _locked_conversation(conversation_id: int) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation_id)


def open_from_wrapup(*, wrapup_id: int) -> Case | None:
    """A wrap-up with needs_followup opens a case (once per conversation), held by the province."""
    with transaction.atomic():
        wrapup = WrapUp.objects.filter(pk=wrapup_id).first()
        if wrapup is None or not wrapup.needs_followup:
            return None
        conversation = _locked_conversation(wrapup.conversation_id)
        found = _existing(conversation.pk, Case.Source.WRAP_UP)
        if found is not None:
            return found
        region = region_for(conversation.region)
        fields = CaseFields(
            WRAPUP_CATEGORY.get(wrapup.category, CaseCategory.OTHER),
            priority_of_risk(wrapup.risk_level),
            False,
            Case.ContactMethod.NONE,
            "",
        )
        return _open(
            who=SYSTEM,
            source=Case.Source.WRAP_UP,
            fields=fields,
            region=region,
            holder=_top_of(region),
            summary=wrapup.summary,
            conversation=conversation,
            high_risk=wrapup.risk_level >= 3,
            detail={"wrapup": wrapup.pk},
        )


def do_record_wrapup_case(
    *,
    counselor_id: int,
    conversation_id: int,
    category: str,
    priority: int,
    consent_to_contact: bool,
    contact_method: str,
    contact: str,
) -> Moved:
    """The counselor adds what they know to the case their wrap-up opened (or opens it, if the
    wrap-up's signal did not): only theirs, only while nobody has dispatched it yet. An empty
    category or a priority of 0 keeps what the wrap-up gave (its category, its risk level)."""
    fields = check_case_fields(
        category=category or CaseCategory.OTHER,
        priority=priority or CasePriority.NORMAL,
        consent_to_contact=consent_to_contact,
        contact_method=contact_method,
        contact=contact,
    )
    who = Who(user_id=counselor_id, role=Role.COUNSELOR)
    with transaction.atomic():
        wrapup = WrapUp.objects.filter(conversation_id=conversation_id).first()
        if wrapup is None or wrapup.counselor_id != counselor_id:
            raise errors.forbidden("not your wrap-up")
        if not wrapup.needs_followup:
            raise errors.invalid("the wrap-up does not ask for a follow-up")
        conversation = _locked_conversation(conversation_id)
        case = _existing(conversation.pk, Case.Source.WRAP_UP)
        now = timezone.now()
        fields = CaseFields(
            category or (case.category if case else WRAPUP_CATEGORY.get(wrapup.category, CaseCategory.OTHER)),
            priority or (case.priority if case else priority_of_risk(wrapup.risk_level)),
            fields.consent_to_contact,
            fields.contact_method,
            fields.contact,
        )
        if case is None:
            region = region_for(conversation.region)
            case = _open(
                who=who,
                actors=frozenset({Actor.COUNSELOR}),
                source=Case.Source.WRAP_UP,
                fields=fields,
                region=region,
                holder=_top_of(region),
                summary=wrapup.summary,
                conversation=conversation,
                high_risk=wrapup.risk_level >= 3,
                now=now,
                detail={"wrapup": wrapup.pk},
            )
            return _moved(case, case.events.get())
        case = Case.objects.select_for_update().get(pk=case.pk)
        states.check_transition(event=K.ACTION, status=case.status, actors=frozenset({Actor.COUNSELOR}))
        if case.events.filter(kind=K.DISPATCH).exists():
            raise InvalidTransition("the case was dispatched already")
        case.category, case.priority = fields.category, fields.priority
        case.consent_to_contact, case.contact_method, case.contact = (
            fields.consent_to_contact,
            fields.contact_method,
            fields.contact,
        )
        case.accept_due_at, case.due_at = _deadlines(
            category=fields.category, priority=fields.priority, opened_at=case.opened_at
        )
        case.save()
        event = _event(
            case,
            K.ACTION,
            who,
            at=now,
            action_kind=CaseEvent.ActionKind.NOTE,
            note="",
            detail={
                "fields_by_counselor": True,
                "category": fields.category,
                "priority": fields.priority,
                "consent_to_contact": fields.consent_to_contact,
                "contact_method": fields.contact_method,
            },
        )
        return _moved(case, event)


def open_from_left_message(*, left_message_id: int) -> Case | None:
    """A left message handled with the outcome "turned into a follow-up" opens a case (once)."""
    with transaction.atomic():
        left = LeftMessage.objects.filter(pk=left_message_id).first()
        if left is None or left.outcome != LeftMessage.Outcome.FOLLOW_UP:
            return None
        conversation = _locked_conversation(left.conversation_id)
        found = Case.objects.filter(left_message_id=left.pk).first() or _existing(
            conversation.pk, Case.Source.LEFT_MESSAGE
        )
        if found is not None:
            return found
        region = region_for(conversation.region)
        contact = clean_text(left.contact)[:CONTACT_MAX_CHARS]
        method = Case.ContactMethod.NONE
        if contact:
            digits = contact.replace(" ", "").replace("-", "").lstrip("+")
            method = Case.ContactMethod.PHONE if digits.isdigit() else Case.ContactMethod.WECHAT
        fields = CaseFields(
            TOPIC_CATEGORY.get(conversation.topic, CaseCategory.OTHER),
            priority_of_risk(conversation.risk_level),
            bool(contact),  # they left it to be called back
            method,
            contact,
        )
        return _open(
            who=SYSTEM,
            source=Case.Source.LEFT_MESSAGE,
            fields=fields,
            region=region,
            holder=_top_of(region),
            # Staff-written: the call-back note (the youth's own words stay with the message).
            summary=left.handling_note or "留言转为个案跟进 / A left message turned into a follow-up",
            conversation=conversation,
            left_message=left,
            high_risk=conversation.risk_level >= 3,
            detail={"left_message": left.pk, "handled_by": left.handled_by_id},
        )


REFERRAL_CATEGORY: dict[str, str] = {
    Referral.Kind.POLICE_110: CaseCategory.CRISIS,
    Referral.Kind.AMBULANCE_120: CaseCategory.CRISIS,
    Referral.Kind.MANDATORY_REPORT: CaseCategory.ABUSE,
}


def open_from_referral(*, referral_id: int) -> Case | None:
    """A supervisor's referral opens a key case (once per referral) followed by that supervisor,
    holding the referral's handover record."""
    with transaction.atomic():
        referral = Referral.objects.filter(pk=referral_id).first()
        if referral is None:
            return None
        conversation = _locked_conversation(referral.conversation_id)
        found = Case.objects.filter(referral_id=referral.pk).first()
        if found is not None:
            return found
        region = region_for(conversation.region)
        critical = referral.kind != Referral.Kind.HOTLINE
        fields = CaseFields(
            REFERRAL_CATEGORY.get(referral.kind, TOPIC_CATEGORY.get(conversation.topic, CaseCategory.OTHER)),
            CasePriority.CRITICAL if critical else CasePriority.URGENT,
            False,
            Case.ContactMethod.NONE,
            "",
        )
        return _open(
            who=Who(user_id=referral.supervisor_id, role=Role.SUPERVISOR),
            source=Case.Source.REFERRAL,
            fields=fields,
            region=region,
            holder=_top_of(region),
            summary=referral.handed_over,
            conversation=conversation,
            referral=referral,
            high_risk=True,
            key_supervisor_id=referral.supervisor_id,
            detail={"referral": referral.pk, "kind": referral.kind, "target": referral.target},
        )


def do_open_by_hand(
    *,
    user_id: int,
    category: str,
    priority: int,
    region_code: str,
    summary: str,
    consent_to_contact: bool,
    contact_method: str,
    contact: str,
    high_risk: bool = False,
    conversation_id: int | None = None,
) -> Moved:
    """A supervisor, an admin or centre staff open a case by hand. Centre staff open it in their
    region or below and hold it themselves; otherwise the province holds it. A region named must
    be a known code (it was chosen from the list: an unknown one is a mistake, not the province);
    none named: the conversation's, else the province. Refusals about a field name it."""
    who = who_is(user_id)
    if who.role in (Role.SUPERVISOR, Role.ADMIN):
        actors = frozenset({Actor.SUPERVISOR if who.role == Role.SUPERVISOR else Actor.ADMIN})
    elif who.role == Role.CENTRE and who.centre_id is not None:
        actors = frozenset({Actor.HOLDER})
    else:
        raise errors.forbidden("you cannot open a case")
    fields = check_case_fields(
        category=category,
        priority=priority,
        consent_to_contact=consent_to_contact,
        contact_method=contact_method,
        contact=contact,
    )
    if len(summary) > SUMMARY_MAX_CHARS:
        raise FieldRefused("too_large", f"the summary may hold at most {SUMMARY_MAX_CHARS} characters", field="summary")
    summary = clean_text(summary).strip()
    if not summary:
        raise FieldRefused("invalid", "a summary is required (markup does not count)", field="summary")
    region_code = (region_code or "").strip()
    if region_code and not Region.objects.filter(code=region_code).exists():
        raise FieldRefused("invalid", f"not a known region: {region_code[:6]}", field="region")
    with transaction.atomic():
        conversation = None
        if conversation_id is not None:
            if who.role == Role.CENTRE:
                raise FieldRefused("forbidden", "centre staff open a case without a conversation", field="conversation")
            conversation = Conversation.objects.filter(pk=conversation_id).first()
            if conversation is None:
                raise FieldRefused("not_found", "no such conversation", field="conversation")
        region = region_for(region_code or (conversation.region if conversation else ""))
        if who.role == Role.CENTRE:
            assert who.centre_region_path is not None  # noqa: S101 - a centre member has a centre
            if not region.path.startswith(who.centre_region_path):
                raise FieldRefused("forbidden", "a region outside your centre's", field="region")
            holder = Region.objects.get(code=who.centre_region_code)
        else:
            holder = _top_of(region)
        case = _open(
            who=who,
            actors=actors,
            source=Case.Source.MANUAL,
            fields=fields,
            region=region,
            holder=holder,
            summary=summary,
            conversation=conversation,
            high_risk=high_risk,
        )
        return _moved(case, case.events.get())


# ---------------------------------------------------------------------------------------------
# Transitions


def _locked(case_id: int) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise errors.not_found("no such case")
    return case


def _begin(*, case_id: int, who: Who, event: str) -> tuple[Case, states.Transition, frozenset[Actor]]:
    """Lock the case and check the event against the state machine (inside the caller's atomic)."""
    case = _locked(case_id)
    actors = actors_of(who, case)
    # Staff of another region's centre: the case is not theirs to know of.
    if not actors and who.role == Role.CENTRE and not visible_to(who, case):
        raise errors.not_found("no such case")
    return case, states.check_transition(event=event, status=case.status, actors=actors), actors


def _move(case: Case, transition: states.Transition) -> tuple[str, str]:
    before = case.status
    if transition.target is not None:
        case.status = transition.target
    return before, case.status


def do_dispatch(*, user_id: int, case_id: int, centre_id: int, note: str = "") -> Moved:
    """To a centre one level below the dispatching level, or at that level, on the path of the
    case's region. From `open` the level is the holder's; a centre a case was dispatched to passes
    it on from its own level (it then holds it: a return comes back to it)."""
    note = check_note(note)
    who = who_is(user_id)
    with transaction.atomic():
        case, transition, _ = _begin(case_id=case_id, who=who, event=K.DISPATCH)
        target = ServiceCentre.objects.select_related("region").filter(pk=centre_id, active=True).first()
        if target is None:
            raise errors.not_found("no such centre")
        level = case.holder_region if case.status == S.OPEN else case.centre.region  # type: ignore[union-attr]
        if target.pk == case.centre_id:
            raise errors.invalid("dispatched to that centre already")
        if not (target.region_id == level.code or target.region.parent_id == level.code):
            raise errors.invalid(f"dispatch to a centre of {level.name} or one level below it")
        if not case.region.path.startswith(target.region.path):
            raise errors.invalid("that centre's region is not the youth's")
        now = timezone.now()
        before, after = _move(case, transition)
        previous_centre = case.centre_id
        case.holder_region = level
        case.centre = target
        case.dispatched_at = now
        case.save()
        event = _event(
            case,
            K.DISPATCH,
            who,
            at=now,
            from_status=before,
            to_status=after,
            note=note,
            detail={
                "centre": target.pk,
                "centre_name": target.name,
                "from_centre": previous_centre,
                "level": level.code,
            },
        )
        return _moved(case, event)


def do_accept(*, user_id: int, case_id: int) -> Moved:
    who = who_is(user_id)
    with transaction.atomic():
        case, transition, _ = _begin(case_id=case_id, who=who, event=K.ACCEPT)
        now = timezone.now()
        before, after = _move(case, transition)
        case.accepted_at = now
        case.save()
        event = _event(
            case, K.ACCEPT, who, at=now, from_status=before, to_status=after, detail={"centre": case.centre_id}
        )
        return _moved(case, event)


def do_return(*, user_id: int, case_id: int, reason: str) -> Moved:
    """Back to the level that dispatched it (`holder_region`), which must dispatch it again."""
    reason = check_note(reason, required=True, what="the reason")
    who = who_is(user_id)
    with transaction.atomic():
        case, transition, _ = _begin(case_id=case_id, who=who, event=K.RETURN)
        now = timezone.now()
        before, after = _move(case, transition)
        centre = case.centre_id
        case.centre = None
        case.save()
        event = _event(
            case, K.RETURN, who, at=now, from_status=before, to_status=after, note=reason, detail={"centre": centre}
        )
        return _moved(case, event)


def do_action(*, user_id: int, case_id: int, action_kind: str, note: str, matter_kind: str = "") -> Moved:
    """A call, a visit, a meeting, a note, or a hand-off of a kind of matter (MatterKind)."""
    if action_kind not in CaseEvent.ActionKind.values:
        raise errors.invalid(f"not an action: {action_kind}")
    note = check_note(note, required=action_kind == CaseEvent.ActionKind.NOTE)
    kind = None
    if action_kind == CaseEvent.ActionKind.HAND_OFF:
        kind = MatterKind.objects.filter(code=matter_kind, active=True).first()
        if kind is None:
            raise errors.invalid("a hand-off names an active kind of matter")
    elif matter_kind:
        raise errors.invalid("only a hand-off names a kind of matter")
    who = who_is(user_id)
    with transaction.atomic():
        case, _, _ = _begin(case_id=case_id, who=who, event=K.ACTION)
        now = timezone.now()
        case.save(update_fields=["updated_at"])
        detail: dict[str, object] = {"hands_to": kind.hands_to} if kind else {}
        event = _event(case, K.ACTION, who, at=now, action_kind=action_kind, matter_kind=kind, note=note, detail=detail)
        return _moved(case, event)


def do_resolve(*, user_id: int, case_id: int, outcome: str, note: str) -> Moved:
    if outcome not in Case.Outcome.values:
        raise errors.invalid(f"not an outcome: {outcome}")
    note = check_note(note, what="the outcome note")
    who = who_is(user_id)
    with transaction.atomic():
        case, transition, _ = _begin(case_id=case_id, who=who, event=K.RESOLVE)
        if outcome == Case.Outcome.HANDED_OVER and not case.events.filter(action_kind="hand_off").exists():
            raise errors.invalid("record the hand-off first")
        now = timezone.now()
        before, after = _move(case, transition)
        case.resolved_at, case.outcome, case.outcome_note = now, outcome, note
        case.save()
        event = _event(
            case, K.RESOLVE, who, at=now, from_status=before, to_status=after, note=note, detail={"outcome": outcome}
        )
        return _moved(case, event)


def do_callback(*, user_id: int, case_id: int, result: str, note: str = "") -> Moved:
    """The youth called back after the resolution: the result recorded (the last one counts)."""
    if result not in Case.CallbackResult.values:
        raise errors.invalid(f"not a call-back result: {result}")
    note = check_note(note)
    who = who_is(user_id)
    with transaction.atomic():
        case, _, _ = _begin(case_id=case_id, who=who, event=K.CALLBACK)
        if not case.consent_to_contact:
            raise errors.invalid("the youth did not agree to be contacted: close it with a reason")
        now = timezone.now()
        case.called_back_at, case.callback_result = now, result
        case.save()
        event = _event(case, K.CALLBACK, who, at=now, note=note, detail={"result": result})
        return _moved(case, event)


def check_close(case: Case, *, reason: str, actors: frozenset[Actor]) -> None:
    """A case is closed after a call-back that found the youth satisfied; otherwise only with a
    recorded reason: they did not agree to be contacted, could not be reached, or (a supervisor's
    or admin's decision) were not satisfied and it is closed anyway."""
    result = case.callback_result
    if result == Case.CallbackResult.SATISFIED:
        return
    if not case.consent_to_contact or result == Case.CallbackResult.UNREACHABLE:
        if not reason:
            raise errors.invalid("record why it is closed without a call-back")
        return
    if result == Case.CallbackResult.NOT_SATISFIED:
        if not actors & {Actor.SUPERVISOR, Actor.ADMIN}:
            raise errors.invalid("the youth was not satisfied: reopen it (or a supervisor closes it with a reason)")
        if not reason:
            raise errors.invalid("record why it is closed although the youth was not satisfied")
        return
    raise errors.invalid("call the youth back first")


def do_close(*, user_id: int, case_id: int, reason: str = "", shareable: bool = False) -> Moved:
    """Closed, judged in time or not against its resolve deadline; `shareable`: the closing staff
    say whether its material may be shared outward, de-identified."""
    reason = check_note(reason, what="the reason")
    who = who_is(user_id)
    with transaction.atomic():
        case, transition, actors = _begin(case_id=case_id, who=who, event=K.CLOSE)
        check_close(case, reason=reason, actors=actors)
        now = timezone.now()
        before, after = _move(case, transition)
        case.closed_at = now
        case.closed_in_time = now <= case.due_at
        case.shareable = shareable
        case.save()
        event = _event(
            case,
            K.CLOSE,
            who,
            at=now,
            from_status=before,
            to_status=after,
            note=reason,
            detail={"in_time": case.closed_in_time, "shareable": shareable, "callback": case.callback_result},
        )
        _release_if_last(case)
        return _moved(case, event)


def do_reopen(*, user_id: int, case_id: int, reason: str) -> Moved:
    """Back to in_progress at the same centre when the youth is not satisfied (a resolved case
    only after a call-back that said so; a closed one whenever they come back)."""
    reason = check_note(reason, required=True, what="the reason")
    who = who_is(user_id)
    with transaction.atomic():
        case, transition, _ = _begin(case_id=case_id, who=who, event=K.REOPEN)
        if case.status == S.RESOLVED and case.callback_result != Case.CallbackResult.NOT_SATISFIED:
            raise errors.invalid("a resolved case is reopened after a call-back that found the youth not satisfied")
        now = timezone.now()
        before, after = _move(case, transition)
        previous = {"outcome": case.outcome, "callback": case.callback_result, "in_time": case.closed_in_time}
        case.reopened_count += 1
        case.resolved_at = case.called_back_at = case.closed_at = None
        case.outcome = case.outcome_note = case.callback_result = ""
        case.closed_in_time = None
        case.save()
        event = _event(case, K.REOPEN, who, at=now, from_status=before, to_status=after, note=reason, detail=previous)
        _hold(case.conversation_id)
        return _moved(case, event)


def do_mark_key(*, user_id: int, case_id: int, supervisor_id: int, note: str = "") -> Moved:
    """A key case (重点个案), followed by the named supervisor (marked again: another one)."""
    note = check_note(note)
    who = who_is(user_id)
    supervisor = User.objects.filter(pk=supervisor_id, role=Role.SUPERVISOR, is_active=True).first()
    if supervisor is None:
        raise errors.invalid("name a supervisor")
    with transaction.atomic():
        case, _, _ = _begin(case_id=case_id, who=who, event=K.MARK_KEY)
        now = timezone.now()
        previous = case.key_supervisor_id
        case.is_key, case.key_supervisor = True, supervisor
        case.save()
        event = _event(
            case, K.MARK_KEY, who, at=now, note=note, detail={"supervisor": supervisor.pk, "previous": previous}
        )
        return _moved(case, event)


def do_share(*, user_id: int, case_id: int, note: str = "") -> Moved:
    """Recorded as shared outward, de-identified: only a closed, shareable case, once."""
    note = check_note(note)
    who = who_is(user_id)
    with transaction.atomic():
        case, _, _ = _begin(case_id=case_id, who=who, event=K.SHARE)
        if not case.shareable:
            raise errors.invalid("this case may not be shared")
        if case.shared_at is not None:
            raise InvalidTransition("shared already")
        now = timezone.now()
        case.shared_at = now
        case.save()
        event = _event(case, K.SHARE, who, at=now, note=note)
        return _moved(case, event)


def do_urge(*, user_id: int, case_id: int, note: str = "") -> Moved:
    """A supervisor urges the centre working it (the sweep does the same, by itself)."""
    note = check_note(note)
    who = who_is(user_id)
    with transaction.atomic():
        case, _, _ = _begin(case_id=case_id, who=who, event=K.URGE)
        now = timezone.now()
        case.last_urged_at = now
        case.save()
        event = _event(case, K.URGE, who, at=now, note=note, detail={"by_hand": True})
        return _moved(case, event)


# ---------------------------------------------------------------------------------------------
# Deadlines


@dataclass(frozen=True, slots=True)
class SweepResult:
    looked_at: int
    urged: int
    escalated: int


def do_deadline_sweep(*, now: datetime | None = None, limit: int = 2000) -> SweepResult:
    """Every open case near or past a deadline is urged, at most once per `urge_period()`; an
    overdue one is also escalated one level up (held by the parent of its holder region), at the
    same pace. Safe to run late, twice or at once in two workers (rows locked, skip_locked)."""
    now = now or timezone.now()
    period = urge_period()
    looked = urged = escalated = 0
    with transaction.atomic():
        rows = list(
            Case.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("holder_region")
            .filter(status__in=Case.OPEN_STATUSES)
            .exclude(last_urged_at__gt=now - period)
            .order_by("due_at")[:limit]
        )
        for case in rows:
            looked += 1
            state = deadlines.state_of(case, now)
            if not state.flag:
                continue
            states.check_transition(event=K.URGE, status=case.status, actors=frozenset({Actor.SYSTEM}))
            detail: dict[str, object] = {
                "deadline": state.which,
                "flag": state.flag,
                "due": state.at.isoformat() if state.at else None,
            }
            if state.flag == "overdue" and case.holder_region.parent_id:
                states.check_transition(event=K.ESCALATE, status=case.status, actors=frozenset({Actor.SYSTEM}))
                before = case.holder_region_id
                case.holder_region_id = case.holder_region.parent_id
                case.escalation_level += 1
                _event(case, K.ESCALATE, SYSTEM, at=now, detail={**detail, "from": before, "to": case.holder_region_id})
                escalated += 1
            case.last_urged_at = now
            case.save(update_fields=["holder_region", "escalation_level", "last_urged_at", "updated_at"])
            _event(case, K.URGE, SYSTEM, at=now, detail=detail)
            urged += 1
    return SweepResult(looked_at=looked, urged=urged, escalated=escalated)
