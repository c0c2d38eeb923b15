"""Measuring the crisis detector: our labelled set, PsySUICIDE, a keyword baseline.

Pure functions, no Django: `crisis_eval` (the management command), the tests
and docs/crisis.md use them. An "alert" is level >= 2, as in the product.

Expected labels:
* ours (crisis/evaldata/youthline_labelled.jsonl): level 0..4 and categories as
  written by hand;
* PsySUICIDE (shared/data/psysuicide/valid.json): classes mapped as its README
  says (see PSYSUICIDE_CLASSES); 关于自杀的探索 ("asking about suicide") is
  concern at most, so an alert on it is a false positive; 他人攻击行为 counts as a
  hit for either bullying or violence.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from crisis.detection import CATEGORIES, ConversationRisk, Detector, ScanResult

ALERT_LEVEL = 2
PROJECT_ROOT = Path(__file__).resolve().parent.parent
OURS_PATH = PROJECT_ROOT / "crisis" / "evaldata" / "youthline_labelled.jsonl"
CONVERSATIONS_PATH = PROJECT_ROOT / "crisis" / "evaldata" / "conversations.jsonl"
# Written after the first round, never tuned on: measured before and after the second round.
HOLDOUT2_PATH = PROJECT_ROOT / "crisis" / "evaldata" / "holdout2.jsonl"
# The second round's tuning split (paraphrases written separately from holdout2).
DEV2_PATH = PROJECT_ROOT / "crisis" / "evaldata" / "dev2.jsonl"
# Written at the start of round three, measured before any change, never tuned on.
HOLDOUT3_PATH = PROJECT_ROOT / "crisis" / "evaldata" / "holdout3.jsonl"
# The third round's tuning split (written after measuring holdout3 "before").
DEV3_PATH = PROJECT_ROOT / "crisis" / "evaldata" / "dev3.jsonl"
# Written at the start of round four, measured before any change, never tuned on.
HOLDOUT4_PATH = PROJECT_ROOT / "crisis" / "evaldata" / "holdout4.jsonl"
# The fourth round's tuning split (written after measuring holdout4 "before").
DEV4_PATH = PROJECT_ROOT / "crisis" / "evaldata" / "dev4.jsonl"
# The labelled files besides ours, by set name: one place, read by `run` and by crisis_eval.
SET_FILES = {
    "holdout2": HOLDOUT2_PATH,
    "dev2": DEV2_PATH,
    "holdout3": HOLDOUT3_PATH,
    "dev3": DEV3_PATH,
    "holdout4": HOLDOUT4_PATH,
    "dev4": DEV4_PATH,
}
# Sets `run` knows: ours (all 506 lines), holdout (the 40 `holdout-*` lines of ours, not
# tuned on in round one), the files above, psysuicide.
SETS = ("ours", "holdout", *SET_FILES, "psysuicide")
PSYSUICIDE_ENV = "YOUTHLINE_PSYSUICIDE_PATH"

# class -> (expected level, expected category slots, short kind name)
PSYSUICIDE_CLASSES: dict[str, tuple[int, tuple[frozenset[str], ...], str]] = {
    "自杀未遂": (3, (frozenset({"suicide"}),), "past_attempt"),
    "自杀准备行为": (4, (frozenset({"suicide"}),), "preparation"),
    "自杀计划": (3, (frozenset({"suicide"}),), "plan"),
    "主动自杀意图": (3, (frozenset({"suicide"}),), "active_ideation"),
    "被动自杀意图": (2, (frozenset({"suicide"}),), "passive_ideation"),
    "自伤行为": (2, (frozenset({"self_harm"}),), "self_harm_behaviour"),
    "自伤意图": (2, (frozenset({"self_harm"}),), "self_harm_intent"),
    "用户攻击行为": (2, (frozenset({"violence"}),), "user_aggression"),
    "他人攻击行为": (2, (frozenset({"bullying", "violence"}),), "aggression_against_user"),
    "关于自杀的探索": (1, (), "exploration"),
    "与自杀/自伤/攻击行为无关": (0, (), "unrelated"),
}


@dataclass(frozen=True, slots=True)
class LabelledMessage:
    id: str
    text: str
    level: int  # expected level 0..4
    # Expected categories; a slot with several categories is satisfied by any of them.
    slots: tuple[frozenset[str], ...]
    kind: str

    @property
    def alert_expected(self) -> bool:
        return self.level >= ALERT_LEVEL

    @property
    def categories(self) -> frozenset[str]:
        return frozenset().union(*self.slots) if self.slots else frozenset()


@dataclass(frozen=True, slots=True)
class LabelledConversation:
    id: str
    messages: tuple[str, ...]
    level: int


def psysuicide_path(override: str | os.PathLike | None = None) -> Path:
    """<project root>/../shared/data/psysuicide/valid.json unless overridden (argument or environment)."""
    if override:
        return Path(override)
    if os.environ.get(PSYSUICIDE_ENV):
        return Path(os.environ[PSYSUICIDE_ENV])
    return PROJECT_ROOT.parent / "shared" / "data" / "psysuicide" / "valid.json"


def load_ours(path: str | os.PathLike | None = None) -> list[LabelledMessage]:
    messages: list[LabelledMessage] = []
    with Path(path or OURS_PATH).open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            slots = tuple(frozenset({c}) for c in row.get("categories", []))
            messages.append(
                LabelledMessage(
                    id=str(row["id"]), text=row["text"], level=int(row["level"]), slots=slots, kind=row.get("kind", "")
                )
            )
    return messages


def load_conversations(path: str | os.PathLike | None = None) -> list[LabelledConversation]:
    conversations: list[LabelledConversation] = []
    with Path(path or CONVERSATIONS_PATH).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                conversations.append(
                    LabelledConversation(id=str(row["id"]), messages=tuple(row["messages"]), level=int(row["level"]))
                )
    return conversations


def load_psysuicide(path: str | os.PathLike | None = None) -> list[LabelledMessage]:
    with psysuicide_path(path).open(encoding="utf-8") as handle:
        rows = json.load(handle)
    messages: list[LabelledMessage] = []
    for row in rows:
        level = 0
        slots: list[frozenset[str]] = []
        kinds: list[str] = []
        for label in row["labels"]:
            label_level, label_slots, kind = PSYSUICIDE_CLASSES[label]
            level = max(level, label_level)
            slots.extend(s for s in label_slots if s not in slots)
            kinds.append(kind)
        messages.append(
            LabelledMessage(
                id=f"psy-{row['idx']}", text=row["text"], level=level, slots=tuple(slots), kind="+".join(kinds)
            )
        )
    return messages


# -- metrics -------------------------------------------------------------------


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.tp + self.fn,
        }


@dataclass(slots=True)
class Prediction:
    message: LabelledMessage
    level: int
    alerted: frozenset[str]  # categories at level >= ALERT_LEVEL
    third_party: bool  # every alerting finding is a third-party report


@dataclass(slots=True)
class Report:
    name: str
    scanner: str
    size: int
    alert: Counts
    categories: dict[str, Counts]
    thresholds: dict[int, Counts]  # expected >= L vs predicted >= L
    confusion: dict[int, dict[int, int]]  # expected level -> predicted level -> count
    benign_alert_rate: float
    benign_count: int
    exploration_alert_rate: float | None
    kinds: dict[str, dict]  # kind -> {"n", "correct"} alert decision accuracy
    errors: list[Prediction] = field(default_factory=list)

    def as_dict(self, errors: int = 0) -> dict:
        return {
            "set": self.name,
            "scanner": self.scanner,
            "size": self.size,
            "alert": self.alert.as_dict(),
            "categories": {c: counts.as_dict() for c, counts in self.categories.items()},
            "levels": {f">={level}": counts.as_dict() for level, counts in self.thresholds.items()},
            "confusion": {str(e): {str(p): n for p, n in row.items()} for e, row in self.confusion.items()},
            "benign_alert_rate": round(self.benign_alert_rate, 4),
            "benign_count": self.benign_count,
            "exploration_alert_rate": None
            if self.exploration_alert_rate is None
            else round(self.exploration_alert_rate, 4),
            "kinds": self.kinds,
            "errors": [_error_dict(p) for p in self.errors[:errors]],
        }


def _error_dict(prediction: Prediction) -> dict:
    m = prediction.message
    return {
        "id": m.id,
        "text": m.text,
        "kind": m.kind,
        "expected_level": m.level,
        "expected_categories": sorted(m.categories),
        "level": prediction.level,
        "alerted": sorted(prediction.alerted),
        "third_party": prediction.third_party,
    }


def predict(message: LabelledMessage, scan: Callable[[str], ScanResult]) -> Prediction:
    result = scan(message.text)
    alerting = [f for f in result.findings if f.level >= ALERT_LEVEL]
    return Prediction(
        message=message,
        level=result.level,
        alerted=frozenset(f.category for f in alerting),
        third_party=bool(alerting) and all(f.third_party for f in alerting),
    )


def evaluate(
    name: str, messages: Iterable[LabelledMessage], scan: Callable[[str], ScanResult], scanner: str = "detector"
) -> Report:
    predictions = [predict(m, scan) for m in messages]
    alert = Counts()
    categories = {c: Counts() for c in CATEGORIES}
    thresholds = {level: Counts() for level in (1, 2, 3, 4)}
    confusion: dict[int, dict[int, int]] = {e: dict.fromkeys(range(5), 0) for e in range(5)}
    kinds: dict[str, Counter] = {}
    errors: list[Prediction] = []
    benign = benign_alerts = exploration = exploration_alerts = 0
    for p in predictions:
        m = p.message
        predicted_alert = p.level >= ALERT_LEVEL
        _count(alert, m.alert_expected, predicted_alert)
        for level, counts in thresholds.items():
            _count(counts, m.level >= level, p.level >= level)
        confusion[m.level][p.level] += 1
        # Per category: an expected slot is a hit if any of its categories alerted.
        wrong_category = False
        credited: set[str] = set()
        for slot in m.slots if m.alert_expected else ():
            hit = slot & p.alerted
            if hit:
                for c in hit:
                    categories[c].tp += 1
                    credited.add(c)
            else:
                wrong_category = True
                for c in slot:
                    categories[c].fn += 1
        for c in p.alerted - credited:
            if not (m.alert_expected and any(c in slot for slot in m.slots)):
                categories[c].fp += 1
        for c in CATEGORIES:
            if c not in p.alerted and not (m.alert_expected and any(c in slot for slot in m.slots)):
                categories[c].tn += 1
        if m.level == 0:
            benign += 1
            benign_alerts += predicted_alert
        if m.kind == "exploration":
            exploration += 1
            exploration_alerts += predicted_alert
        correct = predicted_alert == m.alert_expected and not wrong_category
        kind_counts = kinds.setdefault(m.kind, Counter())
        kind_counts["n"] += 1
        kind_counts["correct"] += correct
        if not correct:
            errors.append(p)
    return Report(
        name=name,
        scanner=scanner,
        size=len(predictions),
        alert=alert,
        categories=categories,
        thresholds=thresholds,
        confusion=confusion,
        benign_alert_rate=benign_alerts / benign if benign else 0.0,
        benign_count=benign,
        exploration_alert_rate=exploration_alerts / exploration if exploration else None,
        kinds={k: dict(v) for k, v in sorted(kinds.items())},
        errors=errors,
    )


def _count(counts: Counts, expected: bool, predicted: bool) -> None:
    if expected and predicted:
        counts.tp += 1
    elif predicted:
        counts.fp += 1
    elif expected:
        counts.fn += 1
    else:
        counts.tn += 1


@dataclass(slots=True)
class ConversationReport:
    size: int
    exact: int
    alert: Counts
    imminent: Counts  # expected 4 vs predicted 4
    results: list[tuple[LabelledConversation, int]]

    def as_dict(self) -> dict:
        return {
            "size": self.size,
            "exact_level": self.exact,
            "alert": self.alert.as_dict(),
            "imminent": self.imminent.as_dict(),
            "results": [{"id": c.id, "expected": c.level, "level": level} for c, level in self.results],
        }


class ConversationScanner(Protocol):
    """What scores a conversation message by message: the lexicon Detector or the FusedDetector."""

    def scan_in_conversation(self, text: str, risk: ConversationRisk) -> ScanResult: ...


def evaluate_conversations(
    conversations: Iterable[LabelledConversation], detector: ConversationScanner
) -> ConversationReport:
    """A conversation's level is the highest level any of its messages reached."""
    results: list[tuple[LabelledConversation, int]] = []
    alert, imminent = Counts(), Counts()
    exact = 0
    for conversation in conversations:
        risk = ConversationRisk()
        level = 0
        for text in conversation.messages:
            level = max(level, detector.scan_in_conversation(text, risk).level)
            risk = ConversationRisk.from_json(risk.to_json())  # as the chat stores it between messages
        results.append((conversation, level))
        exact += level == conversation.level
        _count(alert, conversation.level >= ALERT_LEVEL, level >= ALERT_LEVEL)
        _count(imminent, conversation.level == 4, level == 4)
    return ConversationReport(size=len(results), exact=exact, alert=alert, imminent=imminent, results=results)


