"""Masking personal data in transcripts for reviewers and exports (issue 10, docs/architecture.md, "Masking").

`mask_text(text)` finds phone numbers (mobile and fixed lines), ID card numbers (18 digits with or
without a valid checksum, 15 digits), bank cards, e-mail addresses, QQ and WeChat ids, street
addresses, school names and person names, and replaces each value whole by a placeholder of its
kind (`PLACEHOLDERS`): a reviewer sees "〔手机号〕", never "139****1234". The spans it returns are
offsets into the original text.

Pure and stateless: no Django, no database. Rules first (regular expressions over the text with
full-width digits and letters folded to ASCII, one character for one, so offsets stay those of the
original), then the names, schools and addresses: rules with cue words, checked against jieba's
dictionary (word frequencies and tags) and its segmenter, loaded once, lazily (about a second).
Thread-safe: the only state is that dictionary, read-only once loaded.

    >>> m = mask_text("我叫张伟，手机13812345678")
    >>> m.masked
    '我叫〔姓名〕，手机〔手机号〕'
    >>> [(s.start, s.end, s.kind) for s in m.spans]
    [(2, 4, 'name'), (7, 18, 'phone')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

Kind = Literal["phone", "id_card", "bank_card", "email", "qq", "wechat", "address", "school", "name"]

# What a reviewer sees in place of a value: one table, in the page language's style.
PLACEHOLDERS: Final[dict[str, str]] = {
    "phone": "〔手机号〕",
    "id_card": "〔身份证号〕",
    "bank_card": "〔银行卡号〕",
    "email": "〔邮箱〕",
    "qq": "〔QQ号〕",
    "wechat": "〔微信号〕",
    "address": "〔地址〕",
    "school": "〔学校〕",
    "name": "〔姓名〕",
}
KINDS: Final[tuple[str, ...]] = tuple(PLACEHOLDERS)


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    kind: str


@dataclass(frozen=True, slots=True)
class Masked:
    masked: str
    spans: tuple[Span, ...]


# Full-width ASCII (digits, letters, "@", "-", ".") folds to ASCII, the ideographic space to a space:
# one character for one, so that offsets into the folded text are offsets into the original.
_FOLD: Final = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0x2014: 0x2D, 0x2013: 0x2D}


def fold(text: str) -> str:
    return text.translate(_FOLD)


# ---------------------------------------------------------------------------------------------
# Structured kinds: numbers and ids
# ---------------------------------------------------------------------------------------------

_EMAIL: Final = re.compile(
    r"(?<![A-Za-z0-9._+-])[A-Za-z0-9][A-Za-z0-9._+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,10}"
)

# A run of digits with single spaces or dashes between groups (people type "138 1234 5678",
# "6222-0212-3456-7890-123"), optionally ending in X (an ID card); not inside a longer run of
# digits or letters. "+86" / "86" before a mobile is part of it.
_DIGITS: Final = re.compile(
    r"(?<![0-9A-Za-z])(?:\+?86[ -]?)?(?:\(0\d{2,3}\)[ -]?)?\d(?:[ -]?\d){3,22}(?:[ -]?[Xx])?(?![0-9A-Za-z])"
)

_QQ_CUE: Final = re.compile(r"(?:[Qq]{2}|扣扣|企鹅|[Qq]号|球球|抠抠|[Qq]\s*[:：])")
_WECHAT_CUE: Final = re.compile(r"(?:微信|威信|薇信|维信|[Vv]信|[Vv][Xx]|[Ww][Xx]|weixin|wechat|WeChat|微[Xx])", re.I)
# Between a cue and its value: "号", "是", "：", spaces, "加我", "搜"...
_CUE_GAP: Final = re.compile(r"(?:号码|号|账号|id|ID)?\s*(?:是|为|:|：|=|就是|搜|加|加我|吧|呀|啊|哦|号|叫|名|\s)*\s*")
_WECHAT_ID: Final = re.compile(r"[A-Za-z][-_A-Za-z0-9]{5,19}(?![-_A-Za-z0-9])")
_QQ_VALUE: Final = re.compile(r"[1-9](?:[ -]?\d){4,10}(?![0-9])")
_BANK_CUE: Final = re.compile(r"(?:卡号|银行卡|借记卡|信用卡|储蓄卡|账号|帐号|银行|转账|卡)")

_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK: Final = "10X98765432"


def id_checksum_ok(digits: str) -> bool:
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == digits[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_ID_SHAPE_18: Final = re.compile(r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]")
_ID_SHAPE_15: Final = re.compile(r"[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}")
_MOBILE: Final = re.compile(r"1[3-9]\d{9}")
_FIXED: Final = re.compile(r"0\d{9,11}")


def _classify_number(raw: str, before: str) -> str | None:
    """The kind of a run of digits (separators and a country code included), or None."""
    compact = re.sub(r"[^0-9Xx]", "", raw)
    has_plus86 = raw.lstrip().startswith(("+86", "86")) and len(compact) == 13
    if has_plus86 and _MOBILE.fullmatch(compact[2:]):
        return "phone"
    if compact[-1:] in "Xx":
        return "id_card" if len(compact) in (18, 15) else None
    n = len(compact)
    bank_context = bool(_BANK_CUE.search(before[-8:]))
    if n == 11 and _MOBILE.fullmatch(compact):
        return "phone"
    if raw.startswith("(0") or (compact.startswith("0") and 10 <= n <= 12 and _FIXED.fullmatch(compact)):
        return "phone"
    if n == 18:
        if bank_context and luhn_ok(compact):
            return "bank_card"
        if _ID_SHAPE_18.fullmatch(compact) or id_checksum_ok(compact):
            return "id_card"
        return "bank_card" if (luhn_ok(compact) or bank_context) else "id_card"
    if n == 15:
        if bank_context or (not _ID_SHAPE_15.fullmatch(compact) and luhn_ok(compact)):
            return "bank_card"  # an American Express number is 15 digits too
        return "id_card"
    if n in (13, 14) and (bank_context or (compact[0] in "345" and luhn_ok(compact))):
        return "bank_card"
    if 16 <= n <= 19:
        return "bank_card"
    if n == 17 and not bank_context:
        return "id_card"  # an 18-digit id with one digit missing
    if 7 <= n <= 8 and re.search(r"(?:电话|座机|固话|打|拨|call)\D{0,4}$", before[-8:]):
        return "phone"
    return None


def _structured(folded: str) -> list[Span]:
    spans: list[Span] = []
    for m in _EMAIL.finditer(folded):
        spans.append(Span(m.start(), m.end(), "email"))
    # QQ and WeChat: a cue, then the value.
    for m in _QQ_CUE.finditer(folded):
        gap = _CUE_GAP.match(folded, m.end())
        pos = gap.end() if gap else m.end()
        v = _QQ_VALUE.match(folded, pos)
        if v:
            spans.append(Span(v.start(), v.end(), "qq"))
    for m in _WECHAT_CUE.finditer(folded):
        gap = _CUE_GAP.match(folded, m.end())
        pos = gap.end() if gap else m.end()
        w = _WECHAT_ID.match(folded, pos)
        if w and not _EMAIL.match(folded, pos):
            spans.append(Span(w.start(), w.end(), "wechat"))
    for m in _DIGITS.finditer(folded):
        kind = _classify_number(m.group(), folded[max(0, m.start() - 12) : m.start()])
        if kind:
            start = m.start()
            spans.append(Span(start, m.end(), kind))
    return spans


# ---------------------------------------------------------------------------------------------
# Names, schools, addresses: patterns with cues (measured against jieba's tags: docs/architecture.md)
# ---------------------------------------------------------------------------------------------

_H = r"[\u4e00-\u9fff]"
# The 400 commonest surnames (the order of the Chinese surname frequency tables) and compound ones.
SURNAMES: Final = (
    "王李张刘陈杨黄吴赵周徐孙马朱胡林郭何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅"
    "钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔汤向常温康施文"
    "牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁"
    "冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏"
    "宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储"
    "原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容"
    "敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利呼居揭干"
    "但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
COMPOUND_SURNAMES: Final = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "慕容",
    "皇甫",
    "令狐",
    "司徒",
    "夏侯",
    "尉迟",
    "公孙",
)
# Characters that end a name: grammar words (never the second character of a name), then, for the
# third character, also what usually follows a name in a chat line.
_NOT_SECOND: Final = set(
    "的了也在是说和跟就都又总把被给叫还不没要会能让对向从到去来过着吗呢吧啊呀哦嘛我你他她它们这那个些有老同得于为"
    "、，。！？；：,.!?;: \n"
)
_NOT_GIVEN: Final = set(
    "的了也在是说和跟就都又总把被给叫很太还不没要会能想让对向从到去来过着吗呢吧啊呀哦嘛我你他她它们这那个些有人"
    "老师同学班主任一二三四五六七八九十年月日岁初高小中大上下里外前后今明昨天今每最好真再才刚已经可以因为所以但"
    "打骂欺负说话家爸妈哥姐弟妹奶爷外婆公转学读住在电话手机微信号码身份证卡邮箱、，。！？；：,.!?;: \n"
)
_SURNAME_RE: Final = "(?:" + "|".join(COMPOUND_SURNAMES) + "|[" + SURNAMES + "])"
# A cue, then a name: "我叫", "我是", "同学", "我妈", "班主任"... (the name is the group).
_NAME_BEFORE: Final = re.compile(
    r"(?:我叫|叫做|叫|名叫|名字叫|名字是|我是|他是|她是|他叫|她叫|就是|姓名[:：]?|同学|同桌|朋友|闺蜜|室友|班长|班主任|"
    r"班主任是|老师是|我爸|我妈|我妈妈|我爸爸|妈妈|爸爸|我哥|我姐|我弟|我妹|表姐|表哥|表妹|表弟|堂哥|堂姐|男朋友|女朋友|"
    r"男友|女友|前任|网友|学姐|学长|收件人|联系人|本人|真名|姐姐|哥哥|弟弟|妹妹|舍友|爷爷|奶奶|外公|外婆|姥姥|姥爷|叔叔|阿姨|舅舅|姑姑|跟|和|找|帮我跟|告诉|喜欢|暗恋)"
    r"[:： ]?(" + _SURNAME_RE + _H + r"{1,2})"
)
# A name, then a cue: "张伟老师", "李娜同学", "陈敏，你还记得我吗".
_NAME_AFTER: Final = re.compile(r"(" + _SURNAME_RE + _H + r"{1,2}?)(?=老师|同学|阿姨|叔叔|医生|校长|主任|，你|,你)")
_WEAK_CUES: Final = frozenset({"跟", "和", "找", "告诉", "喜欢", "暗恋", "就是", "帮我跟"})


# Characters common in given names (a handwritten list of the frequent ones): a name found without
# a cue ("是李明先动手的") must be made of them.
GIVEN_CHARS: Final = frozenset(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬鹏辉建国文斌宇浩凯健俊帆帅旭宁坤峰龙云"
    "飞鑫波亮新海林琳晨晶欣怡悦婷雪梅莉莹颖慧倩洁琴瑜璐畅瑞阳楠博子涵轩梓萱思雨嘉佳诺可馨若瑶雅琪乐天昊然泽睿铭"
    "皓宸航豪一晓小志永春东冬兵成荣金香珍凤芝花柳淑岩雷彤晗曦茜薇蕾菲婧妍娇媛姗琦瑾璇琼瑛珊韵婉蓉露霖雯卓越"
    "锐锋钧锦程远鸿鹤翔宏伦毅恒康安和祥福德仁义智信忠贤良胜利光耀晖朗清源浪洪江河湖山岭松柏森枫桐杨菊竹莲荷芸"
    "芷芮苗茂丹彩紫青晴昕昭晟景暄曼月杉桦楷榕欢歆正武民沛泓泉洲浚淳溪滢潇澄澜瀚灵炜烨焕煜熙爽玥珂琛瑄璟甜生男"
    "盈真祺禹秋立章端笑筱素纯绮维羽翠聪艺芙苒茗莎菁萌蕊虹诗语诚谦贞达迪逸遥邦郁钰长霄霆韬顺颂风骏鸣黎丰庆富贵"
    "军兴旺桂梁栋树宝珠翰墨媚婕妮娅娴婵巧琰琬瑗婷鹃莺燕凌冰雁鸥"
)
_HAN_CHAR: Final = re.compile(r"[\u4e00-\u9fff]")
# What may follow a name found without a cue.
_AFTER_NAME: Final = set("又先说是跟和在也都就总一给把被不没让对要会还才刚已，。！？、 的啊吧吗呢呀了,.!?~\n")
# What may stand before a name found without a cue: the start, a mark, a grammar word.
_CANDIDATE: Final = re.compile(
    r"(?:(?<=[的是和跟与找给让被把叫人说问见到恨，。！？、：:\s])|^)(?=(?:"
    + "|".join(COMPOUND_SURNAMES)
    + "|["
    + SURNAMES
    + "]))"
)


def _freq(word: str) -> int:
    return _jieba()[0].get(word) or 0


def _given_end(folded: str, start: int, end: int, surname_len: int) -> int:
    """Trims a candidate name at the first character that cannot be part of a given name."""
    for i in range(start + surname_len, end):
        if folded[i] in (_NOT_SECOND if i == start + surname_len else _NOT_GIVEN):
            return i
        if i > start + surname_len and (
            _freq(folded[i : i + 2]) >= 300 or (folded[i] not in GIVEN_CHARS and _common_word(folded[i : i + 2]))
        ):
            return i  # "朋友冷战": the last character starts a word
    return end


def _uncued_name(folded: str, start: int) -> int | None:
    """The end of a name at `start` found without a cue, or None: surname, then one or two characters
    common in given names, then a grammar word or a mark; no dictionary word in it."""
    surname_len = 2 if folded[start : start + 2] in COMPOUND_SURNAMES else 1
    i = start + surname_len
    if i >= len(folded) or folded[i] not in GIVEN_CHARS or folded[i] in _NOT_SECOND:
        return None
    if folded[start] in _FUNCTION_SURNAMES or folded[start : start + 2] in _NOT_NAMES:
        return None
    after_verb = start > 0 and folded[start - 1] in "让给被把见恨找跟和与叫"
    ends = []
    if i + 1 < len(folded) and folded[i + 1] in GIVEN_CHARS and folded[i + 1] not in _NOT_GIVEN:
        ends.append(i + 2)
    ends.append(i + 1)
    for end in ends:
        word = folded[start:end]
        follows = folded[end : end + 2]
        if (
            end < len(folded)
            and folded[end] not in _AFTER_NAME
            and follows not in _TITLES | _FOLLOW_WORDS
            and not (after_verb and _freq(follows) >= 300)
        ):
            continue  # a name is followed by a mark, a grammar word or another word ("我想让李明消失")
        if end - start - surname_len == 2:
            # Three characters: a name unless the dictionary knows it as a frequent word.
            if _common_word(word, cued=True):
                continue
        elif _common_word(word) or _freq(folded[start : start + surname_len + 1]) >= 20:
            continue
        return end
    return None


# Surnames that are far more often grammar words: not taken after a cue.
_FUNCTION_SURNAMES: Final = frozenset("都和那时来但干常于")
_SURNAME_SET: Final = frozenset(SURNAMES)
_MAYBE_NAME: Final = re.compile("[" + SURNAMES + "](?=[" + "".join(sorted(GIVEN_CHARS)) + "])")


def _segmented_names(folded: str) -> list[Span]:
    """Names jieba's segmenter leaves as a word of their own: a token (or a surname token and one or
    two one-character tokens) that is a surname and name characters, unknown to the dictionary or
    known there as a rare name ("那天刘霞把我的书扔了", "后来周晨也不理我了")."""
    if not _MAYBE_NAME.search(folded):
        return []
    import jieba

    _jieba()
    tokens: list[tuple[int, str]] = []
    pos = 0
    for token in jieba.lcut(folded, HMM=True):
        tokens.append((pos, token))
        pos += len(token)
    spans: list[Span] = []
    i = 0
    while i < len(tokens):
        start, token = tokens[i]
        word, j = token, i + 1
        if (len(token) == 1 and token in _SURNAME_SET) or token in COMPOUND_SURNAMES:
            # A surname split from its given name: join a two-character token of name characters
            # ("吕" "建平"), or up to two one-character ones ("徐" "洋").
            nxt = tokens[j][1] if j < len(tokens) else ""
            if len(nxt) == 2 and all(c in GIVEN_CHARS for c in nxt):
                word += nxt
                j += 1
            else:
                while j < len(tokens) and len(word) < len(token) + 2:
                    if len(tokens[j][1]) != 1 or tokens[j][1] not in GIVEN_CHARS:
                        break
                    word += tokens[j][1]
                    j += 1
        if _plausible_name(word):
            spans.append(Span(start, start + len(word), "name"))
            i = j
            continue
        i += 1
    return spans


def _plausible_name(word: str) -> bool:
    if not 2 <= len(word) <= 4:
        return False
    surname_len = 2 if word[:2] in COMPOUND_SURNAMES else 1
    if surname_len == 1 and word[0] not in _SURNAME_SET:
        return False
    given = word[surname_len:]
    if not given or len(given) > 2 or not all(c in GIVEN_CHARS for c in given):
        return False
    if word[0] in _FUNCTION_SURNAMES or word[:2] in _NOT_NAMES:
        return False
    return not _common_word(word, cued=len(word) > 2)


_TITLES: Final = frozenset({"老师", "同学", "阿姨", "叔叔", "医生", "校长", "主任"})
# Words that often follow a name at the head of a clause ("王楠他们几个", "我给陈军发消息").
_FOLLOW_WORDS: Final = frozenset(
    {
        "今天",
        "昨天",
        "明天",
        "他们",
        "她们",
        "一起",
        "发消",
        "住院",
        "约我",
        "推我",
        "打我",
        "骂我",
        "笑我",
        "发信",
        "回我",
        "找我",
        "家里",
        "家长",
        "爸爸",
        "妈妈",
        "上课",
        "上学",
        "不理",
        "拉黑",
    }
)


def _names(folded: str) -> list[Span]:
    spans: list[Span] = []
    for m in _NAME_BEFORE.finditer(folded):
        start, end = m.span(1)
        surname_len = 2 if folded[start : start + 2] in COMPOUND_SURNAMES else 1
        end = _given_end(folded, start, end, surname_len)
        if end - start <= surname_len:
            continue
        cue = m.group()[: m.start(1) - m.start()].rstrip(":： ")
        word = folded[start:end]
        if folded[start] in _FUNCTION_SURNAMES:
            continue  # "同学都笑我": 都 is a surname, rarely
        given = folded[start + surname_len : start + surname_len + 2]
        if word[:2] in _NOT_NAMES or (end - start > surname_len + 1 and _freq(word[: surname_len + 1]) >= 100):
            continue  # "朋友关系淡了", "男朋友曾经找过": the surname starts an everyday word
        if (given[:1] not in GIVEN_CHARS and _freq(given) >= 300) or _freq(given) >= 3000:
            continue  # "妈妈来学校", "和解可以": the given part would start an everyday word
        if _common_word(word, cued=True) or (cue in _WEAK_CUES and not _looks_like_name(word)):
            continue
        spans.append(Span(start, end, "name"))
    spans += _segmented_names(folded)
    for m in _CANDIDATE.finditer(folded):
        uncued_end = _uncued_name(folded, m.start())
        if uncued_end is not None:
            spans.append(Span(m.start(), uncued_end, "name"))
    for m in _NAME_AFTER.finditer(folded):
        start, end = m.span(1)
        surname_len = 2 if folded[start : start + 2] in COMPOUND_SURNAMES else 1
        end = _given_end(folded, start, end, surname_len)
        if (
            end - start > surname_len
            and all(c in GIVEN_CHARS for c in folded[start + surname_len : end])
            and folded[start] not in _FUNCTION_SURNAMES
            and (
                start == 0
                or not _HAN_CHAR.match(folded[start - 1])
                or folded[start - 1] in "的是和跟与找给让被把叫说问"
            )
            and not _common_word(folded[start:end])
        ):
            spans.append(Span(start, end, "name"))
    return spans


_dictionary: tuple[dict[str, int], dict[str, str]] | None = None
# Words after a cue that are not names: school years, and titles jieba does not know.
_NOT_NAMES: Final = frozenset({"高一", "高二", "高三", "初一", "初二", "初三", "高中", "初中", "小学", "大学", "老师"})


def _jieba() -> tuple[dict[str, int], dict[str, str]]:
    """jieba's dictionary (word frequencies and part-of-speech tags): loaded once, lazily (about a second)."""
    global _dictionary
    if _dictionary is None:
        import jieba
        import jieba.posseg

        jieba.setLogLevel(60)
        jieba.dt.initialize()
        _dictionary = (jieba.dt.FREQ, jieba.posseg.dt.word_tag_tab)
    return _dictionary


