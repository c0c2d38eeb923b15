"""Value types of the crisis detector: findings, scan results, a conversation's accumulated risk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CATEGORIES: tuple[str, ...] = ("suicide", "self_harm", "bullying", "sexual_abuse", "violence", "fraud")

MAX_LEVEL = 4


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason for a level: a lexicon term (or an escalation rule) found in the message.

    ``start``/``end`` index the ORIGINAL message text (not the normalized one), so
    ``text[start:end]`` is what the youth wrote, separators and emoji included.
    ``term`` is the lexicon term as written in the lexicon (自杀 for a message that
    said 紫砂 or zisha), or ``rule:<name>`` for a level raised by an escalation rule.
    ``third_party`` is true when the youth reports someone else (a friend who wants
    to die): still a risk report, the counselor needs to know whose risk it is.
    """

    category: str
    level: int
    term: str
    start: int
    end: int
    third_party: bool


@dataclass(frozen=True, slots=True)
class ScanResult:
    level: int  # 0..4, the maximum over categories
    categories: tuple[str, ...]  # categories at level >= 1, highest level first
    findings: tuple[Finding, ...]
    # Category terms the lexicon's context rules dropped ("negated:想死", "exclusion:跳楼"):
    # what the lexicon judged not a risk, for the fusion rule and the explanation.
    suppressed: tuple[str, ...] = ()
    # The learned model's score (crisis/model), set by the fused detector; None from the lexicon alone.
    model: Any = None

    def explain(self) -> str:
        """One line a supervisor reads in a second: the terms and rules that fired, the model's score."""
        parts = []
        lexical = [f for f in self.findings if not f.term.startswith("model:")]
        if lexical:
            parts.append(
                "lexicon: "
                + ", ".join(
                    f"{f.term}->{f.category} {f.level}{' (third party)' if f.third_party else ''}" for f in lexical
                )
            )
        learned = [f for f in self.findings if f.term.startswith("model:")]
        if learned:
            parts.append("raised by the model: " + ", ".join(f"{f.category} {f.level}" for f in learned))
        if self.suppressed:
            parts.append("lexicon dropped: " + ", ".join(self.suppressed[:4]))
        if self.model is not None:
            parts.append(self.model.summary())
        return "; ".join(parts) if parts else "no risk found"

    def reasons(self, text: str) -> dict[str, Any]:
        """What fired, for the supervisor's card, as data the page words in its own language:
        the youth's own words that each finding matched (the model's findings have none), and
        the model's score. Kept with the alert beside `explain()`'s line."""
        fired = []
        for f in self.findings:
            from_model = f.term.startswith("model:")
            words = "" if from_model else text[f.start : f.end]
            fired.append(
                {
                    "words": words[:40],
                    "category": f.category,
                    "level": f.level,
                    "third_party": f.third_party,
                    "by": "model" if from_model else "rule" if f.term.startswith("rule:") else "lexicon",
                }
            )
        model = None
        if self.model is not None:
            model = {
                "version": self.model.version,
                "alert": round(self.model.alert, 2),
                "high": round(self.model.high, 2),
                "imminent": round(self.model.imminent, 2),
                "cues": list(self.model.cues[:4]),
            }
        return {"fired": fired[:8], "model": model}

    def strongest(self) -> Finding | None:
        """The finding an excerpt centres on: highest level, then first in the text."""
        best: Finding | None = None
        for finding in self.findings:
            if best is None or (finding.level, -finding.start) > (best.level, -best.start):
                best = finding
        return best

    def excerpt(self, text: str, width: int = 60) -> str:
        """About ``width`` characters of the original text around the strongest finding.

        Cut ends are marked with an ellipsis, so a supervisor sees that there is more.
        """
        width = max(width, 1)
        finding = self.strongest()
        if finding is None or len(text) <= width:
            return text if len(text) <= width else text[:width] + "…"
        span = finding.end - finding.start
        if span >= width:
            start = finding.start
        else:
            # Centre the finding; shift the window back inside the text at either end.
            start = max(0, finding.start - (width - span) // 2)
            start = min(start, len(text) - width)
        stop = min(len(text), start + width)
        return ("…" if start > 0 else "") + text[start:stop] + ("…" if stop < len(text) else "")


NO_RISK = ScanResult(level=0, categories=(), findings=())


def make_result(findings: list[Finding], suppressed: list[str] | tuple[str, ...] = ()) -> ScanResult:
    if not findings:
        return ScanResult(level=0, categories=(), findings=(), suppressed=tuple(suppressed)) if suppressed else NO_RISK
    by_category: dict[str, int] = {}
    for finding in findings:
        if finding.level > by_category.get(finding.category, 0):
            by_category[finding.category] = finding.level
    order = {name: index for index, name in enumerate(CATEGORIES)}
    categories = tuple(sorted(by_category, key=lambda c: (-by_category[c], order.get(c, len(order)))))
    findings.sort(key=lambda f: (f.start, -f.level, f.category))
    return ScanResult(
        level=max(by_category.values(), default=0),
        categories=categories,
        findings=tuple(findings),
        suppressed=tuple(suppressed),
    )


_STATE_FORMAT = 1


@dataclass(slots=True)
class ConversationRisk:
    """What one conversation's youth messages have shown so far; stored as JSON between messages.

    Roles ("suicide/ideation", "*/method", "*/time") are remembered with the ordinal
    of the risk-relevant message that last showed them; escalation rules combine
    them across messages within ``accumulation_window`` relevant messages. A message
    that shows nothing that matters for accumulation leaves the state unchanged
    (callers compare ``to_json()`` before and after to skip a write): it changes
    only for a rule role that is not merely a time, an alert level, or a time/now
    role when the conversation already holds another rule role or the message has
    a finding (docs/crisis.md, Accumulation). The JSON shape (format 1) is the one
    stored since round 1.
    """

    relevant_messages: int = 0
    peak_level: int = 0
    category_peaks: dict[str, int] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)
    third_party_roles: set[str] = field(default_factory=set)
    lexicon_version: str = ""

    def to_json(self) -> dict:
        return {
            "format": _STATE_FORMAT,
            "lexicon_version": self.lexicon_version,
            "relevant_messages": self.relevant_messages,
            "peak_level": self.peak_level,
            "category_peaks": dict(sorted(self.category_peaks.items())),
            "roles": dict(sorted(self.roles.items())),
            "third_party_roles": sorted(self.third_party_roles),
        }

    @classmethod
    def from_json(cls, d: dict | None) -> ConversationRisk:
        """Tolerant: a missing, old or damaged state starts afresh rather than failing a scan."""
        if not isinstance(d, dict):
            return cls()

        def as_level(value: object) -> int:
            return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_LEVEL else 0

        def as_count(value: object) -> int:
            return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

        peaks_in = d.get("category_peaks")
        roles_in = d.get("roles")
        third_in = d.get("third_party_roles")
        version = d.get("lexicon_version")
        return cls(
            relevant_messages=as_count(d.get("relevant_messages")),
            peak_level=as_level(d.get("peak_level")),
            category_peaks={k: as_level(v) for k, v in peaks_in.items() if isinstance(k, str)}
            if isinstance(peaks_in, dict)
            else {},
            roles={k: as_count(v) for k, v in roles_in.items() if isinstance(k, str)}
            if isinstance(roles_in, dict)
            else {},
            third_party_roles={k for k in third_in if isinstance(k, str)} if isinstance(third_in, list) else set(),
            lexicon_version=version if isinstance(version, str) else "",
        )