# -- running everything -----------------------------------------------------------


def run(
    detector: Detector,
    baseline_scan: Callable[[str], ScanResult] | None,
    sets: Iterable[str] = ("ours", "psysuicide"),
    psysuicide: str | os.PathLike | None = None,
) -> dict[str, dict]:
    """Reports per set: {"ours": {"detector": Report, "baseline": Report, "conversations": ...}, ...}."""
    out: dict[str, dict] = {}
    for name in sets:
        if name == "ours":
            messages = load_ours()
        elif name == "holdout":
            messages = [m for m in load_ours() if m.id.startswith("holdout-")]
        elif name in SET_FILES:
            messages = load_ours(SET_FILES[name])
        elif name == "psysuicide":
            messages = load_psysuicide(psysuicide)
        else:
            raise ValueError(f"unknown set {name!r}")
        entry: dict = {"detector": evaluate(name, messages, detector.scan, "detector")}
        if baseline_scan is not None:
            entry["baseline"] = evaluate(name, messages, baseline_scan, "keyword baseline")
        if name == "ours":
            entry["conversations"] = evaluate_conversations(load_conversations(), detector)
        out[name] = entry
    return out


def format_report(report: Report, errors: int = 0) -> str:
    lines = [f"== {report.name}: {report.scanner} ({report.size} messages) =="]
    a = report.alert
    lines.append(
        f"alert (level>=2): P {a.precision:.3f}  R {a.recall:.3f}  F1 {a.f1:.3f}  (tp {a.tp} fp {a.fp} fn {a.fn})"
    )
    lines.append(f"benign alert rate: {report.benign_alert_rate:.2%} of {report.benign_count} level-0 messages")
    if report.exploration_alert_rate is not None:
        lines.append(f"alert rate on 'asking about suicide' (expected < 2): {report.exploration_alert_rate:.2%}")
    lines.append(f"{'category':<14}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}{'fp':>5}")
    for category, c in report.categories.items():
        lines.append(f"{category:<14}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}{c.tp + c.fn:>9}{c.fp:>5}")
    lines.append(f"{'level':<14}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}{'fp':>5}")
    for level, c in report.thresholds.items():
        lines.append(f"{'>=' + str(level):<14}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}{c.tp + c.fn:>9}{c.fp:>5}")
    lines.append("confusion (rows expected level, columns predicted 0..4):")
    for expected, row in report.confusion.items():
        lines.append(f"  {expected}: " + " ".join(f"{row[p]:>5}" for p in range(5)))
    if errors:
        lines.append(f"first {min(errors, len(report.errors))} of {len(report.errors)} misclassified:")
        for p in report.errors[:errors]:
            m = p.message
            lines.append(
                f"  [{m.id}] {m.kind}: expected {m.level} {sorted(m.categories)} got {p.level} "
                f"{sorted(p.alerted)}{' (third party)' if p.third_party else ''} | {m.text[:80]}"
            )
    return "\n".join(lines)