def _common_word(word: str, *, cued: bool = False) -> bool:
    """A word of everyday language, not a name: known to jieba's dictionary with another tag, or
    frequent there ("谢谢" and "明白" are tagged nr, and are no names). After a cue ("我表姐陈兵"), a
    name the dictionary knows (陈兵: nr, 32) is still a name unless it is very frequent."""
    if word in _NOT_NAMES:
        return True
    freq, tags = _jieba()
    n = freq.get(word) or 0
    if n > 0 and not tags.get(word, "").startswith("nr"):
        return True
    return n >= (1000 if cued else 20)


def _looks_like_name(word: str) -> bool:
    """After a weak cue ("跟", "和"): neither the word nor its given part is a dictionary word."""
    freq, _ = _jieba()
    return all((freq.get(w) or 0) == 0 for w in (word, word[1:], word[:2]) if len(w) >= 2)


_STOP_BEFORE: Final = re.compile(
    r"(?:住在|住|在|到|是|读|考上|考前|考|念|上的|上(?=大学|小学|中学|初中|高中|学|[一二三四五六七八九十]{1,3}中)|[我你他她]|"
    r"去|从|回(?!族)|于|叫|的|们|了|以前|过|里|址|家在|我家|家住|附近|个|进|转到|跟|离开|离|来(?![宾安凤])|寄|搬到|搬|送|接|"
    r"[:：，,。 ])"
)
_SCHOOL: Final = re.compile(
    _H + r"{1,10}?(?:大学附属中学|附属中学|附属小学|高级中学|初级中学|中心小学|实验小学|实验中学|实验学校|外国语学校|"
    r"职业技术学校|职业技术学院|职业学院|师范学院|师范大学|理工大学|科技大学|大学|学院|中学|小学|附中|附小|职高|中专|技校|学校|"
    r"[一二三四五六七八九十]{1,3}中|[一二三四五六七八九十]{1,3}小)"
)
# Kinds of school, not names of one ("寄宿学校", "重点中学").
_SCHOOL_KIND: Final = re.compile(
    r"(?:寄宿|重点|私立|公立|民办|艺术|普通|职业|住宿|国际|封闭式|全日制|体育|特殊|这所|那所|一所|好的|新的)"
)
_SCHOOL_GENERIC: Final = frozenset(
    {
        "大学",
        "学院",
        "中学",
        "小学",
        "学校",
        "职高",
        "中专",
        "技校",
        "一中",
        "二中",
        "附中",
        "高中",
        "初中",
        "重点中学",
        "重点大学",
        "这个学校",
        "那个学校",
        "新学校",
        "好学校",
        "好大学",
        "好的大学",
        "实验学校",
        "初级中学",
    }
)


