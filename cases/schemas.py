"""The case work's HTTP bodies (docs/cases.md, "API"): the work list, one case with its timeline,
every transition's request, a youth's own cases, the region tree."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from protocol.http import RequestBody

Moment = Annotated[str, Meta(description="ISO 8601 with the UTC offset", examples=["2026-12-02T05:45:32.123456+00:00"])]
CaseId = Annotated[int, Meta(ge=1, le=2**62)]
Note = Annotated[str, Meta(max_length=2000)]
RegionCode = Annotated[str, Meta(max_length=6, description="a GB/T 2260 code; empty or unknown: the province")]
Category = Literal[
    "crisis", "bullying", "abuse", "sexual_harm", "fraud", "legal", "school", "hardship", "family", "other"
]
Priority = Annotated[int, Meta(ge=1, le=3, description="1 normal, 2 urgent, 3 critical")]
Status = Literal["open", "dispatched", "in_progress", "resolved", "closed"]
ContactMethod = Literal["none", "phone", "wechat", "in_app"]
Flag = Literal["overdue", "near", ""]


class CaseQuery(RequestBody):
    """Filters of the work list; all optional."""

    status: Literal["open", "dispatched", "in_progress", "resolved", "closed", "all", ""] = ""
    flag: Flag = ""
    key: bool | None = None
    category: Category | Literal[""] = ""
    priority: Priority | None = None
    q: Annotated[str, Meta(max_length=20, description="a reference, or how it starts")] = ""
    page: Annotated[int, Meta(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Meta(ge=1, le=100)] = 30


class CaseRow(msgspec.Struct, kw_only=True):
    id: int
    reference: str
    status: Status
    category: str
    priority: int
    region: str
    region_name: str
    centre: str
    opened_at: Moment
    accept_due_at: Moment | None
    due_at: Moment
    flag: Flag
    deadline: Literal["accept", "resolve", ""]
    deadline_at: Moment | None
    is_key: bool
    high_risk: bool
    escalation_level: int
    source: str


class CaseList(msgspec.Struct, kw_only=True):
    """Open cases first (overdue, near a deadline, then by priority), closed ones after."""

    cases: list[CaseRow]
    total: int
    page: int
    per_page: int


class CaseRef(RequestBody):
    case: CaseId


class TimelineEntry(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    at: Moment
    actor: str
    from_status: str
    to_status: str
    action_kind: str
    matter_kind: str
    matter_kind_name: str
    note: str
    detail: dict[str, Any]


class CaseDetail(msgspec.Struct, kw_only=True):
    """One case: no transcript text; the contact only for the centre working it (masked otherwise)."""

    case: CaseRow
    summary: str
    conversation: int | None
    referral: dict[str, Any] | None
    holder_region: str
    holder_region_name: str
    centre_id: int | None
    consent_to_contact: bool
    contact_method: ContactMethod
    contact: str
    contact_shown: bool
    key_supervisor: str
    outcome: str
    outcome_note: str
    callback_result: str
    called_back_at: Moment | None
    closed_at: Moment | None
    closed_in_time: bool | None
    reopened_count: int
    shareable: bool
    shared_at: Moment | None
    last_urged_at: Moment | None
    allowed: Annotated[list[str], Meta(description="the events the caller may do now (the page's buttons)")]
    timeline: list[TimelineEntry]


class CaseOpen(RequestBody):
    """A case opened by hand (supervisors, admins, centre staff in their own region)."""

    category: Category
    summary: Annotated[str, Meta(min_length=1, max_length=4000)]
    priority: Priority = 1
    region: RegionCode = ""
    consent_to_contact: bool = False
    contact_method: ContactMethod = "none"
    contact: Annotated[str, Meta(max_length=100)] = ""
    high_risk: bool = False
    conversation: CaseId | None = None


class FieldError(msgspec.Struct, kw_only=True):
    """The contract's error shape, and the field of the request body a refusal is about."""

    error: Literal["invalid", "too_large", "forbidden", "not_found"]
    detail: str
    field: Annotated[str, Meta(description="the request body's field refused, e.g. region, summary")] = ""


class WrapUpCase(RequestBody):
    """What the counselor knows, after a wrap-up that needs a follow-up was accepted."""

    conversation: CaseId
    category: Annotated[Category | Literal[""], Meta(description="empty: as the wrap-up's category says")] = ""
    priority: Annotated[int, Meta(ge=0, le=3, description="0: as the wrap-up's risk level says")] = 0
    consent_to_contact: bool = False
    contact_method: ContactMethod = "none"
    contact: Annotated[str, Meta(max_length=100)] = ""


class CaseOpened(msgspec.Struct, kw_only=True):
    case: int
    reference: str
    status: Status


class Dispatch(RequestBody):
    case: CaseId
    centre: CaseId
    note: Note = ""


class Reason(RequestBody):
    case: CaseId
    reason: Annotated[str, Meta(min_length=1, max_length=2000)]


class Action(RequestBody):
    case: CaseId
    action_kind: Literal["call", "visit", "meeting", "note", "hand_off"]
    note: Note = ""
    matter_kind: Annotated[str, Meta(max_length=40, description="a hand-off's kind of matter (its code)")] = ""


class Resolve(RequestBody):
    case: CaseId
    outcome: Literal["settled", "handed_over", "unreachable", "declined", "other"]
    note: Note = ""


class Callback(RequestBody):
    case: CaseId
    result: Literal["satisfied", "not_satisfied", "unreachable"]
    note: Note = ""


class Close(RequestBody):
    case: CaseId
    reason: Annotated[Note, Meta(description="required without a satisfied call-back")] = ""
    shareable: Annotated[bool, Meta(description="its material may be shared outward, de-identified")] = False


class MarkKey(RequestBody):
    case: CaseId
    supervisor: CaseId
    note: Note = ""


class NoteOn(RequestBody):
    case: CaseId
    note: Note = ""


class CentreOption(msgspec.Struct, kw_only=True):
    id: int
    name: str
    region: str
    region_name: str
    level: str


class DispatchTargets(msgspec.Struct, kw_only=True):
    centres: list[CentreOption]


class MatterOption(msgspec.Struct, kw_only=True):
    code: str
    name: str
    name_en: str
    hands_to: str


class Person(msgspec.Struct, kw_only=True):
    id: int
    name: str


class Me(msgspec.Struct, kw_only=True):
    """What the centre page needs first: who works here, the kinds of matters, the supervisors."""

    role: str
    centre: str
    centre_region: str
    centre_region_name: str
    matter_kinds: list[MatterOption]
    supervisors: list[Person]


class MyCase(msgspec.Struct, kw_only=True):
    reference: str
    received_at: Moment
    stage: Literal["received", "followed_up", "resolved", "closed"]
    centre_city: Annotated[str, Meta(description="where the service centre following it up is")]
    centre_city_en: str
    since: Moment


class MyCases(msgspec.Struct, kw_only=True):
    """The caller's own cases (a youth): what became of them, in plain words; nothing else."""

    cases: list[MyCase]


class RegionNode(msgspec.Struct, kw_only=True):
    code: str
    name: str
    name_en: str
    level: str
    children: list[RegionNode]


class RegionTree(msgspec.Struct, kw_only=True):
    regions: list[RegionNode]
