"""Crisis detector: pure tests (no Django, no database).

Run: cd /work/main && python -m pytest tests/crisis -q -p no:django
"""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from crisis.detection import (
    CATEGORIES,
    ConversationRisk,
    Detector,
    Finding,
    ScanResult,
    load_shipped_lexicon,
    validate_lexicon,
)
from crisis.detection.baseline import KeywordBaseline
from crisis.detection.batch import dump, scan_line, scan_lines


@pytest.fixture(scope="module")
def lexicon() -> dict:
    return load_shipped_lexicon()


@pytest.fixture(scope="module")
def detector(lexicon) -> Detector:
    return Detector.from_lexicon(lexicon)


def level_of(detector: Detector, text: str, category: str = "suicide") -> int:
    result = detector.scan(text)
    return max((f.level for f in result.findings if f.category == category), default=0)


# -- public API ------------------------------------------------------------------


def test_public_api_shapes(detector):
    assert CATEGORIES == ("suicide", "self_harm", "bullying", "sexual_abuse", "violence", "fraud")
    result = detector.scan("我想自杀")
    assert isinstance(result, ScanResult) and isinstance(result.findings[0], Finding)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.level = 0  # type: ignore[misc]
    assert detector.version == load_shipped_lexicon()["version"]
    assert detector.scan("") == ScanResult(level=0, categories=(), findings=())


def test_categories_are_ordered_highest_level_first(detector):
    result = detector.scan("他们天天堵我要钱，我不想活了")
    assert result.categories == ("bullying", "suicide")  # bullying 3 (堵我), suicide 2
    assert result.level == 3


# -- clinical anchors --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, level",
    [
        ("活着没意思", 2),  # passive ideation
        ("我希望自己消失", 2),
        ("我想自杀", 3),  # active ideation
        ("我想跳楼", 3),  # a chosen method: plan
        ("我在网上查怎么自杀", 3),  # seeking a method
        ("我不想活了，家里有安眠药", 3),  # ideation + method -> plan
        ("我不想活了，今晚就吃掉家里的安眠药", 4),  # + a time -> imminent
        ("我已经吃了一整瓶药", 4),  # attempt in progress
        ("我现在就去死", 4),
        ("绳子已经挂好了", 4),
    ],
)
def test_suicide_levels(detector, text, level):
    assert level_of(detector, text) == level


@pytest.mark.parametrize(
    "text, category, level",
    [
        ("我会自残", "self_harm", 2),
        ("我又自残了", "self_harm", 3),  # recent, repeated
        ("割得很深，血止不住", "self_harm", 4),
        ("班上的人都孤立我", "bullying", 2),
        ("他们天天在厕所堵我要钱", "bullying", 3),
        ("我继父晚上会进我房间摸我", "sexual_abuse", 3),
        ("我叔叔会摸我身体，他今晚又要来", "sexual_abuse", 4),
        ("我爸喝醉了就打我", "violence", 2),
        ("我真的想杀了他", "violence", 3),
        ("对方让我转账", "fraud", 3),
        ("有人说免费领皮肤", "fraud", 2),
    ],
)
def test_other_category_levels(detector, text, category, level):
    assert level_of(detector, text, category) == level


# -- evasions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, level",
    [
        # pinyin and initials
        ("我想zisha", 3),
        ("wo xiang zi sha", 3),
        ("xiang si", 2),
        ("wo bu xiang huo le", 2),
        ("我好想zs", 3),
        # separators and symbols between characters
        ("我想自.杀", 3),
        ("我想自 杀", 3),
        ("我想自*杀", 3),
        ("不-想-活-了", 2),
        ("想/自/杀", 3),
        # traditional characters
        ("我想自殺", 3),
        ("我覺得活著沒意思", 2),
        # full-width and compatibility forms
        ("我想ｚｉｓｈａ", 3),
        ("ＸＩＡＮＧ ＺＩＳＨＡ", 3),
        ("我想自杀　　真的", 3),
        # repeated characters
        ("我想死死死死", 2),
        ("想想想想自杀", 3),
        ("不不不想活了", 2),
        # homophone slang
        ("我想紫砂", 3),
        ("想自鲨", 3),
        ("我想s", 2),
        # emoji standing for methods
        ("今晚就用🪢结束一切", 4),
        ("💊💊💊 我已经吃了一整瓶", 4),
        ("我想☠️", 2),
    ],
)
def test_evasions(detector, text, level):
    assert detector.scan(text).level == level, detector.scan(text)


def test_emoji_self_harm(detector):
    assert level_of(detector, "拿🔪划手臂", "self_harm") == 2


def test_short_latin_variant_must_stand_alone(detector):
    assert detector.scan("我想zs").level == 3
    assert detector.scan("我想zsq了").level == 0  # zs inside a longer Latin word is not 自杀
    assert detector.scan("我想sleep").level == 0  # 想s is 想死 only when the s stands alone


