"""The crisis detector: a lexicon compiled into two Aho-Corasick automata plus context rules.

Pipeline for one message (docs/crisis.md has the whole story):

1. normalize (one table translate + repeat collapse, see normalize.py);
2. run the TRIGGER automaton (category terms and their pinyin / homophone
   variants); no hit -> level 0, done. That is the fast path nearly all
   messages take;
3. otherwise normalize again keeping an offset map, run the CONTEXT automaton
   (negation, fiction/homework, person cues, hyperbole/idiom exclusions and the
   category-free modifiers: method, time, means ...), and decide for every
   trigger hit whether it stands: not inside an exclusion, not inside a longer
   hit of its category, not negated, not about a story; whose it is (the youth,
   a third party, people in general);
4. the surviving hits give levels and roles; escalation rules combine roles
   (ideation + method -> plan; + time -> imminent), within the message and,
   through ConversationRisk, across the conversation's messages.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ahocorasick

from .lexicon import context_terms, lexicon_settings, validate_lexicon
from .model import CATEGORIES, NO_RISK, ConversationRisk, Finding, ScanResult, make_result
from .normalize import BOUNDARY_MARKS, SENTENCE_MARK, Normalizer, is_latin_letter

NEUTRAL = "*"  # the "category" of modifiers: their roles serve every category's rules

# Context cue kinds.
_NEGATION, _FICTION, _FIRST, _THIRD, _GENERIC, _EXCLUSION, _MODIFIER, _NOT_NEGATION, _GAME, _PURPOSE = range(10)
# Round 4: acting/role cues, reported questions and the youth's denial after them,
# farewells to a thing (永别了我的…) and what keeps such a farewell a farewell.
_ROLE, _ASKED, _DENIAL_REPLY, _FAREWELL_OBJECT, _FAREWELL_KEEP = range(10, 15)
_PERSON_PRIORITY = {_THIRD: 3, _GENERIC: 2, _FIRST: 1}
_CONTEXT_KIND_BY_LIST = {
    "negation": _NEGATION,
    "fiction": _FICTION,
    "game": _GAME,
    "first_person": _FIRST,
    "third_party": _THIRD,
    "generic_person": _GENERIC,
    "negation_exceptions": _NOT_NEGATION,
    "benign_purpose": _PURPOSE,
    "role_play": _ROLE,
    "asked": _ASKED,
    "denial_reply": _DENIAL_REPLY,
    "farewell_object": _FAREWELL_OBJECT,
    "farewell_keep": _FAREWELL_KEEP,
}

# Categories that a game cue (游戏里, 王者) suppresses even when the youth is the subject.
_GAME_SUPPRESSED = frozenset({"violence"})

# Anchors: whose words a term is.
_FIRST_EXPLICIT, _FIRST_IMPLICIT, _THIRD_PARTY, _GENERIC_PERSON = range(4)


@dataclass(frozen=True, slots=True)
class _Entry:
    category: str  # NEUTRAL for a modifier
    level: int
    role: str
    term: str  # as written in the lexicon
    third_party_max_level: int | None
    first_person_level: int | None = None  # the level when the youth explicitly says it of themself


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    category: str
    level: int
    clauses: tuple[frozenset[str], ...]
    # The same clauses as role keys ("suicide/passive", "*/method"), for a quick set test.
    clause_keys: tuple[frozenset[str], ...] = ()
    all_keys: frozenset[str] = frozenset()
    # scope "message" (round 3): checked within one message only; its roles are not
    # accumulation roles, so they never change the conversation state on their own.
    message_only: bool = False


@dataclass(slots=True)
class _Hit:
    start: int  # normalized positions
    end: int
    entry: _Entry
    anchor: int = _FIRST_IMPLICIT
    first_person_distance: int = -1  # characters between the nearest first-person cue and the term; -1: none
    level: int = 0

    @property
    def third_party(self) -> bool:
        return self.anchor == _THIRD_PARTY


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


class _PinyinTable:
    """Per-character pinyin readings, looked up once per lexicon term at compile time."""

    def __init__(self, terms: Iterable[str]) -> None:
        from pypinyin import Style, lazy_pinyin, pinyin  # compile time only

        self._lazy_pinyin = lazy_pinyin
        self._style = Style.NORMAL
        chars = sorted({ch for term in terms for ch in term if _is_cjk(ch)})
        self.readings: dict[str, list[str]] = {}
        for ch in chars:
            found = pinyin(ch, style=Style.NORMAL, heteronym=True)[0]
            self.readings[ch] = [r for r in found if r.isascii() and r.isalpha()][:3]

    def variants(self, term: str, *, initials: bool) -> set[str]:
        if not term or not all(_is_cjk(ch) and self.readings.get(ch) for ch in term):
            return set()
        # The phrase-aware reading (不 in 不想活 is bu) plus the per-character
        # readings, enough for the heteronyms teenagers actually type.
        phrase = self._lazy_pinyin(term, style=self._style)
        found = {"".join(phrase)}
        combos = itertools.islice(itertools.product(*(self.readings[ch][:2] for ch in term)), 4)
        found.update("".join(combo) for combo in combos)
        if initials and len(term) >= 2:
            found.add("".join(syllable[0] for syllable in phrase))
        return {variant for variant in found if len(variant) >= 2}


class Detector:
    """A compiled lexicon. Thread-safe for scanning: scans do not mutate the detector."""

    __slots__ = (
        "_collapsed_context",
        "_collapsed_terms",
        "_context",
        "_contextual_roles",
        "_filler_delete",
        "_filler_dense",
        "_fillers",
        "_gap_chars",
        "_gap_max",
        "_gapped",
        "_gapped_exclusions",
        "_generic_categories",
        "_has_context",
        "_has_gapped",
        "_has_triggers",
        "_normalizer",
        "_rule_roles",
        "_rules",
        "_settings",
        "_short_keys",
        "_triggers",
        "_wake",
        "version",
    )

    # Set once by from_lexicon (which bypasses __init__), read-only afterwards.
    version: str
    _settings: dict[str, Any]  # lexicon_settings(): the lexicon's settings over the defaults
    _gap_chars: frozenset[str]  # what may stand between a negation cue and a term
    _generic_categories: frozenset[str]
    _normalizer: Normalizer
    _collapsed_terms: dict[str, str]  # term -> its normalization that collapsed a repeat
    _collapsed_context: frozenset[str]
    _fillers: frozenset[str]
    _filler_delete: dict[int, None]  # str.translate table deleting the fillers
    _gap_max: int
    _gapped: ahocorasick.Automaton  # skeleton -> ((core, lead, trail, entries), ...)
    _has_gapped: bool
    _wake: ahocorasick.Automaton  # the fast path: skeletons of every trigger key
    _short_keys: tuple[str, ...]  # trigger keys too short for _wake, checked as substrings
    _filler_dense: list[int | None]  # dense str.translate table deleting the fillers
    _gapped_exclusions: ahocorasick.Automaton
    _contextual_roles: frozenset[str]
    _rule_roles: frozenset[str]
    _triggers: ahocorasick.Automaton  # key -> (_Entry, ...)
    _context: ahocorasick.Automaton  # key -> ((kind, _Entry | None), ...)
    _has_triggers: bool
    _has_context: bool
    _rules: tuple[_Rule, ...]

    def __init__(self) -> None:  # use from_lexicon
        raise TypeError("use Detector.from_lexicon(doc)")

    @classmethod
    def from_lexicon(cls, doc: dict) -> Detector:
        problems = validate_lexicon(doc)
        if problems:
            raise ValueError("invalid lexicon: " + "; ".join(problems[:10]))
        self = object.__new__(cls)
        self.version = doc["version"]
        settings = lexicon_settings(doc)
        self._settings = settings
        self._gap_chars = frozenset(settings["negation_gap_chars"])
        self._generic_categories = frozenset(settings["generic_person_categories"])
        variants = doc.get("variants", {})
        self._normalizer = Normalizer(
            emoji=variants.get("emoji", {}), char_overrides=variants.get("char_overrides", {})
        )
        normalize = self._normalizer.normalize
        aliases = [(normalize(h["canonical"]), normalize(h["alias"])) for h in variants.get("homophones", [])]
        aliases = [(canonical, alias) for canonical, alias in aliases if canonical and alias]

        def forms(term: str) -> set[str]:
            """A term as normalized, plus every homophone/alias spelling of it."""
            base = normalize(term)
            found = {base} if base else set()
            for canonical, alias in aliases:
                if canonical in base:
                    found.add(base.replace(canonical, alias))
            return found

        pinyin_terms = [
            t for cat in doc["categories"].values() for g in cat["groups"] if g.get("pinyin") for t in g["terms"]
        ]
        pinyin = _PinyinTable(normalize(t) for t in pinyin_terms) if pinyin_terms else None

        # Terms whose normalization collapsed a repeated character (天天打我 -> 天打我): such a
        # hit only counts where the message really repeated it, else 今天打我电话 holds 天打我.
        translate_only = self._normalizer.table
        self._collapsed_terms = {}
        trigger_keys: dict[str, list[_Entry]] = {}
        for category, body in doc["categories"].items():
            for group in body["groups"]:
                for term in group["terms"]:
                    entry = _Entry(
                        category=category,
                        level=group["level"],
                        role=group["role"],
                        term=term,
                        third_party_max_level=group.get("third_party_max_level"),
                        first_person_level=group.get("first_person_level"),
                    )
                    keys = forms(term)
                    collapsed = normalize(term)
                    if collapsed != term.translate(translate_only) and _is_cjk(collapsed[:1]):
                        self._collapsed_terms[term] = collapsed
                    if pinyin is not None and group.get("pinyin"):
                        keys |= {
                            normalize(v) for v in pinyin.variants(normalize(term), initials=bool(group.get("initials")))
                        }
                    for key in keys:
                        bucket = trigger_keys.setdefault(key, [])
                        if entry not in bucket:
                            bucket.append(entry)

        context_keys: dict[str, list[tuple[int, _Entry | None]]] = {}

        def add_context(term: str, kind: int, entry: _Entry | None = None) -> None:
            for key in forms(term):
                bucket = context_keys.setdefault(key, [])
                if (kind, entry) not in bucket:
                    bucket.append((kind, entry))

        context = doc.get("context", {})
        plain_context: set[str] = set()
        collapsed_context: set[str] = set()
        for list_name, kind in _CONTEXT_KIND_BY_LIST.items():
            for term in context_terms(context.get(list_name, [])):
                add_context(term, kind)
                key = normalize(term)
                (collapsed_context if key != term.translate(self._normalizer.table) else plain_context).add(key)
        # Person and other cues written with a repeat (奶奶, 哥哥) are stored collapsed (奶, 哥):
        # they count only where the message repeats the character (奶奶, not 奶茶).
        self._collapsed_context = frozenset(k for k in collapsed_context - plain_context if _is_cjk(k[:1]))
        for terms in context.get("exclusions", {}).values():
            for term in terms:
                add_context(term, _EXCLUSION)
        for group in doc.get("modifiers", []):
            for term in group["terms"]:
                add_context(
                    term,
                    _MODIFIER,
                    _Entry(category=NEUTRAL, level=0, role=group["role"], term=term, third_party_max_level=None),
                )

        # A rule made only of modifier roles (吞了 + 安眠药) must be able to wake the
        # detector although no category term is present: the terms of its first
        # clause's roles join the trigger automaton, with no entries of their own.
        category_roles: dict[str, set[str]] = {}
        for category, body in doc["categories"].items():
            category_roles[category] = {group["role"] for group in body["groups"]}
        wake_roles: set[str] = set()
        for rule in doc.get("escalations", []):
            if not any(
                role in category_roles.get(rule["category"], set()) for clause in rule["requires"] for role in clause
            ):
                wake_roles.update(rule["requires"][0])
        for group in doc.get("modifiers", []):
            if group["role"] in wake_roles:
                for term in group["terms"]:
                    for key in forms(term):
                        trigger_keys.setdefault(key, [])

        # Gap-tolerant matching (docs/crisis.md): the trigger keys with their filler
        # characters removed ("skeletons") in a second automaton, run over the message
        # with its filler characters removed. A skeleton hit is a candidate; it counts
        # when the message span holds the whole key in order with at most gap_max
        # fillers inserted (checked only for candidates, in _gap_hits).
        fillers = frozenset(settings["gap_chars"]) - BOUNDARY_MARKS
        self._fillers = fillers
        self._filler_delete = {ord(ch): None for ch in fillers}
        self._gap_max = settings["gap_max"]
        gap_min = max(settings["gap_min_length"], 2)

        def gap_automaton(keys: Iterable[tuple[str, tuple]]) -> tuple[ahocorasick.Automaton, bool]:
            gapped: dict[str, list[tuple]] = {}
            filler_text = "".join(fillers)
            for key, payload in keys:
                if not all(_is_cjk(ch) for ch in key):
                    continue
                lead = len(key) - len(key.lstrip(filler_text))
                trail = len(key) - len(key.rstrip(filler_text))
                core = key[lead : len(key) - trail]
                skeleton = core.translate(self._filler_delete)
                if len(key) < gap_min or len(skeleton) < 2 or self._gap_max <= 0:
                    continue
                gapped.setdefault(skeleton, []).append((core, key[:lead], key[len(key) - trail :], payload))
            return _build_automaton({k: tuple(v) for k, v in gapped.items()}, min_latin=0), bool(gapped)

        self._gapped, self._has_gapped = gap_automaton((k, tuple(v)) for k, v in trigger_keys.items() if v)
        # The fast path is ONE automaton pass over the message with its fillers removed:
        # the skeleton of every trigger key (a key found exactly has its skeleton in the
        # message's skeleton too), so exact and gapped candidates wake the analysis alike.
        # Keys whose skeleton is under two characters (吞了, 死了就好了) would wake on a
        # single character; they are checked as plain substrings instead.
        wake_keys: dict[str, tuple] = {}
        short_keys: list[str] = []
        for key in trigger_keys:
            skeleton = key.translate(self._filler_delete)
            if len(skeleton) >= 2 or (skeleton and not all(_is_cjk(ch) for ch in skeleton)):
                wake_keys[skeleton] = ()
            else:
                short_keys.append(key)
        self._wake = _build_automaton(wake_keys, min_latin=0)
        self._short_keys = tuple(short_keys)
        filler_dense: list[int | None] = list(range(0x30000))
        for ch in fillers:
            filler_dense[ord(ch)] = None
        self._filler_dense = filler_dense
        # Exclusions tolerate the same fillers (打我自己的脸 is inside 打自己的脸).
        self._gapped_exclusions, _ = gap_automaton(
            (k, ()) for k, v in context_keys.items() if any(kind == _EXCLUSION for kind, _e in v)
        )
        self._contextual_roles = frozenset(settings["contextual_roles"])
        # Roles that matter for accumulation: those of rules checked across a conversation.
        self._rule_roles = frozenset(
            role
            for rule in doc.get("escalations", [])
            if rule.get("scope", "conversation") == "conversation"
            for clause in rule["requires"]
            for role in clause
        )

        min_latin = settings["latin_substring_min_length"]
        self._triggers = _build_automaton({k: tuple(v) for k, v in trigger_keys.items()}, min_latin)
        self._context = _build_automaton({k: tuple(v) for k, v in context_keys.items()}, min_latin)
        self._has_triggers = bool(trigger_keys)
        self._has_context = bool(context_keys)
        rules = []
        for r in doc.get("escalations", []):
            clause_keys = tuple(
                frozenset(key for role in clause for key in (f"{r['category']}/{role}", f"{NEUTRAL}/{role}"))
                for clause in r["requires"]
            )
            rules.append(
                _Rule(
                    name=r["name"],
                    category=r["category"],
                    level=r["level"],
                    clauses=tuple(frozenset(clause) for clause in r["requires"]),
                    clause_keys=clause_keys,
                    all_keys=frozenset().union(*clause_keys),
                    message_only=r.get("scope", "conversation") == "message",
                )
            )
        self._rules = tuple(rules)
        return self

    # -- public scanning API -------------------------------------------------

    def normalize(self, text: str) -> str:
        """The normalized text the automata see (for debugging and the lexicon editor)."""
        return self._normalizer.normalize(text)

    def normalize_with_offsets(self, text: str) -> tuple[str, list[int], list[int]]:
        """The normalized text and, per character, where in ``text`` it came from (normalize.py)."""
        return self._normalizer.normalize_with_offsets(text)

    def scan(self, text: str) -> ScanResult:
        """One message, no memory. Most messages return after one translate and one automaton pass."""
        if not text or not self._has_triggers:
            return NO_RISK
        if self._wakes(self._normalizer.normalize(text)):
            return self._analyze(text, None)  # a candidate: _analyze decides
        return NO_RISK

    def scan_normalized(self, text: str, normalized: str, risk: ConversationRisk | None = None) -> ScanResult:
        """``scan`` / ``scan_in_conversation`` for a caller that has normalized the text already.

        The fused detector (fusion.py) normalizes once for the lexicon and the model.
        ``normalized`` must be ``self.normalize(text)``.
        """
        if not text or not self._has_triggers:
            return NO_RISK
        if self._wakes(normalized):
            return self._analyze(text, risk)
        if risk is not None and self._has_context:
            for _end, (_length, _left, _right, cues) in self._context.iter(normalized):
                if any(kind == _MODIFIER and entry.role in self._rule_roles for kind, entry in cues):
                    return self._analyze(text, risk)
        return NO_RISK

    def scan_in_conversation(self, text: str, risk: ConversationRisk) -> ScanResult:
        """Scan one youth message of a conversation; ``risk`` is updated in place.

        The result's level includes escalations that this message completes together
        with roles remembered from earlier messages (a method named earlier, a time
        named now -> imminent). A message that completes nothing new is scored on
        its own, so an alert is not re-raised for every later message.
        ``risk`` changes only when the message shows something that matters for
        accumulation (see ``_matters``); otherwise it is left exactly as it was.
        """
        if not text or not self._has_triggers:
            return NO_RISK
        normalized = self._normalizer.normalize(text)
        if self._wakes(normalized):
            return self._analyze(text, risk)
        # No category term, but a modifier (a method, a time) may still matter later
        # in this conversation, so it is remembered.
        if self._has_context:
            for _end, (_length, _left, _right, cues) in self._context.iter(normalized):
                if any(kind == _MODIFIER and entry.role in self._rule_roles for kind, entry in cues):
                    return self._analyze(text, risk)
        return NO_RISK

    # -- analysis ------------------------------------------------------------

    def _analyze(self, text: str, risk: ConversationRisk | None) -> ScanResult:
        normalized, starts, ends = self._normalizer.normalize_with_offsets(text)
        hits: list[_Hit] = []
        for end_index, (length, left, right, entries) in self._triggers.iter(normalized):
            start = end_index - length + 1
            if (left or right) and not self._latin_alone(text, starts, ends, start, end_index + 1, left, right):
                continue
            hits.extend(_Hit(start, end_index + 1, entry) for entry in entries)
        skeleton_view = None
        if self._has_gapped:
            positions = [i for i, ch in enumerate(normalized) if ch not in self._fillers]
            skeleton_view = (positions, "".join([normalized[i] for i in positions]))
            hits.extend(
                _Hit(start, end, entry)
                for start, end, entries in self._gap_spans(normalized, skeleton_view, self._gapped)
                for entry in entries
            )

        negation_spans: list[tuple[int, int]] = []
        not_negation_spans: list[tuple[int, int]] = []
        fiction_positions: list[int] = []
        game_positions: list[int] = []
        persons: list[tuple[int, int, int]] = []  # (start, end, kind)
        exclusions: list[tuple[int, int]] = []
        modifiers: list[_Hit] = []
        purpose_positions: list[int] = []
        role_ends: list[int] = []
        asked_ends: list[int] = []
        denial_starts: list[int] = []
        farewell_objects: list[tuple[int, int]] = []
        farewell_keeps: list[int] = []
        for end_index, (length, left, right, cues) in self._context.iter(normalized):
            start, end = end_index - length + 1, end_index + 1
            if (left or right) and not self._latin_alone(text, starts, ends, start, end, left, right):
                continue
            if (
                self._collapsed_context
                and normalized[start:end] in self._collapsed_context
                and all(ends[j] - starts[j] < 2 for j in range(start, end))
            ):
                continue
            for kind, entry in cues:
                if kind == _NEGATION:
                    negation_spans.append((start, end))
                elif kind == _NOT_NEGATION:
                    not_negation_spans.append((start, end))
                elif kind == _FICTION:
                    fiction_positions.append(start)
                elif kind == _GAME:
                    fiction_positions.append(start)
                    game_positions.append(start)
                elif kind == _EXCLUSION:
                    exclusions.append((start, end))
                elif kind == _MODIFIER:
                    modifiers.append(_Hit(start, end, entry))
                elif kind == _PURPOSE:
                    purpose_positions.append(start)
                elif kind == _ROLE:
                    role_ends.append(end)
                elif kind == _ASKED:
                    asked_ends.append(end)
                elif kind == _DENIAL_REPLY:
                    denial_starts.append(start)
                elif kind == _FAREWELL_OBJECT:
                    farewell_objects.append((start, end))
                elif kind == _FAREWELL_KEEP:
                    farewell_keeps.append(start)
                else:
                    persons.append((start, end, kind))

        if skeleton_view is not None:
            exclusions.extend(
                (start, end) for start, end, _ in self._gap_spans(normalized, skeleton_view, self._gapped_exclusions)
            )

        # 有没有, 是不是, 会不会: a question, not a denial; the 没/不 inside is no negation cue.
        negation_ends = [
            end
            for start, end in negation_spans
            if not any(q_start <= start and end <= q_end for q_start, q_end in not_negation_spans)
        ]
        sentence_marks = [i for i, ch in enumerate(normalized) if ch == SENTENCE_MARK]

        def sentence_of(position: int) -> int:
            return bisect.bisect_right(sentence_marks, position)

        fiction_sentences = {sentence_of(p) for p in fiction_positions}
        game_sentences = {sentence_of(p) for p in game_positions}
        # An everyday purpose (烧烤, 跳绳, 美术课) in the sentence: its means words (炭, 绳子,
        # 小刀, 买好了) are about that purpose, so modifiers there lend no role.
        purpose_sentences = {sentence_of(p) for p in purpose_positions}
        content_length = sum(1 for ch in normalized if ch not in BOUNDARY_MARKS)

        negated_spans: list[tuple[int, int, str]] = []
        first_positions = [p_start for p_start, _, kind in persons if kind == _FIRST] if role_ends else []
        # A farewell to a thing (永别了我的长头发): the lead is an exclusion unless a person
        # or the world follows it (永别了我的朋友们, 永别了我的世界 stays a farewell).
        for fo_start, fo_end in farewell_objects:
            if not any(fo_end <= k <= fo_end + 2 for k in farewell_keeps) and not any(
                fo_end <= p_start <= fo_end + 2 for p_start, _, kind in persons if kind in (_THIRD, _GENERIC)
            ):
                exclusions.append((fo_start, fo_end))

        # Category terms the context rules dropped, as "reason:term": the fusion rule
        # (fusion.py) lets the model overrule such a judgement only when it is very sure.
        suppressed: list[str] = []

        def dropped(hit: _Hit, reason: str) -> bool:
            if hit.entry.category != NEUTRAL:
                suppressed.append(f"{reason}:{hit.entry.term}")
            return False

        def stands(hit: _Hit) -> bool:
            """Exclusion, negation, person anchor, fiction: sets hit.anchor, says whether it counts."""
            for ex_start, ex_end in exclusions:
                if ex_start <= hit.start and hit.end <= ex_end:
                    return dropped(hit, "exclusion")
            collapsed = self._collapsed_terms.get(hit.entry.term)
            if (
                collapsed is not None
                and normalized[hit.start : hit.end] == collapsed
                and all(ends[j] - starts[j] < 2 for j in range(hit.start, hit.end))
            ):
                return False  # 天天打我 compiles to 天打我; 今天打我 repeats nothing
            sentence = sentence_of(hit.start)
            # Reported speech answered with a denial (老师问我想不想死，我说没有): the term is the question.
            if (
                asked_ends
                and denial_starts
                and any(a_end <= hit.start and sentence_of(a_end - 1) == sentence for a_end in asked_ends)
                and any(d_start >= hit.end and sentence_of(d_start) == sentence for d_start in denial_starts)
            ):
                return dropped(hit, "asked_and_denied")
            # Acting a part (我演一个想自杀的女孩): the role beats the 我 inside the cue; a 我 after
            # the role cue (…，其实我自己也想死) is the youth again.
            for r_end in role_ends:
                if (
                    r_end <= hit.start
                    and sentence_of(r_end - 1) == sentence
                    and not any(r_end <= f < hit.start for f in first_positions)
                ):
                    return dropped(hit, "role_play")
            if self._negated(normalized, hit.start, negation_ends):
                negated_spans.append((hit.start, hit.end, hit.entry.category))
                return dropped(hit, "negated")
            # A term that begins inside a negated term of its category is part of the same
            # denied phrase: 没有[想死]的念头 denies 死的念头 too.
            for n_start, n_end, n_category in negated_spans:
                if n_category == hit.entry.category and n_start < hit.start < n_end:
                    return dropped(hit, "negated")
            if purpose_sentences and hit.entry.category == NEUTRAL and sentence_of(hit.start) in purpose_sentences:
                return False
            hit.anchor, hit.first_person_distance = self._anchor(hit, persons, sentence_of, normalized)
            if (
                hit.first_person_distance < 0
                and hit.anchor == _FIRST_IMPLICIT
                and hit.end - hit.start == content_length
            ):
                hit.first_person_distance = 0  # the whole message is the term (自杀): said of oneself
            # In a game, killing and dying are play, whoever says it (游戏里我杀了他三次).
            if game_sentences and hit.entry.category in _GAME_SUPPRESSED and sentence_of(hit.start) in game_sentences:
                return dropped(hit, "game")
            # In a sentence about a story, only what the youth says close to a 我 is about them
            # (看完这部电影我也想死), not 我看了一部关于自杀的电影.
            if fiction_sentences and sentence_of(hit.start) in fiction_sentences and not self._close_first(hit):
                return dropped(hit, "fiction")
            return True

        hits = _drop_contained(hits)
        hits.sort(key=lambda h: (h.start, -h.end))  # negated terms first, for the overlap check in stands()
        kept = [hit for hit in hits if stands(hit)]
        kept_modifiers = [hit for hit in modifiers if stands(hit)]

        findings: list[Finding] = []
        levels: dict[str, int] = {}
        for hit in kept:
            level = hit.entry.level
            if hit.entry.first_person_level is not None and self._close_first(hit):
                level = max(level, hit.entry.first_person_level)  # 我不敢自杀: the word said of oneself
            if hit.anchor == _THIRD_PARTY and hit.entry.third_party_max_level is not None:
                level = min(level, hit.entry.third_party_max_level)
            elif hit.anchor == _GENERIC_PERSON and hit.entry.category in self._generic_categories:
                if level >= 2:
                    suppressed.append(f"generic_person:{hit.entry.term}")
                level = min(level, 1)  # people in general, "you": a topic, not a report
            hit.level = level
            if level >= 1:
                findings.append(
                    self._finding(
                        hit.entry.category, level, hit.entry.term, hit.start, hit.end, hit.third_party, starts, ends
                    )
                )
                if level > levels.get(hit.entry.category, 0):
                    levels[hit.entry.category] = level

        # Roles present in this message. A generic mention ("people who ...") lends no role.
        message_roles: dict[str, list[_Hit]] = {}
        for hit in kept:
            if hit.anchor != _GENERIC_PERSON or hit.entry.category not in self._generic_categories:
                message_roles.setdefault(f"{hit.entry.category}/{hit.entry.role}", []).append(hit)
        for hit in kept_modifiers:
            message_roles.setdefault(f"{NEUTRAL}/{hit.entry.role}", []).append(hit)

        ordinal = 0
        remembered: dict[str, int] = {}
        if risk is not None:
            ordinal = risk.relevant_messages + 1
            window = self._settings["accumulation_window"]
            remembered = {key: seen for key, seen in risk.roles.items() if ordinal - seen <= window}

        message_keys = message_roles.keys()
        remembered_keys = remembered.keys()
        for rule in self._rules:
            current = levels.get(rule.category, 0)
            if rule.level <= current or rule.all_keys.isdisjoint(message_keys):
                continue  # this message must satisfy at least one clause itself
            if rule.message_only:
                if not all(not keys.isdisjoint(message_keys) for keys in rule.clause_keys):
                    continue
            elif not all(
                not keys.isdisjoint(message_keys) or not keys.isdisjoint(remembered_keys) for keys in rule.clause_keys
            ):
                continue
            contributing = self._satisfy(rule, message_roles, None)
            if contributing is None and risk is not None and not rule.message_only:
                if self._satisfy(rule, {}, remembered) is not None:
                    continue  # already complete before this message: not news
                contributing = self._satisfy(rule, message_roles, remembered)
            if not contributing:
                continue
            category_hits = [h for h in contributing if h.entry.category != NEUTRAL]
            third_party = bool(category_hits) and all(h.third_party for h in category_hits)
            if risk is not None and not category_hits:
                # The category side came from earlier messages: it is third-party if it was then.
                third_party = any(
                    key in risk.third_party_roles for key in remembered if key.startswith(rule.category + "/")
                )
            start = min(h.start for h in contributing)
            end = max(h.end for h in contributing)
            findings.append(
                self._finding(rule.category, rule.level, f"rule:{rule.name}", start, end, third_party, starts, ends)
            )
            levels[rule.category] = rule.level

        if risk is not None and self._matters(message_roles, levels, remembered):
            self._remember(risk, ordinal, message_roles, levels)
        return make_result(findings, suppressed)

    # -- helpers ---------------------------------------------------------------

    def _wakes(self, normalized: str) -> bool:
        """Whether a trigger key may be in the message, exactly or with fillers inside."""
        for _ in self._wake.iter(normalized.translate(self._filler_dense)):
            return True
        return any(key in normalized for key in self._short_keys)

    def _gap_spans(
        self, normalized: str, skeleton_view: tuple[list[int], str], automaton: ahocorasick.Automaton
    ) -> list[tuple[int, int, tuple]]:
        """Keys found with filler characters inside them (活着[真的好]没意思): (start, end, payload).

        Exact matches are left to the exact automata; a key whose own fillers are
        missing from the message (活着好累 vs 活着累) does not match.
        """
        positions, skeleton = skeleton_view
        found: list[tuple[int, int, tuple]] = []
        for end_index, (length, _left, _right, variants) in automaton.iter(skeleton):
            a = positions[end_index - length + 1]
            b = positions[end_index] + 1
            span = normalized[a:b]
            for core, lead, trail, entries in variants:
                extra = len(span) - len(core)
                if not 0 < extra <= self._gap_max or not _is_subsequence(core, span):
                    continue
                start, end = a - len(lead), b + len(trail)
                if start < 0 or normalized[start:a] != lead or normalized[b:end] != trail:
                    continue
                found.append((start, end, entries))
        return found

    def _matters(
        self, message_roles: dict[str, list[_Hit]], levels: dict[str, int], remembered: dict[str, int]
    ) -> bool:
        """Whether this message changes the conversation's state (docs/crisis.md, Accumulation).

        It does when it shows a role some rule uses that is not merely a time (a method,
        means, plan, ideation, victim ... role), or reaches an alert level; a time/now
        role alone only when the conversation already holds such a role within the
        window, the message has a finding of its own, or the conversation has never
        mentioned a time (one write per conversation). Everything else (a second 今晚要补作业,
        明天考试) leaves the state as it was, so the chat skips the database write.
        """
        if any(level >= 2 for level in levels.values()):
            return True
        contextual = self._contextual_roles
        rule_roles = self._rule_roles
        has_contextual = False
        for key in message_roles:
            role = key.split("/", 1)[1]
            if role in contextual:
                has_contextual = True
            elif role in rule_roles:
                return True
        if not has_contextual:
            return False
        if levels:
            return True
        # The first time a conversation mentions a time ("今晚我一个人在家") it is remembered,
        # so a method named later still makes it imminent; later mentions write nothing.
        if any(key.split("/", 1)[1] in contextual and key not in remembered for key in message_roles):
            return True
        return any(key.split("/", 1)[1] in rule_roles and key.split("/", 1)[1] not in contextual for key in remembered)

    @staticmethod
    def _satisfy(
        rule: _Rule, message_roles: dict[str, list[_Hit]], remembered: dict[str, int] | None
    ) -> list[_Hit] | None:
        """The hits of this message that complete ``rule``, or None if it is not complete.

        With ``remembered``, a clause may also be satisfied by a role from earlier
        messages; at least one clause must then be satisfied by this message
        (the caller checks that the old roles alone do not complete the rule).
        """
        contributing: list[_Hit] = []
        for clause in rule.clauses:
            found_here: list[_Hit] | None = None
            found_before = False
            for role in clause:
                for key in (f"{rule.category}/{role}", f"{NEUTRAL}/{role}"):
                    if key in message_roles and found_here is None:
                        found_here = message_roles[key]
                    if remembered is not None and key in remembered:
                        found_before = True
            if found_here is not None:
                contributing.append(found_here[0])
            elif not found_before:
                return None
        return contributing

    def _remember(
        self, risk: ConversationRisk, ordinal: int, message_roles: dict[str, list[_Hit]], levels: dict[str, int]
    ) -> None:
        risk.relevant_messages = ordinal
        risk.lexicon_version = self.version
        for key, role_hits in message_roles.items():
            risk.roles[key] = ordinal
            if role_hits and all(h.third_party for h in role_hits):
                risk.third_party_roles.add(key)
            else:
                risk.third_party_roles.discard(key)
        window = self._settings["accumulation_window"]
        for key in [k for k, seen in risk.roles.items() if ordinal - seen >= window]:
            del risk.roles[key]
            risk.third_party_roles.discard(key)
        for category, level in levels.items():
            if level > risk.category_peaks.get(category, 0):
                risk.category_peaks[category] = level
        risk.peak_level = max([risk.peak_level, *levels.values()])

    def _negated(self, normalized: str, start: int, negation_ends: list[int]) -> bool:
        max_gap = self._settings["negation_max_gap"]
        gap_chars = self._gap_chars
        for cue_end in negation_ends:
            if (
                cue_end <= start
                and start - cue_end <= max_gap
                and all(ch in gap_chars for ch in normalized[cue_end:start])
            ):
                return True
        return False

    def _anchor(self, hit: _Hit, persons: list[tuple[int, int, int]], sentence_of, normalized: str) -> tuple[int, int]:
        """Whose words: (anchor, distance to the nearest first-person cue or -1)."""
        nearest: tuple[int, int, int] | None = None
        sentence = sentence_of(hit.start)
        window = self._settings["person_window"]
        for start, end, kind in persons:
            # A first-person word inside the term itself (打我, 杀了我) fixes whose it is.
            if kind == _FIRST and hit.start <= start and end <= hit.end:
                return _FIRST_EXPLICIT, 0
            if (
                end <= hit.start
                and hit.start - end <= window
                and sentence_of(max(start, end - 1)) == sentence
                and (nearest is None or (end, _PERSON_PRIORITY[kind]) > (nearest[1], _PERSON_PRIORITY[nearest[2]]))
            ):
                nearest = (start, end, kind)
        if nearest is None:
            return _FIRST_IMPLICIT, -1  # Chinese drops the subject: the youth is speaking of themself
        distance = hit.start - nearest[1]
        same_clause = not any(ch in BOUNDARY_MARKS for ch in normalized[nearest[1] : hit.start])
        if nearest[2] == _FIRST:
            # The distance only counts inside one clause: 我只是想知道，自杀的人... is not about the youth.
            return _FIRST_EXPLICIT, distance if same_clause else -1
        if nearest[2] == _THIRD:
            return _THIRD_PARTY, -1
        # "you", "people": only as the immediate subject in the same clause (有人想自杀吗);
        # further back (所有人都冷漠，想去死) the youth has moved on to themself.
        if same_clause and distance <= self._settings["generic_person_window"]:
            return _GENERIC_PERSON, -1
        return _FIRST_IMPLICIT, -1

    def _close_first(self, hit: _Hit) -> bool:
        return 0 <= hit.first_person_distance <= self._settings["first_person_window"]

    def _latin_alone(
        self, text: str, starts: list[int], ends: list[int], start: int, end: int, left: bool, right: bool
    ) -> bool:
        """A short Latin variant (zs) must not be part of a longer Latin word in the original text."""
        table = self._normalizer.table
        if left:
            before = starts[start] - 1
            if before >= 0 and _latin_in(text[before], table):
                return False
        if right:
            after = ends[end - 1]
            if after < len(text) and _latin_in(text[after], table):
                return False
        return True

    @staticmethod
    def _finding(
        category: str,
        level: int,
        term: str,
        start: int,
        end: int,
        third_party: bool,
        starts: list[int],
        ends: list[int],
    ) -> Finding:
        return Finding(
            category=category, level=level, term=term, start=starts[start], end=ends[end - 1], third_party=third_party
        )


def _is_subsequence(needle: str, haystack: str) -> bool:
    characters = iter(haystack)
    return all(ch in characters for ch in needle)


def _latin_in(ch: str, table: dict[int, str | None]) -> bool:
    mapped = table.get(ord(ch), ch) or ""
    return any(is_latin_letter(c) for c in mapped)


def _drop_contained(hits: list[_Hit]) -> list[_Hit]:
    """A term inside a longer term of the same category says less: 自杀 inside 想自杀 goes."""
    if len(hits) < 2:
        return hits
    kept: list[_Hit] = []
    for hit in hits:
        length = hit.end - hit.start
        if any(
            other is not hit
            and other.entry.category == hit.entry.category
            and other.start <= hit.start
            and hit.end <= other.end
            and other.end - other.start > length
            for other in hits
        ):
            continue
        kept.append(hit)
    return kept


def _latin_run(key: str, from_left: bool) -> int:
    chars = key if from_left else reversed(key)
    run = 0
    for ch in chars:
        if not is_latin_letter(ch):
            break
        run += 1
    return run


def _build_automaton(keys: dict[str, tuple], min_latin: int) -> ahocorasick.Automaton:
    """min_latin 0: no Latin-word checks (the gap automaton holds Chinese keys only)."""
    automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
    for key, payload in keys.items():
        left_run, right_run = _latin_run(key, True), _latin_run(key, False)
        needs_left = 0 < left_run < min_latin
        needs_right = 0 < right_run < min_latin
        automaton.add_word(key, (len(key), needs_left, needs_right, payload))
    if len(automaton) == 0:
        automaton.add_word("\x00", (1, False, False, ()))  # make_automaton needs one key
    automaton.make_automaton()
    return automaton


__all__ = ["CATEGORIES", "Detector"]
