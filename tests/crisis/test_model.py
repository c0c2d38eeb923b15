"""The learned model beside the lexicon: data splits, training, the artifact, the fusion rule, runtime.

Run: cd /work/main && python -m pytest tests/crisis/test_model.py -q
(the training test needs numpy, scipy and scikit-learn: the `test` extra has them).
"""

from __future__ import annotations

import json

import pytest

from crisis.detection import ConversationRisk, Detector, ScanResult, load_shipped_lexicon
from crisis.detection.fusion import FusedDetector, decide
from crisis.model import dataset
from crisis.model.classifier import HEADS, CrisisModel, ModelScore, load_shipped_model, ngrams, shipped_model_path


@pytest.fixture(scope="module")
def lexicon() -> Detector:
    return Detector.from_lexicon(load_shipped_lexicon())


@pytest.fixture(scope="module")
def model() -> CrisisModel:
    return load_shipped_model()


@pytest.fixture(scope="module")
def fused(lexicon, model) -> FusedDetector:
    return FusedDetector(lexicon, model)


THRESHOLDS = {"floor": 0.4, "alert": 0.5, "concern": 0.4, "category": 0.35, "high": 0.5, "imminent": 0.8}


def stub_model(
    weights: dict[str, dict[str, float]], thresholds: dict | None = None, version: str = "stub"
) -> CrisisModel:
    """A tiny artifact whose heads fire on exactly the n-grams given (bias -6, so nothing else)."""
    heads = {name: {"bias": -6.0, "weights": dict(weights.get(name, {}))} for name in HEADS}
    return CrisisModel(
        {
            "format": 1,
            "version": version,
            "ngram_orders": [2, 3, 4],
            "thresholds": {**THRESHOLDS, **(thresholds or {})},
            "heads": heads,
        }
    )


def fires(*grams: str, heads=("alert", "suicide")) -> dict[str, dict[str, float]]:
    return {head: dict.fromkeys(grams, 12.0) for head in heads}


# -- data and splits -------------------------------------------------------------------


@pytest.fixture(scope="module")
def rows() -> list[dataset.Row]:
    return dataset.load_rows()


def test_every_row_has_a_fixed_split_and_the_holdouts_are_test(rows):
    splits = dataset.load_splits()
    assert {row.key for row in rows} <= set(splits), "a row without a split: run python -m crisis.model.dataset"
    for row in rows:
        if row.source.startswith("holdout") or row.key.startswith("ours:holdout-"):
            assert splits[row.key] == "test", row.key
        if row.source in ("dev2", "dev3", "dev4"):
            assert splits[row.key] in ("train", "excluded"), row.key  # the lexicon was tuned on them
    groups: dict[str, set[str]] = {}
    for row in rows:
        if splits[row.key] != "excluded":
            groups.setdefault(row.group, set()).add(splits[row.key])
    assert all(len(found) == 1 for found in groups.values()), "a group (template, dialogue) spans two splits"


def test_no_near_duplicate_crosses_splits(rows):
    splits = dataset.load_splits()
    kept = [row for row in rows if splits[row.key] != "excluded"]
    crossing = [
        (kept[i].key, kept[j].key, round(score, 2))
        for i, j, score in dataset.near_duplicate_pairs([row.text for row in kept])
        if splits[kept[i].key] != splits[kept[j].key]
    ]
    assert crossing == []


def test_near_duplicate_detection_finds_paraphrase_copies():
    texts = [
        "我把药都攒够了，放在书包夹层里",
        "我把药都攒够了，放在书包夹层里。",
        "今天数学作业好多",
        "完全不同的一句话",
    ]
    pairs = {(i, j) for i, j, _ in dataset.near_duplicate_pairs(texts, max_postings=10)}
    assert (0, 1) in pairs and (2, 3) not in pairs