def test_keyword_baseline_misses_evasions_the_detector_catches(lexicon, detector):
    baseline = KeywordBaseline.from_lexicon(lexicon)
    for text in ("我想自.杀", "我想自殺", "我想紫砂", "我想zisha"):
        assert baseline.scan(text).level < 2 <= detector.scan(text).level


# -- hard negatives ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # negation
        "我没有想自杀",
        "我不会自杀的",
        "我从来没想过死",
        "我不想死，只是想休息一下",
        "没有人欺负我，是我自己摔的",
        # fiction and homework
        "这本书里的主角自杀了",
        "小说结局男主跳楼了，好虐",
        "作文题目是《生命的意义》",
        "心理课老师讲了怎么识别自杀倾向",
        "阅读理解讲了一个想自杀的少年",
        "游戏里我杀了他三次哈哈",
        # hyperbole
        "热死了",
        "笑死我了",
        "累死了",
        "饿死了",
        "气死我了",
        "想死你了",
        "尴尬得想死",
        # idioms and words that contain a trigger
        "双十一跳楼价",
        "我妈买了个紫砂壶",
        "那部剧终于杀青了",
        "抢到秒杀的耳机了",
        "电脑又死机了",
        "给电脑杀毒",
        "不想活成我爸妈那样",
        "我总担心找不到工作生活不下去",
    ],
)
def test_hard_negatives_do_not_alert(detector, text):
    assert detector.scan(text).level < 2, detector.scan(text)


@pytest.mark.parametrize(
    "text, level",
    [
        ("我不想活了", 2),  # 不 inside the term is not a negation
        ("没人在乎我，我想死", 2),  # a negation in another clause does not reach the term
        ("我不知道为什么想死", 2),  # 知道 is not a filler between a negation and the term
        ("我快撑不住了，可我不敢自杀", 2),  # 不敢 is fear, not denial
        ("有没有不痛苦的死法", 3),  # 有没有 is a question, not a negation
        ("看完这部电影我也想死", 2),  # the youth speaks of themself in a film context
    ],
)
def test_negation_and_fiction_do_not_suppress_real_risk(detector, text, level):
    assert detector.scan(text).level == level, detector.scan(text)


# -- third parties -------------------------------------------------------------------


def test_third_party_report_alerts_and_is_marked(detector):
    result = detector.scan("我朋友说她不想活了，我好担心")
    assert result.level >= 2 and result.categories[0] == "suicide"
    assert all(f.third_party for f in result.findings if f.category == "suicide")
    own = detector.scan("没人在乎我，我想死")
    assert not any(f.third_party for f in own.findings)


def test_third_party_past_attempt_is_concern(detector):
    assert detector.scan("我哥哥以前自杀未遂过").level == 1
    assert detector.scan("我以前自杀未遂过").level == 3


def test_generic_people_are_a_topic(detector):
    assert detector.scan("有人想自杀吗").level == 1
    assert detector.scan("所有人都冷漠，想去死").level == 3  # 有人 inside 所有人, far from the term


# -- offsets and excerpt -------------------------------------------------------------


def test_finding_offsets_point_into_the_original_text(detector):
    text = "今天好累。。我想 自.杀!!"
    finding = detector.scan(text).findings[0]
    assert text[finding.start : finding.end] == "想 自.杀"
    emoji_text = "哈哈 今晚就用🪢🪢结束一切"
    spans = [emoji_text[f.start : f.end] for f in detector.scan(emoji_text).findings]
    assert "结束一切" in spans
    repeated = "我想死死死死啊"
    finding = detector.scan(repeated).findings[0]
    assert repeated[finding.start : finding.end] == "想死死死死"
    wide = "ＡＢＣ我想ｚｉｓｈａ"
    finding = detector.scan(wide).findings[0]
    assert wide[finding.start : finding.end] == "想ｚｉｓｈａ"


def test_excerpt_centres_on_the_strongest_finding(detector):
    text = "今天" + "上课好无聊" * 20 + "我已经吃了一整瓶药" + "，头好晕" * 20
    result = detector.scan(text)
    excerpt = result.excerpt(text, width=40)
    assert "吃了一整瓶药" in excerpt
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert len(excerpt) <= 42
    assert result.excerpt("短", width=60) == "短"
    assert detector.scan("你好").excerpt("你好") == "你好"


# -- accumulation across a conversation ----------------------------------------------


def test_method_early_and_time_later_make_it_imminent(detector):
    risk = ConversationRisk()
    levels = []
    for text in ["我最近好累", "我不想活了", "家里有一整瓶安眠药", "今晚爸妈不在家"]:
        levels.append(detector.scan_in_conversation(text, risk).level)
        risk = ConversationRisk.from_json(json.loads(json.dumps(risk.to_json())))  # stored as JSON between messages
    assert levels == [0, 2, 3, 4]
    assert risk.peak_level == 4 and risk.category_peaks["suicide"] == 4