def _trim_left(folded: str, start: int, end: int, core: int) -> int:
    """The start of a name that runs into the words before it: after the last cue word before `core`."""
    best = start
    for m in _STOP_BEFORE.finditer(folded, start, end):
        if m.end() > core:
            break
        best = m.end()
    return best


_SCHOOL_SUFFIX: Final = re.compile(
    r"(?:大学附属中学|附属中学|附属小学|高级中学|初级中学|中心小学|实验小学|实验中学|实验学校|外国语学校|职业技术学校|"
    r"职业技术学院|职业学院|师范学院|师范大学|理工大学|科技大学|大学|学院|中学|小学|附中|附小|职高|中专|技校|学校|"
    r"[一二三四五六七八九十]{1,3}中|[一二三四五六七八九十]{1,3}小)$"
)
# Words of school names whatever their tag in jieba's dictionary ("希望小学": 希望 is a verb there).
_SCHOOL_WORDS: Final = frozenset(
    {
        "希望",
        "实验",
        "附属",
        "育才",
        "育英",
        "明德",
        "启明",
        "树人",
        "光明",
        "阳光",
        "向阳",
        "朝阳",
        "红星",
        "新华",
        "东风",
        "春晖",
        "博雅",
        "文汇",
        "外国语",
        "师范",
        "理工",
        "工业",
        "科技",
        "职业",
        "技术",
        "第一",
        "第二",
        "第三",
    }
)
# Kinds of school, however tagged: "农村学校", "理想大学", "三本学校".
_NOT_SCHOOL_WORDS: Final = frozenset(
    {
        "农村",
        "理想",
        "正规",
        "乡村",
        "城里",
        "县城",
        "本地",
        "外地",
        "当地",
        "国外",
        "名牌",
        "普通",
        "重点",
        "一般",
        "心仪",
        "梦想",
        "目标",
        "三本",
        "二本",
        "一本",
        "专科",
        "本科",
        "民办",
        "私立",
        "公立",
        "好",
        "新",
        "老",
        "这个",
        "那个",
        "别的",
        "其他",
        "同一",
        "一个",
        "一所",
        "整个",
        "全国",
        "国内",
        "人生",
        "生活",
        "工作",
    }
)
_BARE_SCHOOL: Final = frozenset({"学校", "大学", "中学", "小学", "学院"})
_ORDINAL: Final = re.compile(r"第?[一二三四五六七八九十百\d]+")