def test_the_own_set_covers_every_family_and_category(rows):
    own = [row for row in rows if row.source == "yl2"]
    assert (
        len(own)
        + sum(1 for r in rows if r.source in ("ours", "dev2", "dev3", "dev4", "holdout2", "holdout3", "holdout4"))
        >= 3000
    )
    kinds = {row.kind.removesuffix("_long") for row in own}
    for family in (
        "method_time",
        "means_in_hand",
        "method_question",
        "pact",
        "aborted_attempt",
        "decision",
        "english",
        "mixed",
        "shorthand",
        "pinyin_sexual_abuse",
        "pinyin_bullying",
        "implicit_sexual_abuse",
        "hyperbole",
        "idiom",
        "news",
        "fiction",
        "game",
        "past_resolved",
    ):
        assert family in kinds, family
    categories = {c for row in own for c in row.categories}
    assert categories == {"suicide", "self_harm", "bullying", "sexual_abuse", "violence", "fraud"}
    assert any(row.kind.endswith("_long") for row in own)


def test_issue_examples_are_not_in_the_data(rows):
    for example in (
        "绳子买好了，周五晚上",
        "药都攒够了，就在抽屉里",
        "昨晚在天桥上站了很久，最后还是下来了",
        "决定了，就这周",
        "honestly i dont want to be alive anymore",
        "我想 end it",
        "他逼我做那种事",
    ):
        assert not any(example in row.text for row in rows), example


# -- training ----------------------------------------------------------------------------


def _small_set(rows):
    """About 400 shipped rows (own set and SmileChat), their fixed splits: training takes seconds."""
    splits = dataset.load_splits()
    picked = [r for r in rows if r.source == "yl2" and splits[r.key] == "train"][::5]
    picked += [r for r in rows if r.source == "smile" and splits[r.key] == "train"][::40]
    return picked, {r.key: "train" for r in picked}


def test_training_is_reproducible_from_a_seed(rows):
    pytest.importorskip("sklearn", reason="training needs the train extra (numpy, scipy, scikit-learn)")
    from crisis.model import train

    small, splits = _small_set(rows)
    first = train.train(seed=5, rows=small, splits=splits, tune=False)
    second = train.train(seed=5, rows=small, splits=splits, tune=False)
    assert first["heads"] == second["heads"] and first["training_data_hash"] == second["training_data_hash"]
    assert first["seed"] == 5 and first["training_rows"] == len(small) and first["augmented_rows"] > 0
    trained = CrisisModel(first)
    assert set(trained.meta) >= {"training_data_hash", "seed", "lexicon_version", "created", "thresholds"}
    extra = train.train(
        seed=5,
        rows=small,
        splits=splits,
        tune=False,
        extra_rows=lambda: [{"id": "v1", "text": "我想从天台下去，今晚", "level": 4, "categories": ["suicide"]}],
    )
    assert extra["training_rows"] == len(small) + 1 and extra["training_data_hash"] != first["training_data_hash"]


def test_augmentation_uses_the_lexicon_evasions(lexicon):
    pytest.importorskip("pypinyin")
    import random

    from crisis.model.train import Augmenter

    augmenter = Augmenter(load_shipped_lexicon(), lexicon.normalize)
    variants = augmenter.variants("我被性侵了，不敢说", random.Random(1), 12)
    assert any("xingqin" in v or "xq" in v or "x q" in v or "xing qin" in v for v in variants)
    assert any(
        v != "我被性侵了，不敢说" and lexicon.normalize(v) != lexicon.normalize("我被性侵了，不敢说") for v in variants
    )


# -- the artifact ----------------------------------------------------------------------------


def test_shipped_artifact_is_versioned_small_and_documented(model):
    path = shipped_model_path()
    assert path.name == "model-v1.json" and path.stat().st_size < 5_000_000
    assert model.version == "v1"
    assert model.meta["training_data_hash"] and model.meta["seed"] == 8
    assert set(model.thresholds) >= {"alert", "concern", "category", "high", "imminent", "floor"}
    report = json.loads(path.with_name("model-v1.test-report.json").read_text(encoding="utf-8"))
    assert report["model_version"] == "v1" and report["training_data_hash"] == model.meta["training_data_hash"]


def test_an_artifact_of_another_format_is_refused():
    with pytest.raises(ValueError):
        CrisisModel({"format": 99, "version": "x", "heads": {}, "thresholds": {}})
    with pytest.raises(ValueError):
        CrisisModel({"format": 1, "version": "x", "heads": {"alert": {"bias": 0, "weights": {}}}, "thresholds": {}})


def test_ngrams_are_distinct_and_ignore_one_or_two_latin_letters():
    assert ngrams("想死了", (2, 3)) == {"想死", "死了", "想死了"}
    assert ngrams("version", (2,)) == set()  # no Latin bigram: si in version is not 死
    assert "kms" in ngrams("kms", (2, 3, 4))


