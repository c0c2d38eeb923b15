"""Lexicon + learned model: the one place where their verdicts are combined (docs/crisis.md, "Fusion").

The rule, in order:

1. The lexicon runs as before (normalization, negation, idioms, hyperbole, fiction,
   persons, escalation rules, accumulation) and its levels stand: the model never
   lowers a level.
2. The model's gate (P(alert)) is scored for every message; the other heads when the
   gate reaches ``floor`` or the lexicon found anything.
3. The model raises a category the lexicon left below 2 to **2** when P(alert) >=
   ``alert``; >= ``concern`` (lower) when the lexicon found a level-1 word (a topic
   word, distress) that corroborates it. Where the lexicon *dropped* a term of the
   message (negated, inside an idiom/hyperbole exclusion, fiction, game, acting, a
   question answered no, people in general), the sentences holding it are taken out and
   the model judges only the rest (``FusedDetector.evidence``): the lexicon's context
   judgement holds for its sentence. The category is the model's top category head,
   and its own probability must reach ``category`` too (two heads must agree).
4. A model alert is **3** when P(level >= 3) >= ``high`` (plan, preparation, method,
   attempt, decision), and **4** when also P(level 4) >= ``imminent``; otherwise the
   lexicon's explicit imminence (means + time, an act in progress) is what makes 4.
5. In a conversation, a model alert is remembered as a role of its category (suicide:
   ``passive`` at 2, ``ideation`` at 3; self-harm ``behaviour``; the others ``victim``
   or ``disclosure``), so the lexicon's escalation rules combine it with methods,
   means and times named in other messages exactly like a lexicon term.

A result carries ``model`` (the ModelScore) whenever the model could matter — the lexicon
found something or the gate reached ``floor`` — and, for a level the model raised, a
Finding whose term is ``model:<version>`` spanning the n-gram that weighed most.
"""

from __future__ import annotations

import dataclasses

from crisis.model.classifier import ngrams

from .detector import Detector
from .model import ConversationRisk, Finding, ScanResult, make_result
from .normalize import SENTENCE_MARK

# Below this many normalized characters the model alone raises nothing (kms and 想死 still
# count: the lexicon finds them).
MODEL_MIN_CHARS = 3

# The lexicon role a model alert stands for in accumulation, per category and level.
_MODEL_ROLES = {
    "suicide": {2: "passive", 3: "ideation"},
    "self_harm": {2: "behaviour", 3: "behaviour"},
    "bullying": {2: "victim", 3: "victim"},
    "sexual_abuse": {2: "disclosure", 3: "disclosure"},
    "violence": {2: "victim", 3: "victim"},
    "fraud": {2: "scam_contact", 3: "scam_contact"},
}


class FusedDetector:
    """The detector every process uses: a compiled lexicon and a loaded model.

    Same scanning API as Detector (``scan``, ``scan_in_conversation``, ``normalize``,
    ``version`` = the lexicon version); ``model_version`` names the model.
    """

    __slots__ = ("_floor", "_normalize", "_orders", "_thresholds", "lexicon", "model", "model_version", "version")

    def __init__(self, lexicon: Detector, model) -> None:
        self.lexicon = lexicon
        self.model = model
        self.version = lexicon.version
        self.model_version = model.version
        self._normalize = lexicon.normalize
        self._thresholds = model.thresholds
        self._floor = model.thresholds["floor"]
        self._orders = model.orders

    def normalize(self, text: str) -> str:
        return self._normalize(text)

    def scan(self, text: str) -> ScanResult:
        if not text:
            return self.lexicon.scan(text)
        normalized = self._normalize(text)  # once, for the lexicon and the model
        return self._fuse(text, normalized, self.lexicon.scan_normalized(text, normalized), None)

    def scan_in_conversation(self, text: str, risk: ConversationRisk) -> ScanResult:
        if not text:
            return self.lexicon.scan_in_conversation(text, risk)
        before = risk.relevant_messages
        normalized = self._normalize(text)
        lexical = self.lexicon.scan_normalized(text, normalized, risk)
        return self._fuse(text, normalized, lexical, risk, counted=risk.relevant_messages != before)

    # -- the rule ------------------------------------------------------------------

    def evidence(self, text: str, lexical: ScanResult, normalized: str | None = None):
        """(the model's score of the message, the score it is judged by, or None when vetoed).

        Both are None when the model is not consulted (under MODEL_MIN_CHARS, nothing found)
        or its gate stays below ``floor`` with nothing found by the lexicon: then nothing can
        be raised, and the result carries no score (``ScanResult.model`` is None).

        Where the lexicon dropped a term (negated, an idiom or hyperbole, fiction, a game,
        people in general ...), the sentences holding that term are taken out and the model
        judges the rest: the lexicon's context judgement holds for its sentence (a denial
        after a reported question, 我说才不想, is part of it), and a risk written in another
        sentence of a long message is still seen. A dropped term that
        cannot be located (it matched as a variant spelling) vetoes the model for the
        whole message.
        """
        if normalized is None:
            normalized = self._normalize(text)
        if lexical.level == 0 and len(normalized) < MODEL_MIN_CHARS:
            # 好了, 嗯嗯, ok: too little text for the model to say anything alone; not scored at all
            # (a large share of chat lines), so the result's ``model`` is None.
            return None, None
        model = self.model
        grams = ngrams(normalized, self._orders)
        if not lexical.level and not lexical.suppressed and model.gate(grams) < self._floor:
            # Most chat lines: the gate alone, below any value the rule acts on. No score object
            # is kept (the result's ``model`` is None), which is a measurable share of the cost.
            return None, None
        score = model.score("", full=True if lexical.level or lexical.suppressed else None, grams=grams)
        if not lexical.suppressed:
            return score, score
        judged = self._judged_text(normalized, lexical.suppressed)
        if judged is None:
            return score, None
        return score, model.score("", full=True, grams=ngrams(judged, self._orders))

    def _with_cues(self, normalized: str, score):
        """The score with its cue n-grams, for a result the model raised (the explanation shows them)."""
        cues = self.model.cues(ngrams(normalized, self._orders), score.category)
        return dataclasses.replace(score, cues=cues)

    def _judged_text(self, normalized: str, suppressed: tuple[str, ...]) -> str | None:
        terms = {self._normalize(entry.split(":", 1)[1]) for entry in suppressed}
        clauses = [c for c in normalized.split(SENTENCE_MARK) if c]
        kept = [c for c in clauses if not any(term and term in c for term in terms)]
        if len(kept) == len(clauses) or not kept:
            return None
        return SENTENCE_MARK.join(kept)

    def _fuse(
        self, text: str, normalized: str, lexical: ScanResult, risk: ConversationRisk | None, counted: bool = False
    ) -> ScanResult:
        model = self.model
        score, judged = self.evidence(text, lexical, normalized)
        decided = decide(lexical, judged, self._thresholds) if judged is not None else None
        if decided is None:
            return lexical if score is None else _with_model(lexical, score)
        category, level = decided
        score = self._with_cues(normalized, judged)
        start, end = self._cue_span(text, score.cues)
        finding = Finding(
            category=category, level=level, term=f"model:{model.version}", start=start, end=end, third_party=False
        )
        findings = [*lexical.findings, finding]
        if risk is not None:
            _remember_model(risk, category, level, self.lexicon.version, counted)
        result = make_result(findings, lexical.suppressed)
        return ScanResult(
            level=result.level,
            categories=result.categories,
            findings=result.findings,
            suppressed=result.suppressed,
            model=score,
        )

    def _cue_span(self, text: str, cues: tuple[str, ...]) -> tuple[int, int]:
        """Where in the original text the strongest cue n-gram is (the whole text if not found)."""
        if not cues:
            return 0, len(text)
        normalized, starts, ends = self.lexicon.normalize_with_offsets(text)
        at = normalized.find(cues[0])
        if at < 0:
            return 0, len(text)
        return starts[at], ends[at + len(cues[0]) - 1]