def test_method_first_then_ideation_then_time(detector):
    risk = ConversationRisk()
    levels = [
        detector.scan_in_conversation(t, risk).level for t in ["家里有很多安眠药", "其实我一直想死", "明天就是我生日"]
    ]
    assert levels == [0, 3, 4]


def test_accumulation_does_not_reraise_or_touch_state_for_plain_messages(detector):
    risk = ConversationRisk()
    detector.scan_in_conversation("我想自杀", risk)
    before = risk.to_json()
    assert detector.scan_in_conversation("嗯嗯，谢谢你", risk).level == 0
    assert risk.to_json() == before  # the chat compares the JSON to skip a write


def test_negated_and_fictional_mentions_are_not_remembered(detector):
    risk = ConversationRisk()
    for text in ["我没有想自杀", "小说里主角跳楼了", "今晚要补作业"]:
        assert detector.scan_in_conversation(text, risk).level < 2


def test_conversation_state_round_trip_and_tolerance():
    risk = ConversationRisk(
        relevant_messages=3,
        peak_level=3,
        category_peaks={"suicide": 3},
        roles={"suicide/passive": 2, "*/method": 3},
        third_party_roles={"*/method"},
        lexicon_version="x",
    )
    assert ConversationRisk.from_json(risk.to_json()) == risk
    assert ConversationRisk.from_json(None) == ConversationRisk()
    damaged = ConversationRisk.from_json({"peak_level": "high", "roles": [1, 2], "category_peaks": {"suicide": 9}})
    assert damaged.peak_level == 0 and damaged.roles == {} and damaged.category_peaks == {"suicide": 0}


# -- the lexicon as data ---------------------------------------------------------------


def test_shipped_lexicon_is_valid(lexicon):
    assert validate_lexicon(lexicon) == []
    assert isinstance(lexicon["version"], str) and lexicon["format"] == 1


def _broken(lexicon: dict, change) -> list[str]:
    doc = copy.deepcopy(lexicon)
    change(doc)
    return validate_lexicon(doc)


def test_validation_reports_errors_with_their_place(lexicon):
    def bad_level(d):
        d["categories"]["suicide"]["groups"][0]["level"] = 7

    errors = _broken(lexicon, bad_level)
    assert any(e.startswith("categories.suicide.groups[0].level") for e in errors)

    errors = _broken(lexicon, lambda d: d["categories"].update({"gambling": {"groups": []}}))
    assert any("categories.gambling" in e and "unknown category" in e for e in errors)

    def unknown_role(d):
        d["categories"]["fraud"]["groups"][0]["role"] = "nonsense"

    assert any("not declared" in e for e in _broken(lexicon, unknown_role))

    def empty_and_duplicate(d):
        d["categories"]["bullying"]["groups"][0]["terms"] += ["", "霸凌", "..."]

    errors = _broken(lexicon, empty_and_duplicate)
    assert any("empty term" in e for e in errors)
    assert any("appears twice" in e for e in errors)
    assert any("only separators" in e for e in errors)

    def rule_never_applies(d):
        d["escalations"].append({"name": "x", "category": "fraud", "level": 3, "requires": [["farewell"]]})

    assert any("can never apply" in e for e in _broken(lexicon, rule_never_applies))

    assert any(e.startswith("version") for e in _broken(lexicon, lambda d: d.pop("version")))
    assert any(e.startswith("format") for e in _broken(lexicon, lambda d: d.update(format=2)))
    assert any("unknown field" in e for e in _broken(lexicon, lambda d: d.update(extra=1)))
    assert validate_lexicon("not a dict") == ["the lexicon must be a JSON object"]  # type: ignore[arg-type]


def test_invalid_lexicon_does_not_compile(lexicon):
    doc = copy.deepcopy(lexicon)
    doc["categories"]["suicide"]["groups"][0]["level"] = -1
    with pytest.raises(ValueError):
        Detector.from_lexicon(doc)


def test_lexicon_edit_changes_detection(lexicon):
    doc = copy.deepcopy(lexicon)
    doc["version"] = "test-edit"
    doc["categories"]["fraud"]["groups"][1]["terms"].append("代购退款群")
    detector = Detector.from_lexicon(doc)
    assert detector.version == "test-edit"
    assert detector.scan("我被拉进一个代购退款群").categories == ("fraud",)


# -- crisis_scan line protocol -----------------------------------------------------------