def test_gate_only_below_the_floor(model):
    score = model.score("今天数学作业好多")
    assert score.categories == () or score.alert >= model.thresholds["floor"]
    full = model.score("今天数学作业好多", full=True)
    assert len(full.categories) == 6 and 0.0 <= full.high <= 1.0


# -- the fusion rule -------------------------------------------------------------------------


def test_model_raises_a_message_the_lexicon_misses(lexicon):
    fused = FusedDetector(lexicon, stub_model(fires("天台边上")))
    assert lexicon.scan("我在天台边上坐着").level == 0
    result = fused.scan("我在天台边上坐着")
    assert result.level == 2 and result.categories == ("suicide",)
    (finding,) = result.findings
    assert finding.term == "model:stub" and "天台边上" in "我在天台边上坐着"[finding.start : finding.end]
    assert "model stub" in result.explain() and "raised by the model: suicide 2" in result.explain()


def test_model_level_heads_make_3_and_4(lexicon):
    text = "我在天台边上坐着"
    high = FusedDetector(lexicon, stub_model(fires("天台边上", heads=("alert", "suicide", "high"))))
    assert high.scan(text).level == 3
    imminent = FusedDetector(lexicon, stub_model(fires("天台边上", heads=("alert", "suicide", "high", "imminent"))))
    assert imminent.scan(text).level == 4
    never = FusedDetector(
        lexicon, stub_model(fires("天台边上", heads=("alert", "suicide", "high", "imminent")), {"imminent": 1.01})
    )
    assert never.scan(text).level == 3


def test_model_never_lowers_the_lexicon(lexicon):
    text = "我刚吞了一整瓶安眠药"
    silent = FusedDetector(lexicon, stub_model({}))
    assert silent.scan(text).level == lexicon.scan(text).level == 4
    assert silent.scan(text).categories == lexicon.scan(text).categories


def test_category_must_agree_with_the_gate(lexicon):
    gate_only = FusedDetector(lexicon, stub_model(fires("天台边上", heads=("alert",))))
    assert gate_only.scan("我在天台边上坐着").level == 0  # no category head above `category`


def test_a_lexicon_concern_word_lowers_the_bar(lexicon):
    # Half-way weights: P(alert) between concern (0.4) and alert (0.5) thresholds.
    weights = {"alert": {"好累": 5.85}, "suicide": {"好累": 12.0}}
    fused = FusedDetector(lexicon, stub_model(weights))
    assert 0.4 <= fused.model.score("好累", full=True).alert < 0.5
    assert lexicon.scan("活着好累，好累").level == 1
    assert fused.scan("活着好累，好累").level == 2  # corroborated by the lexicon's level-1 word
    assert fused.scan("今天跑步好累，腿疼").level == 0  # the same score alone is not enough


def test_a_sentence_the_lexicon_judged_stays_judged(lexicon):
    fused = FusedDetector(lexicon, stub_model(fires("想死", "天台边上")))
    assert lexicon.scan("我没有想死").suppressed
    assert fused.scan("我没有想死").level == 0  # negated: the model may not overrule it
    assert fused.scan("热死了，想死的心都有").level == lexicon.scan("热死了，想死的心都有").level
    # ... but a risk in another sentence of the same message is still the model's to see.
    result = fused.scan("我没有想死。但我现在在天台边上")
    assert result.level == 2 and any(f.term == "model:stub" for f in result.findings)


def test_too_short_for_the_model_alone(lexicon):
    fused = FusedDetector(lexicon, stub_model(fires("好了")))
    assert fused.scan("好了").level == 0
    assert fused.scan("我都准备好了").level == 2


def test_decide_is_the_rule_the_tuning_uses(lexicon):
    model = stub_model(fires("天台边上"))
    score = model.score("", full=True, grams=ngrams("我在天台边上", model.orders))
    assert decide(lexicon.scan("我在天台边上"), score, model.thresholds) == ("suicide", 2)
    quiet = ModelScore("stub", 0.1, 0.0, 0.0, (("suicide", 0.1),))
    assert decide(lexicon.scan("我在天台边上"), quiet, model.thresholds) is None


