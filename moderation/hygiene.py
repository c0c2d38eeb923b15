"""Message hygiene: what a youth or counselor types becomes plain text, safe to store and show.

The contract (docs/protocol.md) stores text as plain text, and every client shows it as text. So
that a client that does not (an export, an e-mail, a renderer that decodes entities) finds no
markup either, `clean_text` guarantees of what it returns:

- no "<" followed by an ASCII letter, "/", "!" or "?": nothing an HTML tokenizer would start a
  tag, an end tag, a comment or a declaration at (HTML tag names, and CommonMark's, begin with an
  ASCII letter; "<" before a Chinese character is text to them, so ">_<你好" and "<三体>" stay as
  written);
- no character reference left to decode (`html.unescape(out) == out`), so no entity can turn
  into markup later;
- no control character but tab and newline, no format character (zero-width spaces and joiners,
  bidi overrides, the BOM, soft hyphens...) except the joiner inside an emoji sequence and the
  tag characters of a flag, no lone surrogate, no U+FFFD; line and paragraph separators and CR
  become newlines;
- `clean_text(clean_text(x)) == clean_text(x)`;
- ordinary text is kept as written: Chinese, emoji, "a < b", "3<5", "<3", "AT&T".

How: until nothing changes, invisible characters are removed, character references decoded
(`html.unescape`: HTML's own rules, legacy references without ";" included) and markup (tags,
comments, declarations, processing instructions) removed; each of these can reveal the next
("&lt;scr&lt;script&gt;ipt&gt;", "<\u200bimg>", "&\u200blt;"). Then every "<" still followed by an
ASCII letter, "/", "!" or "?" (an unclosed tag: "<img src=x onerror=...//", "a<b") gets a space
after it, which keeps it readable and opens nothing. Text that would need more than
`_MAX_ROUNDS` rounds is hostile: what is left is neutralized in one pass instead ("& " for a
reference start), so the cost stays linear.

No HTML parser: bleach and html5lib parse HTML for an HTML context and escape what they keep, and
their output decoded back to text revives unclosed tags ("&lt;img src=x onerror=...//" -> "<img
..."); their handling of a "<" without ">" has changed from release to release. Plain text needs
only the tokenizer's notion of where markup starts, which is what the regular expressions below
encode. Text without "<", "&", U+FFFD or a non-printable character takes the fast path
(`str.isprintable` and three `in` tests, in C).
"""

from __future__ import annotations

import html
import re

# Every code point of Unicode categories Cc (but tab and newline), Cf and Cs, as of Unicode 14
# (Python 3.11), plus U+FFFD, which is what references to nothing decode to ("&#0;", "&#xD800;")
# and carries no text. tests/unit/test_hygiene.py checks this table against `unicodedata`.
_INVISIBLE_CLASS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\ufffd"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]")
# Emoji (Extended_Pictographic, approximately): a zero-width joiner between two of them is part of
# an emoji sequence (family, profession, rainbow flag) and stays.
_PICTOGRAPH_CLASS = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf\u2934\u2935"
    "\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff"
)
_PICTOGRAPH = re.compile(f"[{_PICTOGRAPH_CLASS}]")
# What survives the removal: a subdivision flag (black flag, tag letters, cancel tag), and a
# pictograph (with its variation selector or skin tone) joined to the next one. Anything else
# invisible matches the last branch and goes.
_INVISIBLE_OR_EMOJI = re.compile(
    "(\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f)"
    f"|([{_PICTOGRAPH_CLASS}][\ufe0f\U0001f3fb-\U0001f3ff]?\u200d(?=[{_PICTOGRAPH_CLASS}]))"
    f"|[{_INVISIBLE_CLASS}]"
)
_NEWLINES = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n"})
# Markup, as an HTML tokenizer delimits it: a comment; a tag or end tag (an ASCII letter after
# "<" or "</"), whose quoted attribute values may hold ">"; a declaration or processing
# instruction ("<!DOCTYPE", "<![CDATA[", "<?php"). None spans a "<": an inner tag is removed in
# one round, the outer in the next, and a "<" without its ">" is never searched past the next "<"
# (the cost stays linear).
_MARKUP = re.compile(
    r"<!--[^<]*?-->"
    r"""|</?[A-Za-z](?:[^<>"']|"[^"<]*"|'[^'<]*')*>"""
    r"|<[!?][^<>]*>"
)
# Where a tag, end tag, comment or declaration would start, and where a character reference would.
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
_REFERENCE_START = re.compile(r"&(?=[#A-Za-z])")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
# Ordinary markup is gone in two or three rounds (and one more to see that nothing changes).
_MAX_ROUNDS = 8


def _keep_emoji(match: re.Match[str]) -> str:
    return match.group(1) or match.group(2) or ""


def _one_round(text: str) -> str:
    if "\r" in text or "\u2028" in text or "\u2029" in text:
        text = text.replace("\r\n", "\n").translate(_NEWLINES)
    if _INVISIBLE.search(text):
        text = _INVISIBLE_OR_EMOJI.sub(_keep_emoji, text)
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _MARKUP.sub("", text)
    return text


def _plain_text(text: str) -> str:
    for _ in range(_MAX_ROUNDS):
        cleaned = _one_round(text)
        if cleaned == text:
            break
        text = cleaned
    else:
        # Still changing: nested references or tags, which only an attacker writes. Neutralize
        # what is left in one pass instead: remove the invisible, then stop every reference from
        # starting (in that order: a removal can join "&" to a name, a space cannot).
        text = text.replace("\r\n", "\n").translate(_NEWLINES)
        text = _INVISIBLE_OR_EMOJI.sub(_keep_emoji, text)
        text = _REFERENCE_START.sub("& ", text)
    if "<" in text:
        text = _TAG_OPEN.sub("< ", text)
    if "\n\n\n" in text:
        text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text


def clean_text(text: str) -> str:
    """Plain, displayable text: no markup, no reference, no invisible character, tidy whitespace."""
    if "<" in text or "&" in text or not text.isprintable() or "\ufffd" in text:
        text = _plain_text(text)
    return text.strip()


def clean_text_reference(text: str) -> str:
    """clean_text without the fast path. Used by tests to prove that the fast path is exact."""
    return _plain_text(text).strip()