def test_scan_lines_output_format(detector):
    lines: list[str | bytes] = [
        json.dumps({"id": 1, "text": "我不想活了"}, ensure_ascii=False),
        "not json",
        json.dumps({"id": "b", "text": "热死了"}, ensure_ascii=False),
        "",
        json.dumps({"text": "no id"}),
        json.dumps({"id": 2, "text": 5}),
        json.dumps([1, 2]),
        b"\xff\xfe broken utf-8",
        json.dumps({"id": True, "text": "x"}),
        json.dumps({"id": 3.5, "text": "我想自殺"}, ensure_ascii=False).encode("utf-8"),
    ]
    out = list(scan_lines(lines, detector.scan))
    assert out == [
        {"id": 1, "level": 2, "categories": ["suicide"]},
        {"id": None, "error": "bad_line", "line": 2},
        {"id": "b", "level": 0, "categories": []},
        {"id": None, "error": "bad_line", "line": 5},
        {"id": None, "error": "bad_line", "line": 6},
        {"id": None, "error": "bad_line", "line": 7},
        {"id": None, "error": "bad_line", "line": 8},
        {"id": None, "error": "bad_line", "line": 9},
        {"id": 3.5, "level": 3, "categories": ["suicide"]},
    ]
    assert scan_line("   \n", 1, detector.scan) is None
    assert json.loads(dump(out[0])) == out[0]
    assert "不" not in dump({"id": "不"}) or dump({"id": "不"}) == '{"id": "不"}'


# -- measured targets (regression guard) ----------------------------------------------------


def test_targets_on_our_labelled_set(detector):
    from crisis import evaluation

    report = evaluation.evaluate("ours", evaluation.load_ours(), detector.scan)
    for category in ("suicide", "self_harm"):
        counts = report.categories[category]
        assert counts.recall >= 0.90 and counts.precision >= 0.80, (category, counts)
    assert report.benign_alert_rate <= 0.05
    conversations = evaluation.evaluate_conversations(evaluation.load_conversations(), detector)
    assert conversations.exact == conversations.size


def test_targets_on_psysuicide(detector):
    from crisis import evaluation

    path = evaluation.psysuicide_path()
    if not path.exists():
        pytest.skip(f"{path} not present")
    report = evaluation.evaluate("psysuicide", evaluation.load_psysuicide(path), detector.scan)
    suicide = report.categories["suicide"]
    assert suicide.recall >= 0.90 and suicide.precision >= 0.80, suicide
    assert report.categories["self_harm"].recall >= 0.90
    assert report.benign_alert_rate <= 0.05


# -- round 2: fillers, means-gathering, state stability --------------------------------------


@pytest.mark.parametrize(
    "text, level",
    [
        ("活着真的好没意思", 2),  # 活着没意思 with 真的好 inside
        ("活着也太没意思了吧", 2),
        ("不想再活下去了", 2),
        ("真的还不如死了算了", 2),
        ("我想了结了自己", 3),  # 了结自己 with 了 inside
        ("我很想结束我自己的生命", 3),
    ],
)
def test_filler_characters_inside_a_phrase(detector, text, level):
    assert level_of(detector, text) == level


def test_fillers_do_not_make_matches_out_of_nothing(detector):
    assert level_of(detector, "活着痛苦") < 2  # the key's own 好/太/真 may not be dropped (活着好痛苦)
    for text in ["活着真好，今天好开心", "我真的好想回家", "我很想要一只猫", "想好好活着"]:
        assert detector.scan(text).level == 0, text


def test_gap_max_and_exclusions_with_fillers(lexicon):
    doc = copy.deepcopy(lexicon)
    doc["settings"]["gap_max"] = 1
    strict = Detector.from_lexicon(doc)
    assert level_of(strict, "活着好没意思") == 2
    assert level_of(strict, "活着真的好没意思") == 0
    doc["settings"]["gap_max"] = 0
    assert level_of(Detector.from_lexicon(doc), "活着好没意思") == 0
    detector = Detector.from_lexicon(lexicon)
    # an exclusion matched with a filler inside still excludes (打自己的脸 / 打我自己的脸)
    assert "self_harm" not in detector.scan("他拿着我的作业打我自己的脸").categories


def test_gap_finding_offsets(detector):
    text = "唉，活着真的好没意思"
    finding = next(f for f in detector.scan(text).findings if f.category == "suicide")
    assert text[finding.start : finding.end] == "活着真的好没意思"


@pytest.mark.parametrize(
    "text, level",
    [
        ("我攒了一瓶安眠药", 3),
        ("买好了炭", 3),
        ("绳子准备好了", 3),
        ("我偷偷囤了好多安眠药", 3),
        ("农药我已经买好了", 3),
        ("买好了炭，今晚就烧", 4),
        ("我攒了好多片药，准备今晚全吃了", 4),
    ],
)
def test_means_gathering_is_preparation(detector, text, level):
    assert level_of(detector, text) == level


