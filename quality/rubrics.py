"""The review rubric as versioned data (issue 10): admins publish a new version, never edit one.

A version is published whole: its items (key, titles and descriptions in Chinese and English,
weight, critical, the risk level from which it applies) are checked (`check_rubric_items`), then
`do_publish_rubric` writes a new `Rubric` with the next version number, makes it the one in use
and records who published it (`QualityAction` "rubric.publish"). A review keeps the version it was
assigned with (`Review.rubric`, PROTECT), so reviews assigned or submitted before keep scoring
and reading on theirs; assignments from then on take the new one (quality/services.py, `_assign`).

Two admins editing at once: each publishes on the version they opened (`based_on_version`); the
second is refused with 409 instead of silently replacing the first one's work. The check and the
write run under a transaction-level advisory lock on PostgreSQL (SQLite serializes write
transactions anyway); the unique version and the one-active constraint back it up.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from accounts.models import Role, User
from protocol import errors
from protocol.errors import Refused
from quality.models import QualityAction, Review, Rubric, RubricItem

LOCK_KEY = zlib.crc32(b"quality.rubric")
MAX_ITEMS = 30
KEY_MAX = 40
TITLE_MAX = 100
DESCRIPTION_MAX = 1000
WEIGHT_MIN, WEIGHT_MAX = 1, 100
RISK_MAX = 4
NOTE_MAX = 200
DEFAULT_NAME = "Helpline conversation rubric"
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")
PUBLISH_ACTION = "rubric.publish"


# ── records ─────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True, slots=True)
class RubricItemInput:
    key: str
    title: str
    title_zh: str
    description: str
    description_zh: str
    weight: int
    critical: bool = False
    min_risk_level: int = 0


@dataclass(frozen=True, slots=True)
class RubricItemRecord:
    key: str
    title: str
    title_zh: str
    description: str
    description_zh: str
    weight: int
    critical: bool
    min_risk_level: int


@dataclass(frozen=True, slots=True)
class RubricRecord:
    version: int
    name: str
    active: bool
    created_at: datetime
    items: tuple[RubricItemRecord, ...]
    total_weight: int
    reviews: int  # reviews assigned on this version (they keep it)
    published_by: str  # the admin's display name or username; "" for the seeded version
    note: str


@dataclass(frozen=True, slots=True)
class GradeBand:
    grade: str
    low: int  # inclusive
    high: int  # inclusive
    passed: bool


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with one field of a submitted rubric: `field` is `items`, `items.N.key`, ..."""

    field: str
    code: str  # required, too_long, pattern, duplicate, range, count
    message: str  # in the caller's language


