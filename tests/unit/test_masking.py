"""moderation.masking.mask_text: every kind of personal data replaced whole by its placeholder, offsets
into the original text, counseling content untouched; `manage.py mask_scan`'s line protocol; the
measured recall on the shipped set's test split (docs/architecture.md, "Masking"). No database."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from moderation.masking import PLACEHOLDERS, mask_text
from moderation.masking_eval import evaluate, load_labelled

CASES = [
    ("我手机号是13812345678，晚上打", "13812345678", "phone"),
    ("电话 138 1234 5678 谢谢", "138 1234 5678", "phone"),
    ("打我电话138-1234-5678", "138-1234-5678", "phone"),
    ("我的号码+86 13912345678", "+86 13912345678", "phone"),
    ("手机：１３９１２３４５６７８", "１３９１２３４５６７８", "phone"),
    ("家里座机010-62345678别打", "010-62345678", "phone"),
    ("心理室电话(0571)87654321", "(0571)87654321", "phone"),
    ("身份证11010519491231002X", "11010519491231002X", "id_card"),
    ("身份证号110105194912310021，输错了吗", "110105194912310021", "id_card"),  # checksum wrong
    ("身份证 110105 19491231 002X 是我的", "110105 19491231 002X", "id_card"),
    ("老身份证130503670401001", "130503670401001", "id_card"),
    ("卡号6222021234567890123给他了", "6222021234567890123", "bank_card"),
    ("转账到 6217 0012 3456 7890", "6217 0012 3456 7890", "bank_card"),
    ("邮箱zhang.wei@163.com可以发", "zhang.wei@163.com", "email"),
    ("发到123456789@qq.com", "123456789@qq.com", "email"),
    ("我QQ是 87654321 加我", "87654321", "qq"),
    ("扣扣：123456789", "123456789", "qq"),
    ("企鹅号９８７６５４３２", "９８７６５４３２", "qq"),
    ("加我vx：abc_12345，这里不方便", "abc_12345", "wechat"),
    ("微信号是wxid_k2j3h4g5", "wxid_k2j3h4g5", "wechat"),
    ("V信Lily_2008", "Lily_2008", "wechat"),
    ("我家住在建设路18号幸福小区3栋2单元401室", "建设路18号幸福小区3栋2单元401室", "address"),
    ("快递寄到杭州市西湖区文三路90号", "杭州市西湖区文三路90号", "address"),
    ("我在育才小学读五年级", "育才小学", "school"),
    ("明年想考杭州第二中学", "杭州第二中学", "school"),
    ("我叫张伟，今年初二", "张伟", "name"),
    ("我同桌欧阳娜娜总是欺负我", "欧阳娜娜", "name"),
    ("李明老师今天又骂我", "李明", "name"),
    ("那天刘霞把我的书扔了", "刘霞", "name"),  # no cue word: jieba's segmenter keeps it a word
    ("我想让王志强消失", "王志强", "name"),
    ("寄到上海市亮市新城余路V座 509005", "上海市亮市新城余路V座 509005", "address"),  # Faker's format
    ("我住在幸福小区3栋2单元401", "幸福小区3栋2单元401", "address"),
]


@pytest.mark.parametrize(("text", "value", "kind"), CASES)
def test_each_kind_is_masked_whole_with_offsets_into_the_original(text: str, value: str, kind: str) -> None:
    result = mask_text(text)
    start = text.index(value)
    assert [(s.start, s.end, s.kind) for s in result.spans] == [(start, start + len(value), kind)]
    assert result.masked == text.replace(value, PLACEHOLDERS[kind])
    # Whole: not one character of the value is left (no "139****1234").
    assert value not in result.masked
    assert not any(ch.isdigit() for ch in result.masked[start : start + len(PLACEHOLDERS[kind])])


def test_several_values_in_one_line_keep_their_order_and_offsets() -> None:
    text = "我叫王芳，电话13912345678，QQ 123456，住幸福小区5栋301室"
    result = mask_text(text)
    assert [s.kind for s in result.spans] == ["name", "phone", "qq", "address"]
    for s in result.spans:
        assert text[s.start : s.end] in {"王芳", "13912345678", "123456", "幸福小区5栋301室"}
    assert result.masked == "我叫〔姓名〕，电话〔手机号〕，QQ 〔QQ号〕，住〔地址〕"


@pytest.mark.parametrize(
    "text",
    [
        "我最近真的很焦虑，晚上睡不着，老是想考试的事",
        "老师，我不知道该怎么跟妈妈说",
        "我们学校的老师都不喜欢我，我不想去学校",
        "我今年15岁，上初三，这次月考考了580分，排名第35名",
        "心理老师说我可以打12355试试",
        "我爸说考不上一中就别回家",
        "谢谢你的鼓励和祝福！我明白了",
        "我跟张老师说过这件事",
        "我哥哥在上大学，他很少理我",
        "我们家住在城里，爷爷奶奶住在村里",
        "我的QQ被盗了，微信上也有人骂我",
        "凌晨2点了，距离高考还有180天",
        "我们班的同学都笑我",
        "朋友关系淡了，我想转学",
        "在风险中专心工作，错误中学习",
        "感觉大学生活好难",
        "",
    ],
)
def test_counseling_content_is_left_as_written(text: str) -> None:
    result = mask_text(text)
    assert result.spans == ()
    assert result.masked == text


def test_mask_scan_round_trip() -> None:
    lines: list[dict[str, object]] = [
        {"id": 1, "text": "我叫张伟，手机13812345678"},
        {"id": "b", "text": "我好难过"},
    ]
    stdin = io.StringIO("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\nnot json\n")
    out = io.StringIO()
    call_command("mask_scan", stdin=stdin, stdout=out)
    got = [json.loads(x) for x in out.getvalue().splitlines()]
    assert got[0] == {
        "id": 1,
        "masked": "我叫〔姓名〕，手机〔手机号〕",
        "spans": [{"start": 2, "end": 4, "kind": "name"}, {"start": 7, "end": 18, "kind": "phone"}],
    }
    assert got[1] == {"id": "b", "masked": "我好难过", "spans": []}
    assert got[2] == {"id": None, "error": "bad_line", "line": 4}
    assert len(got) == 3
    # The same masking the pages use.
    assert got[0]["masked"] == mask_text("我叫张伟，手机13812345678").masked


def test_mask_scan_reads_and_writes_files(tmp_path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": 7, "text": "邮箱a.b@163.com"}, ensure_ascii=False) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    call_command("mask_scan", str(source), "-o", str(target))
    assert json.loads(target.read_text(encoding="utf-8")) == {
        "id": 7,
        "masked": "邮箱〔邮箱〕",
        "spans": [{"start": 2, "end": 13, "kind": "email"}],
    }


# The aims (issue 10) and the test split's figures measured once (docs/architecture.md, "Masking").
AIMS = {
    "phone": 0.98,
    "id_card": 0.98,
    "bank_card": 0.98,
    "email": 0.98,
    "qq": 0.98,
    "wechat": 0.98,
    "name": 0.85,
    "school": 0.85,
    "address": 0.85,
}
MISSED = {
    "bank_card": (
        "test split recall 0.971 (68/70, all 70 masked whole): two 18-digit card numbers whose cue comes after"
        " them ('…这张卡') are masked as id_card (measured 2026-12-03)"
    ),
}


@pytest.fixture(scope="module")
def test_split_report():
    return evaluate(r for r in load_labelled() if r["split"] == "test")


@pytest.mark.parametrize(
    "kind",
    [pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=MISSED[k])) if k in MISSED else k for k in AIMS],
)
def test_test_split_recall_meets_the_aim(test_split_report, kind: str) -> None:
    assert test_split_report.kinds[kind].recall >= AIMS[kind]


def test_the_labelled_set_has_both_splits_and_clean_lines() -> None:
    rows = load_labelled()
    assert len(rows) >= 1000
    assert {r["split"] for r in rows} == {"dev", "test"}
    assert sum(1 for r in rows if not r["spans"]) >= 300
    for r in rows:
        for s in r["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(r["text"])
