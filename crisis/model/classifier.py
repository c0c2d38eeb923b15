"""The learned second opinion at message speed: char n-gram linear heads, pure Python.

An artifact (crisis/model/artifacts/model-vN.json, written by crisis/model/train.py)
holds, per head, a bias and a sparse ``{n-gram: weight}`` table over the
*normalized* text (the lexicon's normalizer: case, width, traditional characters,
separators and emoji are already undone). Heads:

* ``alert``      level >= 2 in any category (the gate: scored for every message);
* ``high``       level >= 3;  ``imminent``  level 4;
* one head per category (suicide, self_harm, bullying, sexual_abuse, violence, fraud):
  that category at level >= 2.

Scoring a head is ``sigmoid(bias + sum(weight[g] for g in the distinct n-grams))``: one
``map`` of ``dict.get`` over the message's n-grams, done in C. Only the gate runs
for every message; the other heads run when the gate is above ``floor`` or the
lexicon found something (crisis/detection/fusion.py).
"""

from __future__ import annotations

import gzip
import json
import math
import re
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

MODEL_FORMAT = 1
CATEGORY_HEADS = ("suicide", "self_harm", "bullying", "sexual_abuse", "violence", "fraud")
LEVEL_HEADS = ("alert", "high", "imminent")
HEADS = (*LEVEL_HEADS, *CATEGORY_HEADS)
_OTHER_HEADS = ("high", "imminent", *CATEGORY_HEADS)  # the heads scored past the gate, in this order

_MAX_SLICED = 1024  # longer messages are cut: the first 1,024 normalized characters are scored
_SLICE_CACHE: dict[tuple[tuple[int, ...], int], tuple[slice, ...]] = {}
_ZEROS = repeat(0.0)
_LATIN = re.compile("[a-z]")


def ngrams(normalized: str, orders: tuple[int, ...] = (1, 2, 3, 4)) -> set[str]:
    """The distinct char n-grams of the normalized text (the features are binary: present or not).

    One ``map`` over a tuple of slice objects cached per (orders, length): the n-grams
    are cut in C, a third of the cost of one pass per order.
    """
    text = normalized[:_MAX_SLICED]
    key = (orders, len(text))
    slices = _SLICE_CACHE.get(key)
    if slices is None:
        slices = tuple(slice(i, i + n) for n in orders for i in range(len(text) - n + 1))
        _SLICE_CACHE[key] = slices  # bounded: at most len(orders seen) x _MAX_SLICED entries
    out = set(map(text.__getitem__, slices))
    # One or two Latin letters say nothing: the first models learned s, z, si, xq from the
    # evasions 想s, zs, si (死), xq and alerted on English words (version, missing).
    # Latin evidence starts at three letters; Chinese at two characters.
    if _LATIN.search(text) is not None:
        return {g for g in out if not (len(g) <= 2 and g.isascii() and g.isalpha())}
    return out


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True, slots=True)
class ModelScore:
    """What the model said about one message (probabilities 0..1)."""

    version: str
    alert: float
    high: float = 0.0
    imminent: float = 0.0
    categories: tuple[tuple[str, float], ...] = ()  # highest first; empty when only the gate ran
    cues: tuple[str, ...] = ()  # the n-grams that pushed the top category up most

    @property
    def category(self) -> str | None:
        return self.categories[0][0] if self.categories else None

    def summary(self) -> str:
        if not self.categories:
            return f"model {self.version}: alert p={self.alert:.2f}"
        top = ", ".join(f"{name} {p:.2f}" for name, p in self.categories[:2])
        cues = f"; cues {' '.join(self.cues)}" if self.cues else ""
        return (
            f"model {self.version}: alert p={self.alert:.2f}, >=3 p={self.high:.2f}, 4 p={self.imminent:.2f}; "
            f"{top}{cues}"
        )