def format_kinds(report: Report) -> str:
    parts = [f"{kind} {v.get('correct', 0)}/{v['n']}" for kind, v in report.kinds.items()]
    return "alert decision correct, by kind: " + ", ".join(parts)


def format_conversations(report: ConversationReport) -> str:
    lines = [
        f"== conversations ({report.size}) ==",
        (
            f"exact level {report.exact}/{report.size}; alert P {report.alert.precision:.3f} "
            f"R {report.alert.recall:.3f}; "
            f"imminent (4) P {report.imminent.precision:.3f} R {report.imminent.recall:.3f}"
        ),
    ]
    for conversation, level in report.results:
        if level != conversation.level:
            lines.append(f"  {conversation.id}: expected {conversation.level}, got {level}")
    return "\n".join(lines)


# -- the model's splits, scanners side by side, bootstrap intervals --------------------------

# Sets cut from crisis/data/splits.json (crisis/model/dataset.py): the model's dev split
# (thresholds were tuned on it) and its test split (reported once per model version),
# whole and by source.
SPLIT_SETS = ("dev", "dev:psy", "dev:smile", "dev:yl2", "test", "test:psy", "test:smile", "test:yl2", "test:holdout")
SCANNER_ORDER = ("keyword baseline", "lexicon", "model", "combined")