@pytest.mark.parametrize(
    "text",
    [
        "周末要去江边烧烤，炭已经买好了",
        "绳子准备好了，明天体育课要考跳绳",
        "我攒了好久的零花钱终于买到了手办",
        "我妈买好了感冒药让我今晚吃",
        "家里有退烧药，吃一片就好了",
        "我刚吃了一整包薯片",
    ],
)
def test_means_words_in_everyday_use_do_not_alert(detector, text):
    assert detector.scan(text).level < 2, text


def test_cutting_with_a_body_part_is_self_harm(detector):
    assert level_of(detector, "我用小刀在胳膊上划了几下", "self_harm") >= 2
    assert level_of(detector, "我手臂上全是我划的口子", "self_harm") >= 2
    assert level_of(detector, "不小心被纸划伤了手臂", "self_harm") < 2  # an accident: benign_purpose cue


def test_benign_messages_leave_the_state_unchanged(detector):
    risk = ConversationRisk()
    # The first time ("明天") and the first "now" (现在) are remembered once each (see the next
    # tests); after that benign messages, times included, change nothing: no database write.
    detector.scan_in_conversation("明天要考试", risk)
    detector.scan_in_conversation("我现在就去写作业", risk)
    remembered = risk.to_json()
    for text in ["今晚要补作业", "我现在就去写作业", "周末去爬山", "哈哈哈笑死我了", "嗯嗯", "明天要考试"]:
        assert detector.scan_in_conversation(text, risk).level == 0
        assert risk.to_json() == remembered, text
    fresh = ConversationRisk()
    for text in ["哈哈哈笑死我了", "嗯嗯", "我喜欢画画"]:
        detector.scan_in_conversation(text, fresh)
    assert fresh == ConversationRisk()


def test_time_is_remembered_once_the_conversation_holds_a_risk_role(detector):
    risk = ConversationRisk()
    assert detector.scan_in_conversation("我不想活了", risk).level == 2
    before = risk.to_json()
    assert detector.scan_in_conversation("今晚我一个人在家", risk).level == 0
    assert risk.to_json() != before and "*/time" in risk.roles  # now it matters
    assert detector.scan_in_conversation("抽屉里有我攒的安眠药", risk).level == 4


def test_time_before_any_risk_is_remembered(detector):
    # "Tonight" said early, ideation and means later: imminent (a method early and a time later
    # is the same accumulation the other way round).
    risk = ConversationRisk()
    levels = [
        detector.scan_in_conversation(t, risk).level for t in ["今晚我一个人在家", "我不想活了", "抽屉里有我攒的安眠药"]
    ]
    assert levels == [0, 2, 4]


def test_old_stored_state_still_loads(detector):
    old = {
        "format": 1,
        "lexicon_version": "2025.11.1",
        "relevant_messages": 2,
        "peak_level": 2,
        "category_peaks": {"suicide": 2},
        "roles": {"suicide/passive": 2, "*/time": 1},
        "third_party_roles": [],
    }
    risk = ConversationRisk.from_json(old)
    assert risk.to_json() == old
    assert detector.scan_in_conversation("家里有一整瓶安眠药", risk).level >= 3


def test_holdout2_precision_and_benign_rate_guard(detector):
    # holdout2 is never tuned on; this only guards precision and false alarms (recall is reported, see docs).
    from crisis import evaluation

    report = evaluation.evaluate("holdout2", evaluation.load_ours(evaluation.HOLDOUT2_PATH), detector.scan)
    assert report.benign_alert_rate <= 0.05
    for category in ("suicide", "self_harm"):
        assert report.categories[category].precision >= 0.80, category


# -- round 3: colloquial ideation, farewell/preparation, bullying/abuse/fraud families -----------
# One test per family, each with a hard negative. The sentences are written for the tests
# (not copied from holdout3, which is never tuned on).


def category_level(detector: Detector, text: str, category: str) -> int:
    return level_of(detector, text, category)


@pytest.mark.parametrize(
    "text",
    [
        "感觉活得真没劲",  # 没劲 = 没意思 (活得 alias)
        "真想睡过去别醒了",  # sleeping and never waking
        "好想永远闭上眼睛",
        "我想去另一个世界了",  # another world / heaven
        "没有我大家都会轻松一点",  # the world without me
        "要是我不在了，妈妈会难过吗",  # if I were gone
        "我根本就不该出生",  # should not have been born
        "这条命我真的不想要了",  # word order with fillers
    ],
)
def test_colloquial_passive_ideation_is_level_2(detector, text):
    assert level_of(detector, text) == 2


@pytest.mark.parametrize(
    "text",
    [
        "上学好没劲啊",
        "这个游戏玩得真没劲",
        "想去另一个城市读大学",
        "好想睡一觉醒来就放假了",
        "这部番讲主角穿越到另一个世界",
        "作业多到我想消失",
        "我宁愿死也不吃香菜",
    ],
)
def test_colloquial_ideation_hard_negatives(detector, text):
    assert detector.scan(text).level < 2, text