def _suffix_len(candidate: str) -> int:
    m = _SCHOOL_SUFFIX.search(candidate)
    return len(m.group()) if m else 0


def _school_prefix_ok(prefix: str, bare: bool = False) -> bool:
    """The words before "中学"/"大学"... name a school: their last word is a place, a name, an
    ordinal or a school-name word, not a frequent verb, adverb, pronoun or a kind of school. Before
    a bare "学校"/"大学"/"中学"/"小学" ("感觉大学", "联系学校"), not a frequent noun either."""
    if not prefix:
        return True  # "实验学校" alone is dropped earlier as generic
    import jieba.posseg

    _jieba()
    pairs = jieba.posseg.lcut(prefix)
    if not pairs:
        return True
    word, flag = pairs[-1].word, pairs[-1].flag
    if prefix in _SCHOOL_WORDS or word in _SCHOOL_WORDS or _ORDINAL.fullmatch(word):
        return True
    if word in ("市", "区", "县", "省", "镇", "乡") or word.endswith(("市", "区", "县")):
        return True  # "香港市小学", "梁平区中学"
    if word in _NOT_SCHOOL_WORDS:
        return False
    if flag[:2] in {"ns", "nz", "nt", "nr"} or flag == "j":
        return True
    frequent = _freq(word) >= 50  # jieba's tags of rare words are guesses ("辛集": v)
    if bare:
        return not frequent
    return not frequent or flag[:1] not in {
        "v",
        "a",
        "d",
        "r",
        "m",
        "c",
        "p",
        "u",
        "f",
        "t",
        "l",
        "y",
        "e",
        "o",
        "z",
        "q",
        "b",
    }