class RubricRejected(Refused):
    """The rubric has errors: nothing was published. `problems` says where, field by field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("invalid", "; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = tuple(problems)


# ── reads ───────────────────────────────────────────────────────────────────────────────────
def _item_record(item: RubricItem) -> RubricItemRecord:
    return RubricItemRecord(
        key=item.key,
        title=item.title,
        title_zh=item.title_zh,
        description=item.description,
        description_zh=item.description_zh,
        weight=item.weight,
        critical=item.critical,
        min_risk_level=item.min_risk_level,
    )


def _records(rubrics: list[Rubric]) -> list[RubricRecord]:
    ids = [r.pk for r in rubrics]
    items: dict[int, list[RubricItemRecord]] = {pk: [] for pk in ids}
    for item in RubricItem.objects.filter(rubric_id__in=ids).order_by("rubric_id", "position", "pk"):
        items[item.rubric_id].append(_item_record(item))
    reviews = dict(
        Review.objects.filter(rubric_id__in=ids)
        .values("rubric_id")
        .annotate(n=Count("pk"))
        .values_list("rubric_id", "n")
    )
    versions = {r.version for r in rubrics}
    published: dict[int, tuple[str, str]] = {}
    names = {}
    actions = list(QualityAction.objects.filter(action=PUBLISH_ACTION).order_by("at").values_list("user_id", "detail"))
    user_ids = {user_id for user_id, _detail in actions if user_id is not None}
    for pk, username, display_name in User.objects.filter(pk__in=user_ids).values_list(
        "pk", "username", "display_name"
    ):
        names[pk] = display_name or username
    for user_id, detail in actions:
        version = detail.get("version") if isinstance(detail, dict) else None
        if version in versions:
            published[version] = (names.get(user_id, ""), str(detail.get("note", "")))
    return [
        RubricRecord(
            version=r.version,
            name=r.name,
            active=r.active,
            created_at=r.created_at,
            items=tuple(items[r.pk]),
            total_weight=sum(i.weight for i in items[r.pk]),
            reviews=reviews.get(r.pk, 0),
            published_by=published.get(r.version, ("", ""))[0],
            note=published.get(r.version, ("", ""))[1],
        )
        for r in rubrics
    ]


def current_rubric() -> RubricRecord | None:
    """The version new assignments use; None before any is published."""
    rubric = Rubric.objects.filter(active=True).first()
    return _records([rubric])[0] if rubric is not None else None


def rubric_versions() -> list[RubricRecord]:
    """Every version, newest first (the one in use among them)."""
    return _records(list(Rubric.objects.order_by("-version")))


def grade_bands() -> list[GradeBand]:
    """The grades a score 0-100 gets (quality/reviews.py, `grade_of`): A-C pass."""
    e_below = settings.QA_GRADE_E_BELOW
    bands = [GradeBand("A", 90, 100, True), GradeBand("B", 80, 89, True), GradeBand("C", 60, 79, True)]
    if e_below > 0:
        bands.append(GradeBand("D", min(e_below, 60), 59, False))
        bands.append(GradeBand("E", 0, min(e_below, 60) - 1, False))
    else:
        bands.append(GradeBand("D", 0, 59, False))
    return [b for b in bands if b.low <= b.high]


# ── checks and writes ───────────────────────────────────────────────────────────────────────
def _text(problems: list[Problem], field: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        problems.append(Problem(field, "required", _("Required.")))
    elif len(value) > limit:
        problems.append(
            Problem(
                field,
                "too_long",
                _("At most %(limit)s characters (now %(count)s).") % {"limit": limit, "count": len(value)},
            )
        )
    return value


def check_rubric_items(*, items: Sequence[RubricItemInput]) -> list[RubricItemInput]:
    """The items as they would be stored (texts trimmed), or RubricRejected with every problem."""
    problems: list[Problem] = []
    if not items:
        problems.append(Problem("items", "count", _("A rubric needs at least one item.")))
    elif len(items) > MAX_ITEMS:
        problems.append(
            Problem(
                "items",
                "count",
                _("At most %(limit)s items (now %(count)s).") % {"limit": MAX_ITEMS, "count": len(items)},
            )
        )
    checked: list[RubricItemInput] = []
    seen: set[str] = set()
    for n, item in enumerate(items[: MAX_ITEMS * 2]):
        at = f"items.{n}"
        key = item.key.strip()
        if not key:
            problems.append(Problem(f"{at}.key", "required", _("Required.")))
        elif len(key) > KEY_MAX:
            problems.append(Problem(f"{at}.key", "too_long", _("At most %(limit)s characters.") % {"limit": KEY_MAX}))
        elif not KEY_PATTERN.match(key):
            problems.append(
                Problem(
                    f"{at}.key",
                    "pattern",
                    _("Lower-case letters, digits, _ and - only, starting with a letter (e.g. risk_assessment)."),
                )
            )
        elif key in seen:
            problems.append(Problem(f"{at}.key", "duplicate", _("Another item has this key already.")))
        seen.add(key)
        title = _text(problems, f"{at}.title", item.title, TITLE_MAX)
        title_zh = _text(problems, f"{at}.title_zh", item.title_zh, TITLE_MAX)
        description = _text(problems, f"{at}.description", item.description, DESCRIPTION_MAX)
        description_zh = _text(problems, f"{at}.description_zh", item.description_zh, DESCRIPTION_MAX)
        if not WEIGHT_MIN <= item.weight <= WEIGHT_MAX:
            problems.append(
                Problem(
                    f"{at}.weight",
                    "range",
                    _("A whole number from %(low)s to %(high)s.") % {"low": WEIGHT_MIN, "high": WEIGHT_MAX},
                )
            )
        if not 0 <= item.min_risk_level <= RISK_MAX:
            problems.append(
                Problem(f"{at}.min_risk_level", "range", _("A risk level from 0 to %(high)s.") % {"high": RISK_MAX})
            )
        checked.append(
            RubricItemInput(
                key=key,
                title=title,
                title_zh=title_zh,
                description=description,
                description_zh=description_zh,
                weight=item.weight,
                critical=bool(item.critical),
                min_risk_level=item.min_risk_level,
            )
        )
    if problems:
        raise RubricRejected(problems)
    return checked


def check_publisher(*, admin_id: int) -> None:
    if not User.objects.filter(pk=admin_id, role=Role.ADMIN, is_active=True).exists():
        raise errors.forbidden("only an administrator publishes a rubric")


def _stale(detail: str) -> Refused:
    refusal = errors.invalid(detail)
    refusal.http_status = 409
    return refusal


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def do_publish_rubric(
    *, admin_id: int, items: Sequence[RubricItemInput], based_on_version: int, note: str = ""
) -> RubricRecord:
    """Publish `items` as a new version in use, if `based_on_version` is still the one in use
    (0 when none is); 409 otherwise. Returns the new version."""
    check_publisher(admin_id=admin_id)
    checked = check_rubric_items(items=items)
    note = note.strip()[:NOTE_MAX]
    try:
        with transaction.atomic():
            _lock()
            current = Rubric.objects.filter(active=True).first()
            current_version = current.version if current is not None else 0
            if based_on_version != current_version:
                raise _stale(
                    f"version {current_version} was published since you opened version {based_on_version}: "
                    "reload it and make your changes again"
                )
            newest = Rubric.objects.aggregate(newest=Max("version"))["newest"] or 0
            name = current.name if current is not None else DEFAULT_NAME
            Rubric.objects.filter(active=True).update(active=False)
            rubric = Rubric.objects.create(version=newest + 1, name=name, active=True)
            RubricItem.objects.bulk_create(
                RubricItem(
                    rubric=rubric,
                    key=item.key,
                    title=item.title,
                    title_zh=item.title_zh,
                    description=item.description,
                    description_zh=item.description_zh,
                    weight=item.weight,
                    critical=item.critical,
                    min_risk_level=item.min_risk_level,
                    position=position,
                )
                for position, item in enumerate(checked)
            )
            QualityAction.objects.create(
                user_id=admin_id,
                action=PUBLISH_ACTION,
                detail={
                    "version": rubric.version,
                    "based_on": based_on_version,
                    "items": len(checked),
                    "total_weight": sum(i.weight for i in checked),
                    "note": note,
                },
            )
    except IntegrityError:
        raise _stale("another version was published at the same moment: reload it") from None
    return _records([rubric])[0]