@pytest.mark.parametrize("text", ["遗书我昨天就写完了", "我偷偷写了一封遗书", "遗言我已经录好了", "后事我都安排好了"])
def test_will_or_farewell_letter_written_is_preparation(detector, text):
    assert level_of(detector, text) >= 3


def test_will_written_hard_negatives(detector):
    assert detector.scan("语文作文要写一封遗书给十年后的自己，我写好了").level < 2  # homework
    assert detector.scan("小说里女主写好了遗书").level < 2  # fiction
    assert detector.scan("我不会写遗书的，放心").level < 2  # negated
    assert level_of(detector, "外公的后事都安排好了") < 2  # someone else's funeral: grief


@pytest.mark.parametrize(
    "text",
    [
        "谢谢你们陪我，大家保重，我要走了",  # goodbye + going
        "给爸妈留了一封信，等我走了他们就会看到",  # letter + going
        "我的东西都送人了，反正以后也用不到了",  # giving away + no future
    ],
)
def test_farewell_behaviours(detector, text):
    assert level_of(detector, text) >= 3


@pytest.mark.parametrize(
    "text",
    [
        "毕业了，跟大家告个别，好舍不得",
        "我把旧书都送人了，腾地方放新书",
        "我给笔友写了一封信",
        "我要走了，明天见",
    ],
)
def test_farewell_hard_negatives(detector, text):
    assert detector.scan(text).level < 2, text


def test_distress_with_a_going_euphemism(detector):
    assert level_of(detector, "活着好累，真的想走了") == 2
    assert level_of(detector, "人间不值得") < 2  # a meme alone: distress at most
    assert detector.scan("我想走了，这个聚会太无聊").level == 0  # leaving a party


def test_ideation_words_in_any_order(detector):
    assert level_of(detector, "自杀这个想法我有很久了") >= 2  # topic + pondered
    assert level_of(detector, "活着的意义我早就找不到了") == 2  # meaning + lost
    assert level_of(detector, "跳楼这件事我想过很多次") >= 3  # with a method
    assert detector.scan("你就是我活下去的理由").level == 0
    assert detector.scan("这道题我想了很久").level == 0


def test_a_scouted_place_is_a_plan(detector):
    assert level_of(detector, "那座桥我已经去看过了") == 3
    assert level_of(detector, "天台我已经看好了，这周五晚上") == 4
    assert detector.scan("天台我们已经看好了，周五拍毕业照").level < 2  # benign purpose


def test_painless_death_query(detector):
    assert level_of(detector, "怎样才能死得不疼") >= 3
    assert detector.scan("打耳洞怎样才能不疼").level == 0


@pytest.mark.parametrize(
    "text, level",
    [
        ("全班都不理我，把我当空气", 2),  # exclusion without 被
        ("被室友排挤了一整个学期", 2),  # isolated_peer in any order
        ("她们天天在群里骂我", 2),
        ("有人在背后造我的黄谣", 2),
        ("有人朝我吐口水", 3),  # degrading
        ("被几个男生按在地上打", 3),  # physical, group
        ("高年级的说不给钱就揍我", 3),  # extortion
    ],
)
def test_bullying_families(detector, text, level):
    assert category_level(detector, text, "bullying") == level


def test_bullying_hard_negatives(detector):
    for text in [
        "我们宿舍关系很好，从来没人孤立谁",
        "同学借了我的橡皮",
        "我妈打我电话没接",
        "网上有人说我坏话，我很在意",
    ]:
        assert category_level(detector, text, "bullying") < 2, text


@pytest.mark.parametrize(
    "text",
    [
        "我继父总是趁我睡着摸我",
        "补课老师的手一直往下摸",
        "网友让我拍没穿衣服的照片",
        "被强迫发生了关系",
    ],
)
def test_sexual_abuse_disclosure_families(detector, text):
    assert category_level(detector, text, "sexual_abuse") == 3


def test_sexual_abuse_hard_negatives(detector):
    for text in ["老师摸了摸我的头说加油", "我爸摸我的头", "妹妹摸我的猫被挠了", "表哥来我家带我打游戏"]:
        assert detector.scan(text).level == 0, text


@pytest.mark.parametrize(
    "text, level",
    [
        ("我妈拿衣架打我，腿上青一块紫一块", 2),
        ("被我爸罚跪了一晚上", 2),
        ("我爸掐着我的脖子不放", 3),
        ("我爸拿菜刀追着我们", 3),
    ],
)
def test_domestic_violence_families(detector, text, level):
    assert category_level(detector, text, "violence") == level


def test_domestic_violence_hard_negatives(detector):
    assert detector.scan("我妈拿菜刀切西瓜").level == 0
    assert detector.scan("衣架打折了，再买一个").level == 0