def _schools(folded: str) -> list[Span]:
    spans: list[Span] = []
    for m in _SCHOOL.finditer(folded):
        start, end = m.span()
        if folded[end - 1] in "中小" and folded[end : end + 1] == "学":
            end += 1  # "第一小学", not "第一小"
        start = _trim_left(folded, start, end, end - 2)
        word = folded[start:end]
        if (
            len(word) < 3
            or (len(word) < 4 and word[-2:] in _SCHOOL_GENERIC)
            or word in _SCHOOL_GENERIC
            or word[:-2] in {"我们", "你们", "他们", "全", "本", "这", "那", "哪"}
        ):
            continue
        if _SCHOOL_KIND.fullmatch(word[:-2]) or _SCHOOL_KIND.fullmatch(word[:-4]):
            continue
        if word.startswith(("我们", "你们", "他们", "哪个", "什么", "这所", "那所", "一所", "所")):
            continue
        if folded[end - 2 : end] in ("中学", "小学", "大学") and folded[end : end + 1] in ("习", "历", "生"):
            continue  # "在环境中学习", "高中学历", "大学生"
        if folded[end - 1] in "中小" and folded[end : end + 1] in ("午", "间", "心", "旬", "期", "时", "型"):
            continue  # "周六中午", "中心"
        if word.endswith("中专") and folded[end : end + 1] in ("心", "注", "门"):
            continue  # "在风险中专心工作"
        suffix_len = _suffix_len(word)
        if not _school_prefix_ok(word[: len(word) - suffix_len], bare=word[-suffix_len:] in _BARE_SCHOOL):
            continue
        spans.append(Span(start, end, "school"))
    return spans