def load_split_set(name: str) -> list[LabelledMessage]:
    from crisis.model.dataset import load_rows, load_splits

    split, _, source = name.partition(":")
    splits = load_splits()
    out = []
    for row in load_rows():
        if splits.get(row.key) != split:
            continue
        if source == "holdout":
            if not (row.source.startswith("holdout") or row.key.startswith("ours:holdout-")):
                continue
        elif source and row.source != source:
            continue
        slots: tuple[frozenset[str], ...]
        if row.source == "psy" and "他人攻击行为" in row.kind:
            slots = (frozenset({"bullying", "violence"}),)  # as load_psysuicide maps it
        else:
            slots = tuple(frozenset({c}) for c in row.categories)
        kind = row.kind if row.source != "psy" else "+".join(PSYSUICIDE_CLASSES[k][2] for k in row.kind.split("+"))
        out.append(LabelledMessage(id=row.key, text=row.text, level=row.level, slots=slots, kind=kind))
    return out


def load_set(name: str, psysuicide: str | os.PathLike | None = None) -> list[LabelledMessage]:
    if name == "ours":
        return load_ours()
    if name == "holdout":
        return [m for m in load_ours() if m.id.startswith("holdout-")]
    if name in SET_FILES:
        return load_ours(SET_FILES[name])
    if name == "psysuicide":
        return load_psysuicide(psysuicide)
    if name in SPLIT_SETS:
        return load_split_set(name)
    raise ValueError(f"unknown set {name!r}")


