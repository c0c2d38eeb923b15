"""The automatic pre-screen of an ended conversation (issue 10): figures and checks.

`screen(facts, checks)` is pure: it takes what was read of one conversation (`Facts`) and the
enabled `Check` rows, and gives the figures and each check's result. The services read the facts
(`quality/services.py: do_prescreen`) and store the result as a `PreScreen` row.

Each check is a function of `CHECKS`, registered by name with `@check("name")`; the `Check` row of
that name (seeded by a migration) says whether it runs, its threshold, and its weight in sampling.
A check returns `(passed, detail)`, `passed` None when it does not apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from quality.detectors import asks_about_safety, boundary_problems


@dataclass(frozen=True, slots=True)
class Line:
    role: str  # youth, counselor, supervisor, system
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Facts:
    risk_level: int
    assigned_at: datetime | None
    requested_at: datetime
    ended_at: datetime | None
    lines: list[Line]  # in seq order
    referrals: int = 0
    wrapup_risk_level: int | None = None
    survey_score: int | None = None
    survey_comment: str = ""


@dataclass(slots=True)
class Figures:
    first_response_s: float | None = None
    longest_silence_s: float | None = None
    duration_s: float | None = None
    youth_messages: int = 0
    counselor_messages: int = 0
    risk_assessed: bool | None = None
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def failed_checks(self) -> list[str]:
        return [name for name, result in self.results.items() if result["passed"] is False]


Result = tuple[bool | None, str]
CheckFunction = Callable[[Facts, Figures, float | None], Result]
CHECKS: dict[str, CheckFunction] = {}


def check(name: str) -> Callable[[CheckFunction], CheckFunction]:
    def register(fn: CheckFunction) -> CheckFunction:
        if name in CHECKS:
            raise ValueError(f"a check named {name!r} is registered twice")
        CHECKS[name] = fn
        return fn

    return register


def figures_of(facts: Facts) -> Figures:
    """First response (from the assignment, or the youth's first message without one, to the
    counselor's first message), the longest the youth waited for the counselor, the duration,
    messages each way, and whether the counselor asked about suicide or safety directly."""
    figures = Figures()
    counselor = [line for line in facts.lines if line.role == "counselor"]
    youth = [line for line in facts.lines if line.role == "youth"]
    figures.youth_messages, figures.counselor_messages = len(youth), len(counselor)
    start = facts.assigned_at or (youth[0].at if youth else None)
    if start is not None and counselor:
        figures.first_response_s = max(0.0, (counselor[0].at - start).total_seconds())
    if start is not None and facts.ended_at is not None:
        figures.duration_s = max(0.0, (facts.ended_at - start).total_seconds())
    # The youth waits from their first message after the counselor last spoke until the
    # counselor speaks again (or the conversation ends).
    longest = 0.0
    waiting_since: datetime | None = None
    for line in facts.lines:
        if line.role == "youth" and waiting_since is None:
            waiting_since = line.at
        elif line.role == "counselor" and waiting_since is not None:
            longest = max(longest, (line.at - waiting_since).total_seconds())
            waiting_since = None
    if waiting_since is not None and facts.ended_at is not None and counselor:
        longest = max(longest, (facts.ended_at - waiting_since).total_seconds())
    figures.longest_silence_s = longest if youth and counselor else None
    if facts.risk_level >= 2:
        figures.risk_assessed = any(asks_about_safety(line.text) for line in counselor)
    return figures


def screen(facts: Facts, checks: list[tuple[str, float | None]]) -> Figures:
    """The figures, and the result of each (name, threshold) check, in order; a name with no
    registered function is reported as not applying (a row added before its code)."""
    figures = figures_of(facts)
    for name, threshold in checks:
        fn = CHECKS.get(name)
        passed, detail = fn(facts, figures, threshold) if fn else (None, "no such check in the code")
        figures.results[name] = {"passed": passed, "detail": detail}
    return figures


# ── the checks ──────────────────────────────────────────────────────────────────────────────
@check("first_response")
def _first_response(facts: Facts, figures: Figures, threshold: float | None) -> Result:
    limit = threshold if threshold is not None else 120
    if figures.first_response_s is None:
        return (False, "the counselor never wrote") if facts.assigned_at else (None, "never assigned")
    return figures.first_response_s <= limit, f"{figures.first_response_s:.0f} s (limit {limit:.0f} s)"


@check("long_silence")
def _long_silence(facts: Facts, figures: Figures, threshold: float | None) -> Result:
    limit = threshold if threshold is not None else 300
    if figures.longest_silence_s is None:
        return None, "no exchange"
    return figures.longest_silence_s <= limit, f"{figures.longest_silence_s:.0f} s (limit {limit:.0f} s)"


@check("risk_assessment")
def _risk_assessment(facts: Facts, figures: Figures, threshold: float | None) -> Result:
    if figures.risk_assessed is None:
        return None, f"risk level {facts.risk_level}"
    if figures.risk_assessed:
        return True, "asked directly"
    return False, f"risk level {facts.risk_level}: no direct question about suicide or safety"


@check("referral")
def _referral(facts: Facts, figures: Figures, threshold: float | None) -> Result:
    if facts.risk_level < 4:
        return None, f"risk level {facts.risk_level}"
    return (True, f"{facts.referrals} recorded") if facts.referrals else (False, "level 4 and no referral recorded")


@check("wrapup_risk")
def _wrapup_risk(facts: Facts, figures: Figures, threshold: float | None) -> Result:
    if facts.wrapup_risk_level is None:
        return False, "no wrap-up"
    if facts.risk_level >= 2 and facts.wrapup_risk_level < facts.risk_level:
        return False, f"wrap-up level {facts.wrapup_risk_level} below the detector's {facts.risk_level}"
    return True, f"wrap-up level {facts.wrapup_risk_level}, detector {facts.risk_level}"


@check("boundaries")
def _boundaries(facts: Facts, figures: Figures, threshold: float | None) -> Result:
    found = [
        f"{problem.kind}: {problem.words}"
        for line in facts.lines
        if line.role == "counselor"
        for problem in boundary_problems(line.text)
    ]
    return (False, "; ".join(found[:5])) if found else (True, "")


@check("survey")
def _survey(facts: Facts, figures: Figures, threshold: float | None) -> Result:
    limit = threshold if threshold is not None else 2
    if facts.survey_score is None:
        return None, "no survey"
    return facts.survey_score > limit, f"score {facts.survey_score} (fails at {limit:.0f} or below)"
