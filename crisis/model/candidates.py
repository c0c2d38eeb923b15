"""Measure the candidate models on the dev split (never test): `python -m crisis.model.candidates`.

Same data, augmentation and char 2-4-gram vocabulary as crisis/model/train.py, one
binary head (alert = level >= 2). Printed per candidate: average precision on dev,
recall on dev at the score where 2% of dev's level-0 messages alert (and the
precision there), training seconds, and the pure-Python inference cost per message
of the bench corpus's mean length (what the detector would pay). Results are in
docs/crisis.md ("Model").
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")


def main() -> None:
    import random

    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import LinearSVC

    from crisis.detection import Detector, load_shipped_lexicon
    from crisis.model import dataset, train
    from crisis.model.classifier import ngrams

    lexicon = load_shipped_lexicon()
    normalize = Detector.from_lexicon(lexicon).normalize
    rows, splits = dataset.load_rows(), dataset.load_splits()
    train_rows = [r for r in rows if splits.get(r.key) == "train"]
    dev_rows = [r for r in rows if splits.get(r.key) == "dev"]
    augmented = train.augment(train_rows, train.Augmenter(lexicon, normalize), train.DEFAULT_SEED)
    grams = [ngrams(normalize(r.text), train.NGRAM_ORDERS) for r in augmented]
    vocabulary = train.vocabulary_of(grams)
    x = train.build_matrix(grams, vocabulary)
    dev_grams = [ngrams(normalize(r.text), train.NGRAM_ORDERS) for r in dev_rows]
    x_dev = train.build_matrix(dev_grams, vocabulary)
    y = np.array([r.level >= 2 for r in augmented])
    y_dev = np.array([r.level >= 2 for r in dev_rows])
    benign = np.array([r.level == 0 for r in dev_rows])
    print(
        f"train {len(augmented)} rows ({len(train_rows)} + augmentation), dev {len(dev_rows)}, "
        f"vocabulary {len(vocabulary)}"
    )

    def report(name: str, scores, seconds: float, inference_us: float) -> None:
        cut = np.sort(scores[benign])[::-1][int(0.02 * benign.sum())]
        picked = scores > cut
        print(
            f"{name:<44} AP {average_precision_score(y_dev, scores):.3f}  R@2%benign {picked[y_dev].mean():.3f}  "
            f"P {y_dev[picked].mean():.3f}  train {seconds:5.1f} s  inference ~{inference_us:5.1f} µs"
        )

    # Pure-Python inference cost for a typical message (11 normalized characters, ~38 n-grams).
    sample = [sorted(set(g)) for g in dev_grams if 8 <= len(g) <= 60][:2000]
    random.Random(1).shuffle(sample)  # noqa: S311 - reproducible sampling, not secrets

    def cost(function) -> float:
        start = time.perf_counter()
        for g in sample:
            function(g)
        return (time.perf_counter() - start) / len(sample) * 1e6

    weights = dict.fromkeys(list(vocabulary)[::3], 0.1)
    linear_us = cost(lambda g: sum(map(weights.get, g, [0.0] * len(g))))
    vectors = {g: [0.1] * 32 for g in list(vocabulary)[::3]}

    def hidden(g, width=32):
        acc = [0.0] * width
        for gram in g:
            v = vectors.get(gram)
            if v is not None:
                acc = [a + b for a, b in zip(acc, v, strict=True)]
        return sum(max(a, 0.0) for a in acc)

    mlp_us = cost(hidden)
    fast_us = cost(lambda g: hidden(g, 16))

    for c in (0.5, 1.0, 4.0, 16.0):
        t0 = time.perf_counter()
        model = LogisticRegression(C=c, solver="liblinear", random_state=train.DEFAULT_SEED).fit(x, y)
        report(
            f"logistic regression, binary n-grams, C={c}",
            model.decision_function(x_dev),
            time.perf_counter() - t0,
            linear_us,
        )
    for c in (0.1, 0.5):
        t0 = time.perf_counter()
        model = LinearSVC(C=c, random_state=train.DEFAULT_SEED).fit(x, y)
        report(
            f"linear SVM (squared hinge), C={c}", model.decision_function(x_dev), time.perf_counter() - t0, linear_us
        )
    t0 = time.perf_counter()
    model = MLPClassifier(
        hidden_layer_sizes=(16,), activation="identity", alpha=1e-4, max_iter=15, random_state=train.DEFAULT_SEED
    ).fit(x, y)
    report(
        "fastText-style: summed 16-d n-gram embeddings",
        model.predict_proba(x_dev)[:, 1],
        time.perf_counter() - t0,
        fast_us,
    )
    t0 = time.perf_counter()
    model = MLPClassifier(
        hidden_layer_sizes=(32,), activation="relu", alpha=1e-4, max_iter=15, random_state=train.DEFAULT_SEED
    ).fit(x, y)
    report("MLP: 32 ReLU units over the n-grams", model.predict_proba(x_dev)[:, 1], time.perf_counter() - t0, mlp_us)


if __name__ == "__main__":
    main()