def test_model_evidence_accumulates_across_messages(lexicon):
    """A model alert is remembered as ideation: means and a time named later make it imminent."""
    conversation = ["我想试试那个方法", "家里有一整瓶安眠药", "今晚爸妈不在家"]
    risk = ConversationRisk()
    assert [lexicon.scan_in_conversation(t, risk).level for t in conversation] == [0, 0, 0]
    fused = FusedDetector(lexicon, stub_model(fires("那个方法", heads=("alert", "suicide", "high"))))
    risk = ConversationRisk()
    levels = []
    for text in conversation:
        levels.append(fused.scan_in_conversation(text, risk).level)
        risk = ConversationRisk.from_json(risk.to_json())  # stored between messages, as the chat does
    assert levels[0] == 3 and levels[-1] == 4
    assert risk.category_peaks["suicide"] == 4


def test_a_benign_message_changes_the_state_exactly_as_the_lexicon_does(fused, lexicon):
    """The model adds no state writes of its own below an alert (the chat writes when to_json() changes)."""
    for conversation in (["明天要月考了", "今天数学作业好多", "明天要月考了"], ["嗯嗯", "谢谢老师", "晚安"]):
        alone, combined = ConversationRisk(), ConversationRisk()
        for text in conversation:
            assert fused.scan_in_conversation(text, combined).level == lexicon.scan_in_conversation(text, alone).level
            assert combined.to_json() == alone.to_json()


def test_fused_results_keep_the_api(fused):
    result = fused.scan("我不想活了")
    assert isinstance(result, ScanResult) and result.level >= 2 and result.model is not None
    assert result.excerpt("我不想活了") == "我不想活了"
    assert fused.version == load_shipped_lexicon()["version"] and fused.model_version == "v1"
    assert fused.scan("") == ScanResult(level=0, categories=(), findings=())
    assert "lexicon: " in result.explain() and "model v1" in result.explain()


# -- the issue's families, new phrasings (combined detector, shipped model) -------------------


def missed(text: str, why: str):
    """A phrasing model v1 misses: recorded, and the test fails loudly once a model catches it."""
    return pytest.param(text, marks=pytest.mark.xfail(strict=True, reason=f"model v1 misses it: {why}"))


def level(fused, text: str, category: str = "suicide") -> int:
    result = fused.scan(text)
    return max((f.level for f in result.findings if f.category == category), default=0)


class TestMethodAndTimeWithoutADeathWord:
    @pytest.mark.parametrize(
        "text",
        [
            missed("炭和胶带都备齐了，等下周一早上", "alert p 0.42 < 0.5; 胶带 and 备齐 unseen"),
            "刀片我已经买好了，今晚十二点以后",
        ],
    )
    def test_alerts_high(self, fused, text):
        assert level(fused, text) >= 3


class TestMeansInHand:
    @pytest.mark.parametrize("text", ["攒了一整盒安眠药，藏在床垫下面", "我把外婆的药都存起来了，有好几十片"])
    def test_alerts_high(self, fused, text):
        assert level(fused, text) >= 3


class TestMethodQuestions:
    @pytest.mark.parametrize("text", [missed("吃多少片退烧药才会醒不过来", "alert p 0.36"), "从十五楼下去会不会很疼"])
    def test_alerts(self, fused, text):
        assert level(fused, text) >= 2


class TestPacts:
    @pytest.mark.parametrize(
        "text",
        [
            "有没有人一起去江边，就这周六",
            missed("找几个人一起烧炭，我出钱买炭", "alert p 0.39; the lexicon reads 烧炭 as a topic (1)"),
        ],
    )
    def test_alerts(self, fused, text):
        assert level(fused, text) >= 2


class TestAbortedOrInterruptedAttempts:
    @pytest.mark.parametrize(
        "text",
        [
            missed("上周我把药倒出来又装回去了，没敢吃", "alert p 0.44"),
            missed("前几天在江边坐到半夜，后来还是回家了", "alert p 0.25"),
        ],
    )
    def test_alerts(self, fused, text):
        assert level(fused, text) >= 2


class TestDecisionTaken:
    @pytest.mark.parametrize("text", ["我想好了，下周就结束这一切", "日子我已经选好了，不会再拖"])
    def test_alerts(self, fused, text):
        assert level(fused, text) >= 2