def decide(lexical: ScanResult, score, t: dict[str, float]) -> tuple[str, int] | None:
    """The fusion rule (module docstring): the (category, level) the model raises, or None.

    Used by FusedDetector and by the threshold tuning on dev (crisis/model/train.py),
    so what is tuned is exactly what runs.
    """
    category = score.category
    if category is None:
        return None
    # Beside a lexicon level-1 word (a topic word, distress) the lower ``concern`` bar applies.
    needed = t.get("concern", t["alert"]) if lexical.level >= 1 else t["alert"]
    if score.alert < needed or score.categories[0][1] < t.get("category", 0.0):
        return None
    level = 2
    if score.high >= t["high"]:
        level = 4 if score.imminent >= t["imminent"] else 3
    current = max((f.level for f in lexical.findings if f.category == category), default=0)
    if level <= current:
        return None
    return category, level


def _with_model(result: ScanResult, score) -> ScanResult:
    return ScanResult(
        level=result.level,
        categories=result.categories,
        findings=result.findings,
        suppressed=result.suppressed,
        model=score,
    )


def _remember_model(risk: ConversationRisk, category: str, level: int, lexicon_version: str, counted: bool) -> None:
    """A model alert as a remembered role, so later messages' methods and times combine with it.

    ``counted``: the lexicon already made this message a relevant one (its ordinal is
    ``relevant_messages``); otherwise this alert makes it one.
    """
    role = _MODEL_ROLES.get(category, {}).get(min(level, 3))
    if not counted:
        risk.relevant_messages += 1
    ordinal = risk.relevant_messages
    risk.lexicon_version = lexicon_version
    if role:
        key = f"{category}/{role}"
        risk.roles[key] = ordinal
        risk.third_party_roles.discard(key)
    if level > risk.category_peaks.get(category, 0):
        risk.category_peaks[category] = level
    risk.peak_level = max(risk.peak_level, level)


class ModelOnly:
    """The model alone, levels from its thresholds (for evaluation and the benchmark only)."""

    __slots__ = ("_normalize", "model", "version")

    def __init__(self, lexicon: Detector, model) -> None:
        self.model = model
        self.version = model.version
        self._normalize = lexicon.normalize

    def scan(self, text: str) -> ScanResult:
        score = self.model.score(self._normalize(text))
        t = self.model.thresholds
        if score.alert < t["alert"] or score.category is None:
            return ScanResult(level=0, categories=(), findings=(), model=score)
        level = 2
        if score.high >= t["high"]:
            level = 4 if score.imminent >= t["imminent"] else 3
        finding = Finding(
            category=score.category,
            level=level,
            term=f"model:{self.version}",
            start=0,
            end=len(text),
            third_party=False,
        )
        return ScanResult(level=level, categories=(score.category,), findings=(finding,), model=score)
