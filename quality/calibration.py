"""Calibration: how far two reviewers who scored the same conversation blind agree.

For every conversation reviewed twice (both submitted): the share of pairs whose scores are
within CLOSE_POINTS of each other, the share that agree on pass/fail, and Cohen's kappa on
pass/fail (agreement beyond what the two raters' own pass rates would give by chance);
overall and per reviewer (over the pairs they took part in). Pure: the figures of a list of
pairs, so they can be checked by hand."""

from __future__ import annotations

from dataclasses import dataclass

CLOSE_POINTS = 10.0


@dataclass(frozen=True, slots=True)
class Rating:
    reviewer: int
    score: float
    passed: bool


@dataclass(frozen=True, slots=True)
class Agreement:
    pairs: int
    within_10: float | None  # share of pairs within CLOSE_POINTS
    pass_agreement: float | None  # share of pairs agreeing on pass/fail
    kappa: float | None  # Cohen's kappa on pass/fail; None when undefined (no pairs, or chance = 1)


def agreement(pairs: list[tuple[Rating, Rating]]) -> Agreement:
    n = len(pairs)
    if n == 0:
        return Agreement(pairs=0, within_10=None, pass_agreement=None, kappa=None)
    close = sum(abs(a.score - b.score) <= CLOSE_POINTS for a, b in pairs)
    agree = sum(a.passed == b.passed for a, b in pairs)
    observed = agree / n
    first_pass = sum(a.passed for a, _ in pairs) / n
    second_pass = sum(b.passed for _, b in pairs) / n
    chance = first_pass * second_pass + (1 - first_pass) * (1 - second_pass)
    kappa = None if chance >= 1 else (observed - chance) / (1 - chance)
    return Agreement(
        pairs=n,
        within_10=round(close / n, 4),
        pass_agreement=round(observed, 4),
        kappa=None if kappa is None else round(kappa, 4),
    )


def per_reviewer(pairs: list[tuple[Rating, Rating]]) -> dict[int, Agreement]:
    """Each reviewer's agreement over the pairs they were one of (as the first rater: their own
    rating first, so kappa compares their pass rate with their partners')."""
    mine: dict[int, list[tuple[Rating, Rating]]] = {}
    for a, b in pairs:
        mine.setdefault(a.reviewer, []).append((a, b))
        mine.setdefault(b.reviewer, []).append((b, a))
    return {reviewer: agreement(own) for reviewer, own in sorted(mine.items())}