class TestEnglishAndMixed:
    @pytest.mark.parametrize(
        "text",
        [
            "i just want everything to stop, i dont want to live",
            "我真的 want to disappear forever",
            "lowkey wanna kms tonight",
        ],
    )
    def test_alerts(self, fused, text):
        assert level(fused, text) >= 2

    @pytest.mark.parametrize("text", ["see you at practice tomorrow", "can you help me with my math homework"])
    def test_everyday_english_does_not(self, fused, text):
        assert fused.scan(text).level < 2


class TestPinyinForAbuseAndBullying:
    @pytest.mark.parametrize(
        "text,category",
        [
            pytest.param(
                "我在学校一直被qifu",
                "bullying",
                marks=pytest.mark.xfail(
                    strict=True, reason="model v1 misses it: alert p 0.52 but bullying p 0.13 < 0.35"
                ),
            ),
            pytest.param(
                "他对我xingqin过",
                "sexual_abuse",
                marks=pytest.mark.xfail(strict=True, reason="model v1 misses it: alert p 0.49, sexual_abuse p 0.05"),
            ),
            pytest.param(
                "宿舍那几个人总是bl我",
                "bullying",
                marks=pytest.mark.xfail(strict=True, reason="model v1 misses it: alert p 0.33"),
            ),
            pytest.param(
                "初中那会儿我被表舅xq过",
                "sexual_abuse",
                marks=pytest.mark.xfail(strict=True, reason="model v1 misses it: alert p 0.42, sexual_abuse p 0.07"),
            ),
        ],
    )
    def test_alerts(self, fused, text, category):
        assert level(fused, text, category) >= 2


class TestSexualAbuseWithoutAnAbuseWord:
    @pytest.mark.parametrize(
        "text",
        [
            missed("舅舅晚上会进我房间，掀我的被子", "alert p 0.68 but sexual_abuse p 0.20"),
            "他逼我碰他那里，还说不许告诉别人",
        ],
    )
    def test_alerts(self, fused, text):
        assert level(fused, text, "sexual_abuse") >= 2


class TestHardNegatives:
    @pytest.mark.parametrize(
        "text",
        [
            "笑死我了，这个视频太好笑了",
            "今天体育课跑了三千米，累死了",
            "小说里的主角最后跳崖了，好虐",
            "游戏里我又被对面杀了五次",
            "我不会伤害自己的，放心",
            "我攒了好多零花钱想买球鞋",
        ],
    )
    def test_do_not_alert(self, fused, text):
        assert fused.scan(text).level < 2


class TestLongMessages:
    def test_the_risk_is_one_clause_among_many(self, fused):
        text = (
            "今天又下雨了，班主任让我们周五交报告，食堂的饭越来越难吃。其实药我已经攒了好几十片了，藏在衣柜里。"
            "晚上还要上补习班，英语听写也没过。"
        )
        assert fused.scan(text).level >= 3


# -- runtime -------------------------------------------------------------------------------


@pytest.fixture()
def fresh_runtime(monkeypatch):
    from crisis import runtime

    monkeypatch.setattr(runtime, "_newest_version", lambda: 0)
    for name, value in (
        ("_detector", None),
        ("_loaded_version", 0),
        ("_checked_at", 0.0),
        ("_model", None),
        ("_model_failed", False),
        ("_fused", None),
    ):
        monkeypatch.setattr(runtime, name, value)
    return runtime


def test_every_process_scans_with_lexicon_and_model(fresh_runtime):
    detector = fresh_runtime.current_detector()
    assert isinstance(detector, FusedDetector) and detector.model_version == "v1"
    assert fresh_runtime.current_detector() is detector  # loaded once, reused


def test_a_model_is_swapped_in_without_a_restart(fresh_runtime, lexicon):
    first = fresh_runtime.current_detector()
    fresh_runtime.install_model(stub_model({}, version="v2"))
    second = fresh_runtime.current_detector()
    assert second is not first and second.model_version == "v2" and second.lexicon is first.lexicon


def test_a_broken_model_file_leaves_the_lexicon_scanning(fresh_runtime, settings, tmp_path):
    broken = tmp_path / "model-v9.json"
    broken.write_text("{not json", encoding="utf-8")
    settings.CRISIS_MODEL_PATH = str(broken)
    detector = fresh_runtime.current_detector()
    assert isinstance(detector, Detector) and detector.scan("我不想活了").level >= 2