@pytest.mark.parametrize(
    "text, level",
    [
        ("我被骗了三百块零花钱", 2),  # scammed + amount
        ("付了钱以后对方就把我拉黑了", 2),  # paid + blocked
        ("说要先交会员费才能接单", 2),  # advance fee
        ("客服让我先转账再退款", 3),
        ("他说不给他钱就把视频发到我班级群", 3),  # sextortion
    ],
)
def test_fraud_families(detector, text, level):
    assert category_level(detector, text, "fraud") == level


def test_fraud_hard_negatives(detector):
    assert detector.scan("我爸给了我五百块零花钱").level == 0
    assert detector.scan("班会上老师说刷单都是骗局，千万别信").level < 2
    assert detector.scan("我把他拉黑了，烦死了").level == 0


def test_message_scope_rules_do_not_touch_the_conversation_state(detector, lexicon):
    # Round-3 rules have "scope": "message": their roles (同学, 老师, 找不到 ...) are no
    # accumulation roles, so ordinary messages naming them leave the stored state alone.
    assert all(
        rule.get("scope") == "message" for rule in lexicon["escalations"] if rule.get("note", "").startswith("round 3")
    )
    risk = ConversationRisk()
    for text in ["我同学说他找不到作业了", "老师写好了评语", "我把旧书送给同桌了"]:
        before = risk.to_json()
        assert detector.scan_in_conversation(text, risk).level == 0
        assert risk.to_json() == before, text
    # ... and they are not checked across messages.
    risk = ConversationRisk()
    detector.scan_in_conversation("遗书", risk)
    assert detector.scan_in_conversation("我想了很久", risk).level < 2


def test_rule_scope_is_validated(lexicon):
    doc = copy.deepcopy(lexicon)
    doc["escalations"][0]["scope"] = "forever"
    assert any("scope" in problem for problem in validate_lexicon(doc))
    doc["escalations"][0]["scope"] = "message"
    assert validate_lexicon(doc) == []


@pytest.mark.parametrize("text", ["我妈今天打我电话没接", "他昨天打我手机了", "我爸每天打我电话问成绩"])
def test_a_phone_call_is_not_a_beating(detector, text):
    # 天天打我 is stored as 天打我 (repeats collapse), which also sits inside 今天打我电话.
    assert detector.scan(text).level == 0


def test_being_hit_every_day_still_alerts(detector):
    assert detector.scan("同学天天打我").level >= 2


# -- round 4 ------------------------------------------------------------------------


def test_round4_lexicon_version(detector):
    assert detector.version == "2026.02.1"


@pytest.mark.parametrize(
    "text",
    [
        "下周跳长绳比赛，我买了一根新绳子",
        "绳子买好了，周五拔河",
        "买了一卷麻绳，周末做手工",
        "我攒了一整盒卡贴",
        "囤了好几盒饼干当零食",
        "攒了一大袋瓶盖给美术课",
    ],
)
def test_benign_purpose_families_and_stockpile_needs_a_drug(detector, text):
    assert level_of(detector, text) < 2


@pytest.mark.parametrize(
    "text, level",
    [("我攒了几十片安眠药", 3), ("我偷偷攒了一整盒安眠药", 3), ("我偷偷攒了好多片", 3), ("绳子买好了，今晚就用", 4)],
)
def test_stockpile_and_means_still_alert(detector, text, level):
    assert level_of(detector, text) >= level


def test_benign_purpose_may_be_written_as_families(lexicon):
    assert isinstance(lexicon["context"]["benign_purpose"], dict)
    doc = copy.deepcopy(lexicon)
    doc["context"]["benign_purpose"] = ["烧烤"]  # the old list form stays valid
    assert validate_lexicon(doc) == []
    doc["context"]["benign_purpose"] = {"sport": "跳绳"}
    assert validate_lexicon(doc)


@pytest.mark.parametrize("text", ["永别了我的耳机，掉进下水道了", "永别了，我的压岁钱", "永别了我最爱的奶茶店，关门了"])
def test_farewell_to_a_thing_is_not_a_farewell(detector, text):
    assert level_of(detector, text) < 2


@pytest.mark.parametrize("text", ["永别了我的朋友们", "永别了，我的家人", "永别了，我的人生", "永别了"])
def test_farewell_to_people_still_alerts(detector, text):
    assert level_of(detector, text) >= 3


@pytest.mark.parametrize(
    "text",
    ["辅导员问我有没有想过自杀，我说没有", "我妈问我想不想死，我说才不想", "问卷上问有没有伤害过自己，我填的没有"],
)
def test_reported_question_with_a_later_denial(detector, text):
    assert detector.scan(text).level < 2


@pytest.mark.parametrize(
    "text", ["老师问我想不想死，我说想", "有人问我怎么了，我说我想死", "同学问我为什么哭，我说我不想活了"]
)
def test_reported_question_without_denial_still_alerts(detector, text):
    assert level_of(detector, text) >= 2


