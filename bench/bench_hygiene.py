"""What sanitizing one message costs: `moderation.hygiene.clean_text`, microseconds per message.

    .venv/bin/python bench/bench_hygiene.py [--against REV] [--repeat N]

It runs on every stored message (and every whisper, wrap-up, survey comment, left message), so
it is timed on what people actually send: plain Chinese, text with newlines, emoji sequences,
text with a stray `<` or `&`, and markup. `--against REV` loads `moderation/hygiene.py` as it
was at git revision REV (`git show`) and times both side by side in this process, so a change
is measured before and after on the same machine in the same run. Prints figures; asserts
nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthline.settings")

CORPUS: dict[str, list[str]] = {
    "plain Chinese": [
        "老师好，我最近压力特别大，晚上总是睡不着。",
        "期中考试又没考好，我爸妈肯定又要骂我了",
        "其实也没什么大事，就是想找个人说说话。",
        "有人在网上加我，说可以帮我刷游戏装备，要先转账，这靠谱吗？",
        "高考还有一百天，我每天都很焦虑，一看书就心慌。我就是觉得自己什么都做不好，很没用。" * 3,
    ],
    "newlines, tabs": [
        "第一件事：\n同学孤立我\n\n第二件事：\t老师也不管",
        "我想了很久\n还是想说出来\n你会不会觉得我很奇怪",
    ],
    "emoji": [
        "谢谢你😢😢 还好吗～",
        "我们一家👨\u200d👩\u200d👧 周末去公园了🏳️\u200d🌈",
        "👍🏽 好的，明白了",
    ],
    "stray < or &": [
        "数学考了 3<5 分之一的分数，a < b 这种题都不会",
        "I <3 you 老师",
        "AT&T 的卡能打 12355 吗？ 5 & 6 号有空",
    ],
    "markup": [
        "<b>你好</b>，老师 <i>救救我</i>",
        "<img src=x onerror=alert(1)//",
        "&lt;script&gt;alert(1)&lt;/script&gt; 测试",
        "<scr<script>ipt>alert(1)</script>",
    ],
}


def load_hygiene_at(revision: str):
    """moderation/hygiene.py as it was at a git revision, imported under another name."""
    source = subprocess.run(
        ["git", "show", f"{revision}:moderation/hygiene.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    handle, path = tempfile.mkstemp(suffix=".py", prefix="hygiene_at_")
    with os.fdopen(handle, "w") as out:
        out.write(source)
    spec = importlib.util.spec_from_file_location(f"hygiene_at_{revision}", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    os.unlink(path)
    return module


def microseconds_per_call(function, texts: list[str], repeat: int) -> float:
    """The median over 5 rounds of the mean cost of one call over `texts`, in microseconds."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(repeat):
            for text in texts:
                function(text)
        rounds.append((time.perf_counter() - started) / (repeat * len(texts)) * 1e6)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REV", help="also time moderation/hygiene.py at this git revision")
    parser.add_argument("--repeat", type=int, default=2000, help="calls of each text per round")
    args = parser.parse_args()

    from moderation import hygiene

    variants = {"now": hygiene.clean_text}
    if args.against:
        variants[args.against] = load_hygiene_at(args.against).clean_text

    names = list(variants)
    print(f"clean_text, microseconds per message (median of 5 rounds, {args.repeat} calls of each text a round)")
    print(f"{'kind of text':<16}" + "".join(f"{name:>14}" for name in names))
    for kind, texts in CORPUS.items():
        cells = [microseconds_per_call(variants[name], texts, args.repeat) for name in names]
        print(f"{kind:<16}" + "".join(f"{cell:>14.2f}" for cell in cells))
    if args.against:
        print("\nwhat each returns for the markup examples:")
        for text in CORPUS["markup"] + CORPUS["stray < or &"]:
            print(f"  {text!r}")
            for name in names:
                print(f"    {name:>10}: {variants[name](text)!r}")


if __name__ == "__main__":
    main()