_NUM = r"(?:\d{1,5}|[一二三四五六七八九十百零]{1,4})"
_ADMIN = (
    r"(?:"
    + _H
    + r"{2,7}?(?:省|自治区|特别行政区))?(?:"
    + _H
    + r"{1,6}?(?:市|州|盟))?(?:"
    + _H
    + r"{1,6}?(?:区|县|旗))?"
    r"(?:" + _H + r"{1,6}?(?:镇|乡|街道))?"
)
# A street and its number; "宋路L座" (a building letter) is how Faker's zh_CN addresses end.
_STREET = _H + r"{1,8}?(?:路|街|大道|大街|巷|胡同|弄|里)(?:" + _NUM + r"(?:号|弄)(?:院)?|[A-Za-z]座)"
_ESTATE = _H + r"{2,8}?(?:小区|花园|家园|新村|公寓|大厦|广场|苑|社区|宿舍|家属院|村)"
_BUILDING = (
    r"(?:" + _NUM + r"(?:栋|幢|号楼|座|期|区)|[A-Za-z](?:栋|座))?(?:" + _NUM + r"单元)?"
    # the room: "401室", or a bare "401" right after the unit or the building ("3栋2单元401")
    r"(?:" + _NUM + r"(?:室|号房|楼|层|号)|(?<=[元栋幢])\d{2,4}(?![\d号]))?"
)
_ADDRESS: Final = re.compile(
    _ADMIN
    + r"(?:"
    + _STREET
    + r"(?:"
    + _ESTATE
    + r")?"
    + _BUILDING
    + r"|"
    + _ESTATE
    + _BUILDING
    + r")(?: ?\d{6}(?!\d))?"  # a postcode after it
    + r"|"
    + _H
    + r"{2,7}?(?:省|市)"
    + _H
    + r"{1,6}?(?:区|县)(?:"
    + _H
    + r"{1,6}?(?:镇|乡|街道|村))?(?:"
    + _H
    + r"{1,6}?(?:路|街|大道|大街)(?![\d一二三四五六七八九十]))?"  # "杭州市西湖区文三路", no number
)
_ADDRESS_CORE: Final = re.compile(r"省|自治区|特别行政区|市|区|县|路|街|大道|巷|胡同|小区|花园|家园|新村|公寓|大厦|村")
_ESTATE_ONLY: Final = re.compile(_H + r"{0,3}(?:小区|花园|家园|新村|公寓|大厦|广场|苑|社区|宿舍|家属院|村)$")


