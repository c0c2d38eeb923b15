"""HTTP bodies of the rubric editor for admins (docs/protocol.md, HTTP; docs/quality.md, "The
rubric editor"): the version in use with the grade bands, every version, the publication of a new one."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from protocol.http import ErrorCode, RequestBody
from quality.schemas import Moment

# The bounds a rubric must keep are checked by quality/rubrics.py, which reports every problem
# with its field; the schema only bounds the body's size.
Text = Annotated[str, Meta(max_length=4000)]


class RubricItem(msgspec.Struct, kw_only=True):
    key: Annotated[str, Meta(max_length=200, description="unique in the version, slug-like: rapport, risk_assessment")]
    title: Annotated[str, Meta(max_length=4000, description="English")]
    title_zh: Text
    description: Annotated[str, Meta(max_length=4000, description="English")]
    description_zh: Text
    weight: Annotated[int, Meta(description="1-100; the score is the weighted mean, whatever the total")]
    critical: Annotated[bool, Meta(description="scored 0, it fails the review whatever the score")] = False
    min_risk_level: Annotated[int, Meta(description="applies from this risk level (0: always), 0-4")] = 0


class Rubric(msgspec.Struct, kw_only=True):
    version: int
    name: str
    active: Annotated[bool, Meta(description="the version new reviews are assigned with")]
    created_at: Moment
    items: list[RubricItem]
    total_weight: int
    reviews: Annotated[int, Meta(description="reviews assigned with this version (they keep it)")]
    published_by: Annotated[str, Meta(description="the admin who published it; empty for the shipped version")]
    note: Annotated[str, Meta(description="what changed, as the admin said when publishing")]


class GradeBand(msgspec.Struct, kw_only=True):
    grade: Literal["A", "B", "C", "D", "E"]
    low: Annotated[int, Meta(description="the lowest score of the band, inclusive")]
    high: Annotated[int, Meta(description="the highest score of the band, inclusive")]
    passed: bool


class CurrentRubric(msgspec.Struct, kw_only=True):
    """The version in use (null before any is published) and the grades a score 0-100 gets."""

    rubric: Rubric | None
    bands: list[GradeBand]


class RubricVersions(msgspec.Struct, kw_only=True):
    """Every version, newest first; read-only."""

    versions: list[Rubric]


class RubricPublish(RequestBody):
    """A new version from these items, in this order. `based_on_version` is the version edited
    (0 when there is none): when another was published since, 409 and nothing is written."""

    based_on_version: Annotated[int, Meta(ge=0)]
    items: Annotated[list[RubricItem], Meta(max_length=100)]
    note: Annotated[str, Meta(max_length=1000, description="what changed (kept up to 200 characters)")] = ""


class FieldProblem(msgspec.Struct, kw_only=True):
    field: Annotated[str, Meta(description='"items" or "items.N.FIELD" (N from 0): items.2.weight')]
    code: Literal["required", "too_long", "pattern", "duplicate", "range", "count"]
    message: Annotated[str, Meta(description="in the caller's language")]


class RubricRefusal(msgspec.Struct, kw_only=True):
    """A rubric refused with every problem found, each with its field; nothing was published."""

    error: ErrorCode
    detail: str
    problems: list[FieldProblem] = []
