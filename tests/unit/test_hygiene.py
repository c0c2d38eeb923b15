"""moderation.hygiene.clean_text yields plain text: no markup, no entity that decodes into markup,
no invisible or control characters, ordinary text kept as written (docs/architecture.md,
"Privacy", message hygiene). In process, no database."""

from __future__ import annotations

import html
import re
import sys
import unicodedata

import pytest
from hypothesis import example, given, settings as hyp_settings, strategies as st

from moderation import hygiene
from moderation.hygiene import clean_text, clean_text_reference

ZWJ = "\u200d"
# An HTML tokenizer starts a tag, an end tag, a comment or a declaration at "<" followed by an
# ASCII letter, "/", "!" or "?"; anything else after "<" is text to it.
TAG_OPEN = re.compile(r"<[A-Za-z/!?]")


def is_pictograph(ch: str) -> bool:
    return bool(hygiene._PICTOGRAPH.fullmatch(ch))


def invisible_characters_left(text: str) -> list[str]:
    """Characters that must not survive: controls (tab and newline excepted), format characters
    (the joiner inside an emoji sequence and a flag's tag characters excepted), lone surrogates,
    line/paragraph separators, the replacement character."""
    left = []
    for index, ch in enumerate(text):
        category = unicodedata.category(ch)
        if ch in "\t\n":
            continue
        if ch == ZWJ:
            before = text[index - 1] if index else ""
            if before == "\ufe0f" and index >= 2:
                before = text[index - 2]
            after = text[index + 1] if index + 1 < len(text) else ""
            if before and after and is_pictograph(before) and is_pictograph(after):
                continue
        if 0xE0020 <= ord(ch) <= 0xE007F:
            flag = re.search(r"\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F", text[max(0, index - 40) : index + 40])
            if flag:
                continue
        if category in ("Cc", "Cf", "Cs", "Zl", "Zp") or ch == "\ufffd":
            left.append(ch)
    return left


def assert_plain_text(raw: str, cleaned: str) -> None:
    assert not TAG_OPEN.search(cleaned), (raw, cleaned)
    # No character reference is left to decode: a client that decodes entities before it
    # renders HTML (or renders it twice) finds the same text, hence no markup either.
    assert html.unescape(cleaned) == cleaned, (raw, cleaned)
    assert invisible_characters_left(cleaned) == [], (raw, cleaned)
    assert "\r" not in cleaned and cleaned == cleaned.strip() and "\n\n\n" not in cleaned, (raw, cleaned)
    assert clean_text(cleaned) == cleaned, ("not idempotent", raw, cleaned)


# ----- the examples of issue 7, and more --------------------------------------------------------
@pytest.mark.parametrize(
    "raw,expected",
    [
        # unclosed tags: the "<" stays readable, it just no longer opens anything
        ("<img src=x onerror=alert(1)//", "< img src=x onerror=alert(1)//"),
        ("<svg/onload=alert(1)", "< svg/onload=alert(1)"),
        ("你好<script", "你好< script"),
        ("x <a", "x < a"),
        ("<!--", "< !--"),
        ("I </3 you", "I < /3 you"),
        # entities that decode into markup: decoded, then stripped like the markup they are
        ("&lt;img src=x onerror=alert(1)&gt;", ""),
        ("&lt;b&gt;你好&lt;/b&gt;", "你好"),
        ("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;", "alert(1)"),
        ("&#60;script&#62;alert(1)&#60;/script&#62;", "alert(1)"),
        ("&#x3c;svg/onload=alert(1)&#x3e;", ""),
        ("&ltimg src=x onerror=alert(1)&gt", ""),  # HTML's legacy references need no semicolon
        ("&lt;img src=x onerror=alert(1)//", "< img src=x onerror=alert(1)//"),
        # split tags: what stripping one tag joins is stripped in the next round
        ("<scr<script>ipt>alert(1)</script>", "alert(1)"),
        ("<<script>script>alert(1)<</script>/script>", "alert(1)"),
        ("<<b>b>粗体<</b>/b>", "粗体"),
        ("<i<i>mg src=x onerror=alert(1)>", ""),
        ("&lt;scr&lt;script&gt;ipt&gt;alert(1)", "alert(1)"),
        # references to nothing printable
        ("&#0;", ""),
        ("a&#0;b", "ab"),
        ("a&#x0;b&#xD800;c&#1114112;d", "abcd"),
        ("&#27;[31mred", "[31mred"),
        ("&#x202e;evil", "evil"),
        ("&zwnj;自&#8203;杀", "自杀"),
        # zero-width and other invisible characters, also inside markup and references
        ("自\u200b杀", "自杀"),
        ("想\u200c死\u200d\u2060了\ufeff", "想死了"),
        ("soft\u00adhyphen", "softhyphen"),
        ("<\u200bimg src=x onerror=alert(1)>", ""),
        ("&\u200blt;img src=x onerror=alert(1)&\u200bgt;", ""),
        ("\u202eevil\u202c.exe", "evil.exe"),
        ("a\ud800b\udfffc", "abc"),
        ("a\ufffdb", "ab"),
        ("line\u2028next\u2029para", "line\nnext\npara"),
        ("a&#13;&#10;b", "a\nb"),
        # markup as such
        ("<b>你好</b>", "你好"),
        ("<IMG SRC=x OnError=alert(1)>图", "图"),
        ('<a href="javascript:alert(1)" title=">">点我</a>', "点我"),
        ("<a title='it>s'>链接</a>", "链接"),
        ("<a title=it's>链接", "< a title=it's>链接"),
        ("before<!-- a comment -->after", "beforeafter"),
        ("<!-->after", "after"),
        ("<?php echo 1; ?>文字", "文字"),
        ("<![CDATA[x]]>文字", "文字"),
        ("<!DOCTYPE html>文字", "文字"),
        # ordinary text stays as written
        ("a < b", "a < b"),
        ("3<5", "3<5"),
        ("<3", "<3"),
        ("I <3 you", "I <3 you"),
        ("a<=b, c>=d, x<-y", "a<=b, c>=d, x<-y"),
        ("AT&T 的卡", "AT&T 的卡"),
        ("5 & 6 号", "5 & 6 号"),
        ("&lt;3 你", "<3 你"),
        ("1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"),
        ("你好，我最近压力很大，睡不着。", "你好，我最近压力很大，睡不着。"),
        (
            "《青少年保护法》第三条：“未成年人享有生存权”——对吗？",
            "《青少年保护法》第三条：“未成年人享有生存权”——对吗？",
        ),
        ("😢😢 还好吗～", "😢😢 还好吗～"),
        # emoji sequences keep the joiners and tag characters they are made of
        ("一家👨\u200d👩\u200d👧", "一家👨\u200d👩\u200d👧"),
        ("🏳️\u200d🌈 骄傲", "🏳️\u200d🌈 骄傲"),
        ("👩🏽\u200d💻 程序员", "👩🏽\u200d💻 程序员"),
        ("❤️\u200d🔥", "❤️\u200d🔥"),
        (
            "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f 苏格兰",
            "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f 苏格兰",
        ),
        ("1️⃣ 第一", "1️⃣ 第一"),
        # a joiner or tag character outside an emoji sequence goes
        ("a\u200db", "ab"),
        ("我\U000e0061\U000e0062好", "我好"),
        # "<" before a Chinese character opens nothing in HTML: kept as written
        ("<三体>", "<三体>"),
        (">_<你好", ">_<你好"),
        ("a<b", "a< b"),
    ],
)
def test_plain_text_out(raw, expected):
    cleaned = clean_text(raw)
    assert cleaned == expected
    assert_plain_text(raw, cleaned)


