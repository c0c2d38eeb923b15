"""The plain keyword filter the detector is measured against.

The lexicon's category terms (as written, level >= 1) in one automaton over the
raw text: no normalization, no variants, no context, no escalation. This is
what "a keyword list" does, and what evasions and hard negatives defeat.
"""

from __future__ import annotations

import ahocorasick

from .model import NO_RISK, Finding, ScanResult, make_result


class KeywordBaseline:
    __slots__ = ("_automaton", "_empty", "version")

    def __init__(self, doc: dict) -> None:
        self.version = str(doc.get("version", ""))
        terms: dict[str, list[tuple[str, int, str]]] = {}
        for category, body in doc.get("categories", {}).items():
            for group in body.get("groups", []):
                if group.get("level", 0) < 1:
                    continue
                for term in group.get("terms", []):
                    terms.setdefault(term, []).append((category, group["level"], term))
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        for term, entries in terms.items():
            automaton.add_word(term, (len(term), tuple(entries)))
        self._empty = not terms
        if self._empty:
            automaton.add_word("\x00", (1, ()))
        automaton.make_automaton()
        self._automaton = automaton

    @classmethod
    def from_lexicon(cls, doc: dict) -> KeywordBaseline:
        return cls(doc)

    def scan(self, text: str) -> ScanResult:
        if not text or self._empty:
            return NO_RISK
        findings = [
            Finding(category=category, level=level, term=term, start=end - length + 1, end=end + 1, third_party=False)
            for end, (length, entries) in self._automaton.iter(text)
            for category, level, term in entries
        ]
        return make_result(findings) if findings else NO_RISK

    def has_match(self, text: str) -> bool:
        """Just the automaton pass (the benchmark's bare-scan reference)."""
        for _ in self._automaton.iter(text):
            return True
        return False