def _addresses(folded: str) -> list[Span]:
    spans: list[Span] = []
    for m in _ADDRESS.finditer(folded):
        start, end = m.span()
        core = _ADDRESS_CORE.search(folded, start, end)
        start = _trim_left(folded, start, end, core.start() if core else end)
        word = folded[start:end]
        has_number = any(c.isdigit() for c in word) or bool(
            re.search(r"[一二三四五六七八九十]+(?:号|栋|单元|室)", word)
        )
        if len(word) < 4:
            continue
        if not has_number and not re.search(r"(?:省|自治区|市|区|县)", word[:-1]):
            # No number and no administrative unit: only a named estate or village ("幸福小区",
            # "杨家村"), not "宿舍", "社区", "大学生村", "我们村".
            estate = _ESTATE_ONLY.fullmatch(word)
            if not estate or not word.endswith(("小区", "花园", "家园", "新村", "村")):
                continue
            name = re.sub(r"(?:小区|花园|家园|新村|村)$", "", word)
            if len(name) < 2 or _common_word(name):
                continue
        if spans and spans[-1].end == start:
            start = spans.pop().start  # "石家庄市兴山区" + "朱街697号...": one address
        spans.append(Span(start, end, "address"))
    return spans


# ---------------------------------------------------------------------------------------------
# Putting it together
# ---------------------------------------------------------------------------------------------

