"""Text normalization for crisis matching.

Everything per message is a table lookup done in C: one ``str.translate`` with a
per-character table, one regular expression that collapses repeated characters.
The table is built once, when a lexicon is compiled, from Unicode data (NFKC,
case, Latin diacritics), OpenCC's single-character traditional -> simplified
conversions and the lexicon's emoji and character overrides. Calling OpenCC or
``unicodedata.normalize`` per message would cost far more (see bench/).

What the table does to each character:

* full-width / compatibility forms (ＡＢＣ, ①, ｚｉｓｈａ, ⼈) -> NFKC form, lower case,
  Latin diacritics stripped (zìshā -> zisha);
* traditional -> simplified (殺 -> 杀), one character at a time;
* emoji listed in the lexicon -> their text (🔪 -> 刀);
* clause punctuation (, ; : ，；：) -> ``,`` and sentence punctuation (。!?！？… newline) -> ``。``:
  these two markers stay in the text, the context rules stop at them;
* every other punctuation mark, symbol, space, emoji and invisible character is
  deleted, so 自.杀, 自 杀, 自*杀, 自😊杀 all read 自杀.

After the table, runs of one repeated character collapse to one (死死死死 -> 死,
自自杀 -> 自杀). Lexicon terms go through the same function, so 天天打我 is stored
as 天打我 and still matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

CLAUSE_MARK = ","
SENTENCE_MARK = "。"
BOUNDARY_MARKS = frozenset((CLAUSE_MARK, SENTENCE_MARK))

# Characters (after NFKC) that end a clause or a sentence. Kept as markers because
# negation, person and fiction cues must not reach across them.
_CLAUSE_CHARS = frozenset(",;:，；：")
_SENTENCE_CHARS = frozenset("。!?！？…⋯\n\r\u2028\u2029｡")

# Code point ranges whose characters may need a table entry. Beyond 0x2FFFF
# (CJK extension G and later, tags) characters are left as they are.
_SCAN_RANGES = ((0x0000, 0x30000),)

_CJK_RANGES = (
    (0x3400, 0x4DC0),  # extension A
    (0x4E00, 0xA000),  # unified ideographs
    (0xF900, 0xFB00),  # compatibility ideographs (NFKC maps most of them first)
    (0x20000, 0x2A6E0),  # extension B
)

_REPEAT = re.compile(r"(.)\1+", re.DOTALL)
# Characters below this code point are looked up in a dense list (see Normalizer).
_DENSE_LIMIT = 0x30000


def _strip_latin_diacritics(text: str) -> str:
    """zì -> zi, but leave non-Latin letters (e.g. Japanese kana with dakuten) alone."""
    out: list[str] = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        base = decomposed[0]
        if base.isascii() and base.isalpha() and all(unicodedata.combining(c) for c in decomposed[1:]):
            out.append(base.lower())
        else:
            out.append(ch)
    return "".join(out)


def _is_dropped(ch: str) -> bool:
    """Separators: anything that is not a letter, a digit or one of our boundary marks."""
    if ch in BOUNDARY_MARKS:
        return False
    category = unicodedata.category(ch)
    # L* letters, N* numbers and Cn (unassigned here, maybe a newer letter) stay;
    # P* punctuation, S* symbols (emoji), Z* spaces, Cc/Cf/Cs/Co controls and
    # M* marks (variation selectors, combining keycaps) go.
    return category[0] in "PSZM" or category in ("Cc", "Cf", "Cs", "Co")


def build_t2s_table() -> dict[str, str]:
    """OpenCC's traditional -> simplified for single characters, computed in one call.

    Joining the characters with newlines keeps OpenCC from applying phrase rules
    across them, so each result is the character's own default conversion.
    """
    import opencc  # imported here: only lexicon compilation needs it

    converter = opencc.OpenCC("t2s")
    chars = [chr(cp) for start, stop in _CJK_RANGES for cp in range(start, stop)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - OpenCC changed how it treats newlines
        converted = [converter.convert(ch) for ch in chars]
    return {src: dst for src, dst in zip(chars, converted, strict=True) if src != dst and len(dst) == 1}


_T2S_CACHE: dict[str, str] | None = None
_BASE_TABLE_CACHE: dict[int, str | None] | None = None


def _t2s_table() -> dict[str, str]:
    global _T2S_CACHE
    if _T2S_CACHE is None:
        _T2S_CACHE = build_t2s_table()
    return _T2S_CACHE


def _base_table() -> dict[int, str | None]:
    """The lexicon-independent part of the table (Unicode + OpenCC), cached per process."""
    global _BASE_TABLE_CACHE
    if _BASE_TABLE_CACHE is not None:
        return _BASE_TABLE_CACHE
    t2s = _t2s_table()
    table: dict[int, str | None] = {}
    for start, stop in _SCAN_RANGES:
        for cp in range(start, stop):
            ch = chr(cp)
            if 0xD800 <= cp < 0xE000:  # surrogates and private use
                continue
            if ch in _CLAUSE_CHARS:
                out = CLAUSE_MARK
            elif ch in _SENTENCE_CHARS:
                out = SENTENCE_MARK
            else:
                folded = unicodedata.normalize("NFKC", ch)
                if len(folded) == 1 and folded in _CLAUSE_CHARS:
                    out = CLAUSE_MARK
                elif len(folded) == 1 and folded in _SENTENCE_CHARS:
                    out = SENTENCE_MARK
                else:
                    folded = _strip_latin_diacritics(folded.lower())
                    out = "".join(t2s.get(c, c) for c in folded if not _is_dropped(c))
            if out != ch:
                table[cp] = out or None
    _BASE_TABLE_CACHE = table
    return table


class Normalizer:
    """The per-character table plus the repeat collapse, with or without an offset map."""

    __slots__ = ("_dense", "table")

    def __init__(self, emoji: Mapping[str, str] | None = None, char_overrides: Mapping[str, str] | None = None) -> None:
        table = dict(_base_table())
        for source, target in (char_overrides or {}).items():
            table[ord(source)] = _normalize_with(table, target) or None
        for source, target in (emoji or {}).items():
            # An emoji is one code point here; variation selectors and ZWJ are dropped anyway.
            table[ord(source[0])] = _normalize_with(table, target) or None
        self.table: dict[int, str | None] = table
        # str.translate with a dict raises and swallows a KeyError for every character
        # that is not in it (most Chinese text); a dense list indexed by code point
        # never misses below _DENSE_LIMIT and halves the cost (measured in bench/).
        dense: list[int | str | None] = list(range(_DENSE_LIMIT))
        for code_point, replacement in table.items():
            if code_point < _DENSE_LIMIT:
                dense[code_point] = replacement
        self._dense = dense

    def normalize(self, text: str) -> str:
        """The normalized text alone: the fast path every message takes."""
        translated = text.translate(self._dense)
        # Searching for a repeated pair is four times cheaper than a substitution
        # that finds nothing, and most messages have no repeats.
        if _REPEAT.search(translated) is None:
            return translated
        return _REPEAT.sub(r"\1", translated)

    def normalize_with_offsets(self, text: str) -> tuple[str, list[int], list[int]]:
        """The normalized text plus, for each of its characters, where it came from.

        ``starts[j]`` is the index in ``text`` of the first original character that
        produced normalized character ``j``; ``ends[j]`` is one past the last one (a
        collapsed run 死死死 maps to all three). Same result as ``normalize``.
        """
        get = self.table.get
        out: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        previous = ""
        for index, ch in enumerate(text):
            replacement = get(ord(ch), ch)
            if not replacement:
                continue
            for produced in replacement:
                if produced == previous:
                    ends[-1] = index + 1
                    continue
                out.append(produced)
                starts.append(index)
                ends.append(index + 1)
                previous = produced
        return "".join(out), starts, ends


def _normalize_with(table: dict[int, str | None], text: str) -> str:
    """Normalizes lexicon-supplied replacement text with the table built so far."""
    return _REPEAT.sub(r"\1", text.translate(table))


def is_latin_letter(ch: str) -> bool:
    return "a" <= ch <= "z"
