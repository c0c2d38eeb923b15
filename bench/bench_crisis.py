"""Crisis detector benchmark: messages/second and per-message latency on one core.

    python bench/bench_crisis.py [--messages 20000] [--seed 7] [--repeat 3] [--json]

No Django settings needed. The corpus mimics helpline traffic: mostly ordinary
chat (generated from templates plus the benign and hard-negative lines of
crisis/evaldata), about 8% risky lines from the labelled set. Figures printed:
the lexicon alone, the model alone and the combined detector (lexicon + model,
what every process runs): throughput, p50/p99 latency and the ratio; the bare keyword
automaton over raw text (no normalization, no context), their ratio, and the
cost of each normalization step per message (and of the alternatives the
detector avoids: OpenCC, unicodedata.normalize and pypinyin per message).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crisis.detection import ConversationRisk, Detector, load_shipped_lexicon  # noqa: E402
from crisis.detection.baseline import KeywordBaseline  # noqa: E402
from crisis.detection.fusion import FusedDetector, ModelOnly  # noqa: E402
from crisis.detection.normalize import _REPEAT  # noqa: E402
from crisis.evaluation import load_ours  # noqa: E402
from crisis.model.classifier import load_shipped_model  # noqa: E402

SUBJECTS = ["我", "我妈", "我爸", "同桌", "班主任", "我们班", "室友", "我弟", "我姐", "好朋友", "数学老师", "网友"]
EVENTS = [
    "今天又拖堂了",
    "说周末要去爬山",
    "把我的耳机借走了",
    "考试考了第三名",
    "让我们写两篇作文",
    "给我买了新鞋",
    "在食堂排队排了半小时",
    "晚上打游戏到十二点",
    "又在群里发表情包",
    "说下周要换座位",
    "感冒了没来上学",
    "报了一个编程班",
    "今天心情不太好",
    "跟我说了一个秘密",
    "问我要不要一起去看电影",
    "在追一部新剧",
]
TAILS = ["", "，好烦", "，哈哈哈", "，有点紧张", "，不知道怎么办", "。", "！", "，你觉得呢？", "，好开心", "…"]
CHATTER = [
    "嗯嗯",
    "好的",
    "谢谢老师",
    "在吗",
    "我想问个问题",
    "今天作业好多",
    "明天要月考了",
    "晚安",
    "你好",
    "我有点难过",
    "可以聊聊吗",
    "哈哈哈哈哈",
    "我不知道该怎么说",
    "是的",
    "好像是这样",
    "我再想想",
    "Thanks!",
    "ok",
    "😂😂😂",
    "我好困啊今天上了八节课",
    "周末作业太多了写不完",
]


def build_corpus(size: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    labelled = load_ours()
    benign = [m.text for m in labelled if m.level == 0]
    risky = [m.text for m in labelled if m.level >= 2]
    corpus: list[str] = []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.08:
            corpus.append(rng.choice(risky))
        elif roll < 0.30:
            corpus.append(rng.choice(benign))
        elif roll < 0.50:
            corpus.append(rng.choice(CHATTER))
        else:
            corpus.append(rng.choice(SUBJECTS) + rng.choice(EVENTS) + rng.choice(TAILS))
    return corpus


REPEAT = 1  # set by --repeat


def timed_run(function: Callable[[str], object], corpus: list[str]) -> tuple[float, list[int]]:
    """Throughput (messages/s) from a tight loop, latencies (ns) from a per-call loop.

    With --repeat N (the machine is shared): throughput of the fastest of N passes, and
    each message's latency the smallest of its N measurements, so another process
    taking the core for a moment does not count as the detector's time.
    """
    for text in corpus[:2000]:  # warm up caches
        function(text)
    gc.disable()
    try:
        elapsed = float("inf")
        for _ in range(REPEAT):
            start = time.perf_counter()
            for text in corpus:
                function(text)
            elapsed = min(elapsed, time.perf_counter() - start)
        clock = time.perf_counter_ns
        latencies: list[int] = []
        for round_ in range(REPEAT):
            for index, text in enumerate(corpus):
                t0 = clock()
                function(text)
                spent = clock() - t0
                if round_ == 0:
                    latencies.append(spent)
                elif spent < latencies[index]:
                    latencies[index] = spent
    finally:
        gc.enable()
    return len(corpus) / elapsed, latencies


def per_message_us(function: Callable[[str], object], corpus: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in corpus:
            function(text)
        best = min(best, time.perf_counter() - start)
    return best / len(corpus) * 1e6


def percentile(values: list[int], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] / 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="passes per measurement: best throughput, per-message minimum latency (default 3)",
    )
    args = parser.parse_args()
    global REPEAT
    REPEAT = max(1, args.repeat)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    document = load_shipped_lexicon()
    t0 = time.perf_counter()
    detector = Detector.from_lexicon(document)
    compile_s = time.perf_counter() - t0
    baseline = KeywordBaseline.from_lexicon(document)
    corpus = build_corpus(args.messages, args.seed)
    mean_chars = statistics.mean(len(t) for t in corpus)

    detector_rate, detector_latency = timed_run(detector.scan, corpus)
    t0 = time.perf_counter()
    model = load_shipped_model()
    model_load_s = time.perf_counter() - t0
    fused = FusedDetector(detector, model)
    model_only = ModelOnly(detector, model)
    model_rate, model_latency = timed_run(model_only.scan, corpus)
    fused_rate, fused_latency = timed_run(fused.scan, corpus)

    fused_conversation = ConversationRisk()  # one long conversation

    def fused_in_conversation(text: str) -> None:
        fused.scan_in_conversation(text, fused_conversation)

    fused_conversation_rate, _ = timed_run(fused_in_conversation, corpus)
    long_corpus = [t for t in corpus if len(t) >= 60] or corpus
    _long_rate, long_latency = timed_run(fused.scan, long_corpus)
    bare_rate, bare_latency = timed_run(baseline.has_match, corpus)
    baseline_rate, _ = timed_run(baseline.scan, corpus)

    lexicon_conversation = ConversationRisk()  # one long conversation

    def in_conversation(text: str) -> None:
        detector.scan_in_conversation(text, lexicon_conversation)

    conversation_rate, _ = timed_run(in_conversation, corpus)

    normalizer = detector._normalizer
    translated = [t.translate(normalizer._dense) for t in corpus]
    normalized = [normalizer.normalize(t) for t in corpus]
    slow_share = sum(1 for n in normalized if detector._wakes(n)) / len(corpus)
    hit_texts = [t for t, n in zip(corpus, normalized, strict=True) if detector._wakes(n)]

    # State writes: the chat stores ConversationRisk whenever to_json() changes. Count how
    # often a level-0 message changes it, over conversations of 20 messages.
    level0 = level0_writes = 0
    for offset in range(0, len(corpus), 20):
        risk = ConversationRisk()
        for text in corpus[offset : offset + 20]:
            before = risk.to_json()
            if detector.scan_in_conversation(text, risk).level == 0:
                level0 += 1
                level0_writes += risk.to_json() != before

    import opencc
    from pypinyin import lazy_pinyin

    converter = opencc.OpenCC("t2s")
    steps = {
        "normalize, fast path (translate + repeat check)": per_message_us(normalizer.normalize, corpus),
        "  per-character table, dense list (NFKC+case+t2s+separators+emoji)": per_message_us(
            lambda t: t.translate(normalizer._dense), corpus
        ),
        "  same table as a dict (KeyError per unmapped char)": per_message_us(
            lambda t: t.translate(normalizer.table), corpus
        ),
        "  repeat-collapse check (regex search)": per_message_us(_REPEAT.search, translated),
        "  repeat-collapse substitution (regex sub, if always run)": per_message_us(
            lambda t: _REPEAT.sub(r"\1", t), translated
        ),
        "trigger automaton pass (normalized text, exact keys)": per_message_us(
            lambda t: next(iter(detector._triggers.iter(t)), None), normalized
        ),
        "fast path wake check (filler deletion + skeleton automaton)": per_message_us(detector._wakes, normalized),
        "normalize with offset map (slow path only)": per_message_us(normalizer.normalize_with_offsets, corpus),
        "full analysis, messages that hit a trigger": per_message_us(lambda t: detector._analyze(t, None), hit_texts)
        if hit_texts
        else 0.0,
        "ALTERNATIVE: OpenCC t2s convert per message": per_message_us(converter.convert, corpus),
        "ALTERNATIVE: unicodedata.normalize('NFKC') per message": per_message_us(
            lambda t: unicodedata.normalize("NFKC", t), corpus
        ),
        "ALTERNATIVE: str.lower per message": per_message_us(str.lower, corpus),
        "ALTERNATIVE: pypinyin lazy_pinyin per message": per_message_us(lazy_pinyin, corpus[:2000], repeat=1),
    }
    results: dict[str, Any] = {  # JSON figures, one level of nesting
        "messages": len(corpus),
        "mean_chars": round(mean_chars, 1),
        "lexicon_version": detector.version,
        "compile_seconds": round(compile_s, 3),
        "detector": {
            "messages_per_s": round(detector_rate),
            "p50_us": round(percentile(detector_latency, 0.50), 2),
            "p99_us": round(percentile(detector_latency, 0.99), 2),
            "max_us": round(max(detector_latency) / 1000, 1),
        },
        "model_version": model.version,
        "model_load_seconds": round(model_load_s, 3),
        "model_alone": {
            "messages_per_s": round(model_rate),
            "p50_us": round(percentile(model_latency, 0.50), 2),
            "p99_us": round(percentile(model_latency, 0.99), 2),
        },
        "combined": {
            "messages_per_s": round(fused_rate),
            "p50_us": round(percentile(fused_latency, 0.50), 2),
            "p99_us": round(percentile(fused_latency, 0.99), 2),
            "max_us": round(max(fused_latency) / 1000, 1),
            "p99_us_messages_of_60_chars_or_more": round(percentile(long_latency, 0.99), 2),
            "scan_in_conversation_messages_per_s": round(fused_conversation_rate),
        },
        "combined_vs_lexicon_cost_ratio": round(detector_rate / fused_rate, 2),
        # 1 / mean of the per-message minimum latencies: what a core would do undisturbed by
        # other processes (the tight-loop figure above counts their time too).
        "from_minimum_latencies_messages_per_s": {
            "lexicon": round(1e9 * len(detector_latency) / sum(detector_latency)),
            "model": round(1e9 * len(model_latency) / sum(model_latency)),
            "combined": round(1e9 * len(fused_latency) / sum(fused_latency)),
        },
        "bare_automaton": {
            "messages_per_s": round(bare_rate),
            "p50_us": round(percentile(bare_latency, 0.50), 2),
            "p99_us": round(percentile(bare_latency, 0.99), 2),
        },
        "keyword_baseline_with_results": {"messages_per_s": round(baseline_rate)},
        "scan_in_conversation": {"messages_per_s": round(conversation_rate)},
        "detector_vs_bare_automaton_cost_ratio": round(bare_rate / detector_rate, 2),
        "share_taking_slow_path": round(slow_share, 4),
        "level0_state_write_share": round(level0_writes / level0, 4) if level0 else 0.0,
        "steps_us_per_message": {name: round(us, 3) for name, us in steps.items()},
    }
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(
        f"corpus: {len(corpus)} messages, mean {mean_chars:.1f} characters; lexicon {detector.version} "
        f"compiled in {compile_s:.2f} s; one core; best of {REPEAT} passes; load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    d, b = results["detector"], results["bare_automaton"]
    m, f = results["model_alone"], results["combined"]
    print(
        f"lexicon alone (scan):   {d['messages_per_s']:>9,} msg/s   "
        f"p50 {d['p50_us']:6.2f} µs   p99 {d['p99_us']:6.2f} µs"
    )
    print(
        f"model alone:            {m['messages_per_s']:>9,} msg/s   "
        f"p50 {m['p50_us']:6.2f} µs   p99 {m['p99_us']:6.2f} µs"
        f"   (model {model.version}, loaded in {model_load_s:.2f} s)"
    )
    print(
        f"combined (the detector):{f['messages_per_s']:>9,} msg/s   "
        f"p50 {f['p50_us']:6.2f} µs   p99 {f['p99_us']:6.2f} µs"
        f"   max {f['max_us']:.0f} µs; p99 on messages >= 60 chars {f['p99_us_messages_of_60_chars_or_more']:.1f} µs"
    )
    undisturbed = results["from_minimum_latencies_messages_per_s"]
    print(
        f"from the per-message minimum latencies (1 / mean): lexicon {undisturbed['lexicon']:,} msg/s, "
        f"model {undisturbed['model']:,} msg/s, combined {undisturbed['combined']:,} msg/s "
        f"({undisturbed['lexicon'] / undisturbed['combined']:.2f}x the lexicon's cost)"
    )
    print(
        f"combined costs {results['combined_vs_lexicon_cost_ratio']}x the lexicon alone; "
        f"combined scan_in_conversation {f['scan_in_conversation_messages_per_s']:,} msg/s"
    )
    print(
        f"bare automaton (raw):   {b['messages_per_s']:>9,} msg/s   "
        f"p50 {b['p50_us']:6.2f} µs   p99 {b['p99_us']:6.2f} µs"
    )
    print(f"keyword baseline scan:  {results['keyword_baseline_with_results']['messages_per_s']:>9,} msg/s")
    print(f"scan_in_conversation:   {results['scan_in_conversation']['messages_per_s']:>9,} msg/s")
    print(
        f"detector costs {results['detector_vs_bare_automaton_cost_ratio']}x the bare automaton; "
        f"{slow_share:.1%} of messages take the slow path (context analysis)"
    )
    print(
        f"state writes caused by level-0 messages in conversations: {results['level0_state_write_share']:.2%} "
        f"of {level0:,}"
    )
    print("cost per message (µs):")
    for name, us in steps.items():
        print(f"  {us:8.3f}  {name}")
    target, p99_target = 30_000, 300.0
    met = f["messages_per_s"] >= target and f["p99_us"] < p99_target
    met_undisturbed = undisturbed["combined"] >= target and f["p99_us"] < p99_target
    print(
        f"target for the combined detector, >= {target:,} msg/s with p99 < {p99_target:.0f} µs: "
        f"{'met' if met else 'NOT met'} (tight loop); {'met' if met_undisturbed else 'NOT met'} "
        "(from minimum latencies)"
    )


if __name__ == "__main__":
    main()