@pytest.mark.parametrize("text", ["我演一个想自杀的学生，台词好多", "我扮演一个割腕的病人", "我演的角色最后跳楼了"])
def test_acting_a_part_beats_a_near_wo(detector, text):
    assert detector.scan(text).level < 2


def test_acting_then_the_youth_themself(detector):
    assert level_of(detector, "我演一个想自杀的学生，其实我自己也想死") >= 2


@pytest.mark.parametrize("text", ["好想消失在被窝里", "尴尬得想原地消失", "想消失在人群里不被看见"])
def test_vanishing_hyperbole(detector, text):
    assert level_of(detector, text) < 2


@pytest.mark.parametrize("text", ["想原地消失，永远的那种", "好想消失", "想从这个世界上消失"])
def test_vanishing_for_real(detector, text):
    assert level_of(detector, text) >= 2


@pytest.mark.parametrize("text", ["昨天打我语音的是我同学", "今天打我座机没人接"])
def test_collapsed_terms_need_a_real_repeat(detector, text):
    assert detector.scan(text).level == 0


def test_collapsed_terms_still_match_a_repeat(detector):
    assert level_of(detector, "他们天天打我", "bullying") >= 2
    assert level_of(detector, "他们天 天打我", "bullying") >= 2


@pytest.mark.parametrize(
    "text", ["如果我走了，你们会难过吗", "要是哪天我死了，会有人记得吗", "假如我离开这个世界，我妈会后悔吗"]
)
def test_conditional_ideation(detector, text):
    assert level_of(detector, text) >= 2


@pytest.mark.parametrize(
    "text", ["我走了，明天见", "要是我走了谁来开门？我去上补习班", "如果我赢了你请客", "要是我迟到了老师会骂我"]
)
def test_conditional_hard_negatives(detector, text):
    assert level_of(detector, text) < 2


@pytest.mark.parametrize("text", ["有时候想出个车祸就好了", "我死了他们就清净了吧", "被车撞死就解脱了"])
def test_death_with_relief(detector, text):
    assert level_of(detector, text) >= 2


@pytest.mark.parametrize("text", ["放假了终于清净了", "要是今天停电就好了", "考完就解脱了", "热死了，下雨就好了"])
def test_relief_without_death(detector, text):
    assert level_of(detector, text) < 2


@pytest.mark.parametrize("text", ["今晚就是最后一晚了", "这是我活着的最后一天", "过了今晚我就不在了"])
def test_last_night_without_method(detector, text):
    assert level_of(detector, text) >= 3


@pytest.mark.parametrize("text", ["今晚是军训的最后一晚", "这是我在外婆家的最后一晚", "明天是假期的最后一天"])
def test_last_night_of_something(detector, text):
    assert level_of(detector, text) < 2


@pytest.mark.parametrize(
    "text", ["叔叔亲了我，说这是我们的小秘密", "他让我脱衣服，说不许告诉你妈", "教练摸我大腿，说不能告诉任何人"]
)
def test_secrecy_with_touch(detector, text):
    assert level_of(detector, text, "sexual_abuse") >= 2


@pytest.mark.parametrize(
    "text",
    [
        "这是我们的小秘密，别告诉我妈我考了满分",
        "不许告诉我爸我给他买了礼物",
        "叔叔说给阿姨的惊喜是我们的小秘密",
        "爸爸亲了我一下",
    ],
)
def test_secrecy_hard_negatives(detector, text):
    assert level_of(detector, text, "sexual_abuse") < 2


@pytest.mark.parametrize(
    "text", ["校门口有几个高年级的要我交三十块", "初三的让我每周交保护费", "放学路上有人拦我，让我交十块钱"]
)
def test_extortion_at_the_school_gate(detector, text):
    assert level_of(detector, text, "bullying") >= 2


@pytest.mark.parametrize("text", ["同学要我交二十块班费", "老师让我交五十块资料费", "我妈要我交出来手机"])
def test_extortion_hard_negatives(detector, text):
    assert detector.scan(text).level < 2


def test_round4_rules_are_message_scope(detector, lexicon):
    new = {
        "conditional_death",
        "conditional_going",
        "death_relief",
        "secret_touch",
        "extortion_demand",
        "vanish_forever",
    }
    assert {rule["name"] for rule in lexicon["escalations"] if rule.get("scope") == "message"} >= new
    risk = ConversationRisk()
    for text in ["如果下雨", "我走了", "校门口见", "这是我们的小秘密", "就好了"]:
        before = risk.to_json()
        assert detector.scan_in_conversation(text, risk).level == 0
        assert risk.to_json() == before, text


def test_glad_someone_is_fine_is_no_death_wish(detector):
    assert level_of(detector, "表哥出车祸了，人没事就好了") < 2