def compare(
    name: str, messages: list[LabelledMessage], scanners: Mapping[str, Callable[[str], ScanResult]]
) -> dict[str, Report]:
    return {label: evaluate(name, messages, scan, label) for label, scan in scanners.items()}


def format_comparison(reports: dict[str, Report]) -> str:
    """One table: alert, categories, levels, benign alert rate; one column group per scanner."""
    labels = [label for label in SCANNER_ORDER if label in reports]
    labels += [label for label in reports if label not in SCANNER_ORDER]
    first = reports[labels[0]]
    lines = [
        f"== {first.name} ({first.size} messages): P/R/F1 per scanner ==",
        f"{'':<16}" + "".join(f"{label[:17]:>21}" for label in labels),
    ]

    def row(title: str, pick) -> str:
        cells = []
        for label in labels:
            c = pick(reports[label])
            cells.append(f"{c.precision:.2f}/{c.recall:.2f}/{c.f1:.2f}".rjust(21))
        return f"{title:<16}" + "".join(cells)

    lines.append(row("alert (>=2)", lambda r: r.alert))
    for category in CATEGORIES:
        support = first.categories[category].tp + first.categories[category].fn
        if support or any(reports[label].categories[category].fp for label in labels):
            lines.append(row(f"{category} ({support})", lambda r, c=category: r.categories[c]))
    for level in (1, 2, 3, 4):
        support = first.thresholds[level].tp + first.thresholds[level].fn
        lines.append(row(f"level>={level} ({support})", lambda r, lv=level: r.thresholds[lv]))
    lines.append(
        f"{'benign alerts':<16}"
        + "".join(
            f"{reports[label].benign_alert_rate:.2%} of {reports[label].benign_count}".rjust(21) for label in labels
        )
    )
    if first.exploration_alert_rate is not None:
        lines.append(
            f"{'exploration':<16}"
            + "".join(f"{reports[label].exploration_alert_rate or 0.0:.2%}".rjust(21) for label in labels)
        )
    return "\n".join(lines)


def bootstrap(
    report: Report,
    messages: list[LabelledMessage],
    scan: Callable[[str], ScanResult],
    resamples: int = 1000,
    seed: int = 12355,
) -> dict[str, tuple[float, float]]:
    """95% percentile intervals of alert P, R, F1 and the benign alert rate (messages resampled)."""
    import random

    outcomes = []
    for m in messages:
        predicted = scan(m.text).level >= ALERT_LEVEL
        outcomes.append((m.alert_expected, predicted, m.level == 0))
    rng = random.Random(seed)  # noqa: S311 - reproducible sampling, not secrets
    n = len(outcomes)
    samples: dict[str, list[float]] = {"precision": [], "recall": [], "f1": [], "benign_alert_rate": []}
    for _ in range(resamples):
        tp = fp = fn = benign = benign_alerts = 0
        for _i in range(n):
            expected, predicted, is_benign = outcomes[rng.randrange(n)]
            tp += expected and predicted
            fp += predicted and not expected
            fn += expected and not predicted
            benign += is_benign
            benign_alerts += is_benign and predicted
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        samples["precision"].append(p)
        samples["recall"].append(r)
        samples["f1"].append(2 * p * r / (p + r) if p + r else 0.0)
        samples["benign_alert_rate"].append(benign_alerts / benign if benign else 0.0)
    out = {}
    for key, values in samples.items():
        values.sort()
        out[key] = (values[int(0.025 * resamples)], values[min(resamples - 1, int(0.975 * resamples))])
    return out


def format_intervals(label: str, intervals: dict[str, tuple[float, float]]) -> str:
    parts = [f"{key.replace('_', ' ')} [{low:.3f}, {high:.3f}]" for key, (low, high) in intervals.items()]
    return f"  95% bootstrap CI, {label}: " + ", ".join(parts)