def test_deeply_nested_references_and_tags_end_plain_and_fast():
    # Past the rounds it allows, clean_text neutralizes what is left instead of looping on.
    nested_entity = "&" + "amp;" * 40 + "lt;img src=x onerror=alert(1)&gt;"
    nested_tags = "<" * 300 + "b>" * 300 + "text"
    for raw in (nested_entity, nested_tags, nested_entity * 40):
        assert_plain_text(raw, clean_text(raw))


def test_a_long_message_of_unclosed_comments_is_still_linear():
    raw = "<!--" * 500 + "-->"
    assert_plain_text(raw, clean_text(raw))


def test_removed_characters_are_every_control_and_format_character_of_this_python():
    """The table in hygiene.py is written out for a fast import; it must hold every Cc (tab and
    newline excepted), Cf and Cs code point of the Unicode version this Python ships (a newer
    Unicode adds format characters: add them), and nothing printable but U+FFFD."""
    expected = {
        cp
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Cs") and chr(cp) not in "\t\n"
    }
    table = {cp for cp in range(sys.maxunicode + 1) if hygiene._INVISIBLE.fullmatch(chr(cp))}
    assert sorted(expected - table) == []
    assert {cp for cp in table - expected if unicodedata.category(chr(cp)) != "Cn"} == {0xFFFD}


# ----- properties --------------------------------------------------------------------------------
PIECES = [
    "<",
    ">",
    "&",
    ";",
    "#",
    "/",
    "!",
    "?",
    "-",
    "=",
    '"',
    "'",
    " ",
    "x",
    "3",
    "0",
    "lt",
    "gt",
    "amp",
    "LT",
    "#60",
    "#x3c",
    "#x3C",
    "#0",
    "#13",
    "#x200b",
    "img",
    "script",
    "b",
    "svg",
    "onerror",
    "!--",
    "-->",
    "中",
    "文",
    "😀",
    "🏳️",
    ZWJ,
    "\u200b",
    "\u200c",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u202e",
    "\x00",
    "\x07",
    "\x1b",
    "\x85",
    "\r",
    "\n",
    "\t",
    "\u2028",
    "\ufffd",
    "\ud800",
    "\U000e0041",
    "\U0001f3f4",
    "\U000e007f",
]


@hyp_settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
@example("<scr<script>ipt>")
@example("&amp;lt;img&amp;gt;")
@example("&lt;&#x3c;b&gt;&gt;")
def test_no_markup_no_reference_no_invisible_character_and_idempotent(raw):
    assert_plain_text(raw, clean_text(raw))


@hyp_settings(max_examples=800, deadline=None)
@given(st.text(max_size=60))
def test_the_same_for_any_unicode_text(raw):
    assert_plain_text(raw, clean_text(raw))


# Ordinary pieces, joined in any order: none ends in "<" (">_<" then "I" would open a tag, "<I").
ORDINARY = [
    "你好",
    "老师",
    "我很难过",
    "。",
    "，",
    "？",
    "！",
    "“",
    "”",
    "《三体》",
    "～",
    "😢",
    "👍🏽",
    "👨\u200d👩\u200d👧",
    "a < b",
    "3<5",
    "<3",
    "I <3 you",
    "x<=y",
    " & ",
    "AT&T ",
    "100%",
    " ",
    "\u3000",
    "\n",
    "\t",
    "ok",
    "12355",
    ">",
    ">_< ",
    "->",
    "<三体>",
    "<(＿　＿)>",
]


@hyp_settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(ORDINARY), max_size=30).map("".join))
def test_ordinary_text_is_kept_as_written(raw):
    assert clean_text(raw) == re.sub(r"\n{3,}", "\n\n", raw).strip()


@hyp_settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_the_fast_path_changes_nothing_the_full_path_would_not(raw):
    assert clean_text(raw) == clean_text_reference(raw)