_PRIORITY: Final = {
    "email": 0,
    "qq": 1,
    "wechat": 1,
    "id_card": 2,
    "bank_card": 2,
    "phone": 2,
    "address": 3,
    "school": 4,
    "name": 5,
}


def _resolve(spans: list[Span]) -> tuple[Span, ...]:
    """Non-overlapping spans, in order: a structured kind wins over a fuzzy one, then the longer."""
    chosen: list[Span] = []
    for s in sorted(spans, key=lambda s: (_PRIORITY[s.kind], -(s.end - s.start), s.start)):
        if all(s.end <= c.start or s.start >= c.end for c in chosen):
            chosen.append(s)
    chosen.sort(key=lambda s: s.start)
    return tuple(chosen)


_HAS_HAN: Final = re.compile(r"[\u4e00-\u9fff]")


def find_spans(text: str) -> tuple[Span, ...]:
    folded = fold(text)
    spans = _structured(folded)
    if _HAS_HAN.search(folded):
        spans += _addresses(folded)
        spans += _schools(folded)
        spans += _names(folded)
    return _resolve(spans)


def mask_text(text: str) -> Masked:
    """The text with every personal value replaced whole by its kind's placeholder, and the spans."""
    spans = find_spans(text)
    if not spans:
        return Masked(text, ())
    parts: list[str] = []
    pos = 0
    for s in spans:
        parts.append(text[pos : s.start])
        parts.append(PLACEHOLDERS[s.kind])
        pos = s.end
    parts.append(text[pos:])
    return Masked("".join(parts), spans)
