"""Pattern detectors over counselor messages, for the pre-screen (quality/prescreen.py).

Pure Python, no Django. Two of them:

- `asks_about_safety(text)`: did the counselor ask the youth, in so many words, about suicide, self-harm,
  their safety, a plan or the means (你有没有想过自杀, 你现在安全吗, 药在你身边吗, "are you safe right
  now?"). A clause counts when it is a question (a question mark, 吗/么/呢 at its end, 有没有, 是否,
  "do you ..." ...) and names the risk. Statements about suicide ("自杀不能解决问题") are not asking.
- `boundary_problems(text)`: personal contact details offered or asked for, meeting offline, promises
  of secrecy with no exception for danger to life; each a kind with the matched words.

Measured on labelled examples in tests/domain/test_quality_detectors.py (precision and recall printed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

# Clauses: a question is judged clause by clause, so "我们聊聊学习吧。你有没有想过自杀？" is found and
# "自杀不能解决问题。你今天吃饭了吗？" is not.
_CLAUSE: Final = re.compile(r"[^。！？!?.;；\n]+[。！？!?.;；]*")

# ── the risk, named ─────────────────────────────────────────────────────────────────────────
_RISK_ZH: Final = re.compile(
    "|".join(
        (
            r"自杀|轻生|寻死|自尽|了结自己|结束(你的|自己的)?生命|不想活|活不下去|想死|去死|死的(念头|想法)|死掉",
            r"离开这个世界|不在了的?(念头|想法)",
            r"(伤害|伤|弄伤|割|划|烫)(过|了)?(你)?自己|自残|自伤|割腕|伤害自己的(念头|想法)",
            r"你.{0,6}安全|安全的地方|安全吗|(有没有|是否)(危险|人在伤害你)",
            r"(具体|详细)的?(计划|打算|方法)|想过(用)?(什么|怎样的?)(方法|方式)|(准备|打算)(怎么|什么时候)(做|结束)",
            r"(药|刀|绳子?|刀片).{0,4}(身边|手边|手上|旁边|在哪|家里|附近)|(身边|手边|手上|旁边)(有|放着)?.{0,3}(药|刀|绳|刀片)|(存|囤|攒|准备)了?.{0,3}(药|安眠药)",
            r"吃了(什么|多少)(药|片)|跳楼|跳下去|天台|楼顶",
        )
    )
)
_RISK_EN: Final = re.compile(
    "|".join(
        (
            r"suicid\w*|kill(ing)? yourself|end(ing)? (your|your own) life|take (your|your own) life",
            r"(want(ed)?|wish(ed)?) (to die|you were dead|you weren'?t here)|better off dead",
            r"(not|no longer) (want|wanting) to (live|be alive|be here|wake up)",
            r"(hurt|harm|cut|injur)\w* yourself|self[- ]harm\w*",
            r"\byou\b[^.?!]{0,20}\bsafe\b|\bsafe\b[^.?!]{0,12}\b(right now|now|tonight|where you are)",
            r"\b(a|any) (specific |concrete )?plan\s*\?|plan (to|for how) (do it|end|kill|hurt|take)",
            r"thought about how (you would|to)|\bhow (you would|you'd) do it\b",
            (
                r"\b(pills|medication|medicine|tablets|knife|knives|rope|gun|blade)s?\b[^.?!]{0,30}"
                r"\b(near|with|around|nearby|next to|on) you\b|access to (pills|medication|a gun|a knife|weapons)"
            ),
        )
    ),
    re.IGNORECASE,
)
# ── a question ──────────────────────────────────────────────────────────────────────────────
_QUESTION_ZH: Final = re.compile(
    r"[？?]|[吗么呢嘛][\s。！!…]*$|有没有|有没|是不是|是否|会不会|想不想|能不能|可不可以|有过.{0,10}吗|想过没|过没有"
    r"|我想(直接|认真)?问(问)?你|我需要问你|我得问你"
)
_QUESTION_EN: Final = re.compile(
    r"\?|^\s*(are|do|did|have|has|is|will|would|could|can|were)\s+(you|there)\b"
    r"|\b(i want to|i need to|i have to|can i|may i|let me) ask\b|\bi'?m wondering (if|whether)\b",
    re.IGNORECASE,
)


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.findall(text) if c.strip()]


# A question that points back at the risk named just before it: "... think about suicide. Is that true for you?"
_BACK_REF: Final = re.compile(r"这样|这种|那样|这些|这个想法|\b(that|this|those|these)\b", re.IGNORECASE)


def _is_question(clause: str) -> bool:
    return bool(_QUESTION_ZH.search(clause) or _QUESTION_EN.search(clause))


def _names_risk(clause: str) -> bool:
    return bool(_RISK_ZH.search(clause) or _RISK_EN.search(clause))


def asks_about_safety(text: str) -> bool:
    """True when some clause of `text` asks directly about suicide, self-harm, safety, a plan or the
    means, or asks about what the clause before it named ("...自杀的念头。你也有这样的想法吗？")."""
    risk_before = False
    for clause in _clauses(text):
        risk = _names_risk(clause)
        if _is_question(clause) and (risk or (risk_before and _BACK_REF.search(clause))):
            return True
        risk_before = risk
    return False


# ── boundaries ──────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True, slots=True)
class BoundaryProblem:
    kind: str  # "contact", "offline", "secrecy"
    words: str


_CONTACT: Final = re.compile(
    r"(?<!\d)1[3-9]\d{9}(?!\d)|加(我|你)的?(微信|vx|QQ|qq)|(我|你)的(微信|vx|QQ|qq|手机号?|电话(号码)?|邮箱)(号)?(是|多少)"
    r"|(微信|vx|QQ|qq|手机|电话)(号)?(是多少|发我|给我|告诉我)|私下(联系|加|聊)|留个(联系方式|电话|微信)"
    r"|\b(add me on|my (personal )?(number|phone|wechat|whatsapp|instagram|snapchat|email) is|text me at|"
    r"what'?s your (number|wechat|whatsapp|instagram|snapchat|address)|give me your (number|address|wechat))\b",
    re.IGNORECASE,
)
_OFFLINE: Final = re.compile(
    r"(我们|咱们|我和你|跟我)(可以)?.{0,3}见(个|一)?面|见(个|一)面(吧|聊)|出来(聊|见|坐坐|吃)|线下(见|聊)|我(去|来)找你|你来找我|约(你|个时间)(出来|见)|我们见一下|请你(吃|喝)"
    r"|\b(meet (up|in person|me)|grab (a )?(coffee|lunch|dinner)|come (to )?(my place|see me)|"
    r"i(?:'ll| will| can) come (to you|and see you|to your))\b",
    re.IGNORECASE,
)
_SECRECY: Final = re.compile(
    r"(绝对|一定|保证|肯定)(会)?(替你)?保密|不会告诉(任何人|别人|你(爸|妈|父母|家人|老师))|(这是)?我们(之间)?的秘密|谁也不(会)?告诉"
    r"|\b(i (won'?t|will not|promise not to|never) tell (anyone|anybody|your)|(stays|stay|keep it) between us|"
    r"our (little )?secret|i promise to keep (it|this) (a )?secret)\b",
    re.IGNORECASE,
)
# "保密，但如果有生命危险例外": the limits of confidentiality, said as they should be.
_EXCEPTION: Final = re.compile(
    r"例外|除非|但(是)?如果|生命危险|安全(有|受到)?(危险|威胁)|\bexcept\b|\bunless\b|\bbut if\b", re.I
)


def boundary_problems(text: str) -> list[BoundaryProblem]:
    found: list[BoundaryProblem] = []
    for clause in _clauses(text):
        for kind, pattern in (("contact", _CONTACT), ("offline", _OFFLINE)):
            if match := pattern.search(clause):
                found.append(BoundaryProblem(kind=kind, words=match.group(0)))
        if (match := _SECRECY.search(clause)) and not _EXCEPTION.search(text):
            found.append(BoundaryProblem(kind="secrecy", words=match.group(0)))
    return found
