"""Message hygiene: what a youth or counselor types becomes plain text, safe to store and show.

Text is stored as plain text and clients render it as text. Markup is stripped with bleach
(no tag, attribute or comment survives); entities are decoded back to characters so that
"a < b" stays readable; control characters go. bleach parses HTML (tens of microseconds), so
it runs only when the text holds '<' or '&': without them there is no markup to strip and the
result is the same (tests/test_hygiene.py checks that equivalence).
"""
from __future__ import annotations

import html
import re

import bleach

# C0/C1 controls except tab and newline, plus bidi overrides that can disguise text.
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def _strip_markup(text: str) -> str:
    # Decode and strip until stable: "&lt;b&gt;" must not turn into a tag after decoding.
    for _ in range(4):
        cleaned = html.unescape(bleach.clean(text, tags=set(), attributes={}, strip=True, strip_comments=True))
        if cleaned == text:
            break
        text = cleaned
    return text


def clean_text(text: str) -> str:
    """Plain, displayable text: no markup, no control characters, tidy whitespace."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Controls go first: bleach would turn them into "?" that nothing removes afterwards.
    if not text.isprintable():
        text = _UNSAFE_CHARS.sub("", text)
    if "<" in text or "&" in text:
        text = _strip_markup(text)
        text = _UNSAFE_CHARS.sub("", text)  # an entity such as &#27; may decode to one
    if "\n\n\n" in text:
        text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip()


def clean_text_reference(text: str) -> str:
    """clean_text without the fast path: bleach always runs. Used by tests to prove equivalence."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _UNSAFE_CHARS.sub("", text)
    text = _strip_markup(text)
    text = _UNSAFE_CHARS.sub("", text)
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip()