class CrisisModel:
    """A loaded artifact. Immutable after loading, so one instance serves every thread."""

    __slots__ = (
        "_bias",
        "_gate",
        "_gate_bias",
        "_other_bias",
        "_row_keys",
        "_rows",
        "_weights",
        "meta",
        "orders",
        "thresholds",
        "version",
    )

    def __init__(self, doc: dict) -> None:
        if doc.get("format") != MODEL_FORMAT:
            raise ValueError(f"unknown model format {doc.get('format')!r}")
        heads = doc["heads"]
        missing = [h for h in HEADS if h not in heads]
        if missing:
            raise ValueError(f"model lacks heads {missing}")
        self.version: str = doc["version"]
        self.meta: dict = {k: v for k, v in doc.items() if k != "heads"}
        self.orders = tuple(doc.get("ngram_orders", (1, 2, 3, 4)))
        self.thresholds: dict[str, float] = dict(doc["thresholds"])
        self._bias = {name: float(heads[name]["bias"]) for name in HEADS}
        self._weights = {name: {g: float(w) for g, w in heads[name]["weights"].items()} for name in HEADS}
        self._gate = self._weights["alert"]
        self._gate_bias = self._bias["alert"]
        # The other heads in one table, n-gram -> one weight per head of _OTHER_HEADS: a message
        # past the gate pays one lookup per n-gram for all eight heads, not eight.
        others = [self._weights[name] for name in _OTHER_HEADS]
        zero = 0.0
        self._rows = {g: tuple(w.get(g, zero) for w in others) for g in set().union(*others)}
        self._row_keys = self._rows.keys()
        self._other_bias = tuple(self._bias[name] for name in _OTHER_HEADS)

    @classmethod
    def load(cls, path: str | Path) -> CrisisModel:
        path = Path(path)
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            return cls(json.load(handle))

    def gate(self, grams: set[str]) -> float:
        """P(alert): the one head every message pays for."""
        return _sigmoid(self._gate_bias + sum(map(self._gate.get, grams, _ZEROS)))

    def head(self, name: str, grams: set[str]) -> float:
        return _sigmoid(self._bias[name] + sum(map(self._weights[name].get, grams, _ZEROS)))

    def score(self, normalized: str, *, full: bool | None = None, grams: set[str] | None = None) -> ModelScore:
        """The gate always; every head when ``full`` (default: when the gate reaches ``floor``).

        ``floor`` is the lowest gate value at which the fusion rule can act, so the other
        heads are skipped exactly when they could not change a decision.
        """
        grams = grams if grams is not None else ngrams(normalized, self.orders)
        alert = self.gate(grams)
        if full is None:
            full = alert >= self.thresholds["floor"]
        if not full:
            return ModelScore(self.version, alert)
        rows = self._rows
        matched = [rows[g] for g in self._row_keys & grams]
        sums = (
            [bias + sum(column) for bias, column in zip(self._other_bias, zip(*matched, strict=True), strict=True)]
            if matched
            else list(self._other_bias)
        )
        probabilities = [_sigmoid(z) for z in sums]
        categories = sorted(zip(CATEGORY_HEADS, probabilities[2:], strict=True), key=lambda c: -c[1])
        return ModelScore(self.version, alert, probabilities[0], probabilities[1], tuple(categories))

    def cues(self, grams: set[str], head: str, count: int = 3) -> tuple[str, ...]:
        """The n-grams that pushed ``head`` up most (for the explanation; only for raised results)."""
        weights = self._weights[head]
        positive = [g for g in grams if weights.get(g, 0.0) > 0.0]
        return tuple(sorted(positive, key=lambda g: (-weights[g], g))[:count])

    def weights_of(self, head: str) -> dict[str, float]:
        return self._weights[head]


ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
_ARTIFACT_NAME = re.compile(r"model-v(\d+)\.json(?:\.gz)?")


def shipped_model_path() -> Path:
    """The newest artifact shipped with the code (model-vN.json[.gz], highest N)."""
    found = []
    for path in ARTIFACTS.glob("model-v*.json*"):
        match = _ARTIFACT_NAME.fullmatch(path.name)  # not model-v1.test-report.json
        if match:
            found.append((int(match.group(1)), path))
    if not found:
        raise FileNotFoundError(f"no model artifact in {ARTIFACTS}")
    return max(found)[1]


def load_shipped_model() -> CrisisModel:
    return CrisisModel.load(shipped_model_path())
