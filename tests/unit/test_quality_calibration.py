"""Calibration figures (quality/calibration.py), on pairs checked by hand."""

from __future__ import annotations

from quality.calibration import Rating, agreement, per_reviewer


def pair(a: tuple[int, float, bool], b: tuple[int, float, bool]) -> tuple[Rating, Rating]:
    return Rating(*a), Rating(*b)


PAIRS = [
    pair((1, 90, True), (2, 85, True)),  # within 10, agree
    pair((1, 70, True), (2, 50, False)),  # 20 apart, disagree
    pair((1, 40, False), (3, 45, False)),  # within 10, agree
    pair((1, 95, True), (3, 60, True)),  # 35 apart, agree
]


def test_overall_agreement_and_kappa():
    # Agreement 3/4; the first raters pass 3/4, the second 2/4: chance .75*.5 + .25*.5 = .5,
    # so kappa = (.75 - .5) / (1 - .5) = .5.
    figure = agreement(PAIRS)
    assert (figure.pairs, figure.within_10, figure.pass_agreement, figure.kappa) == (4, 0.5, 0.75, 0.5)


def test_per_reviewer_over_the_pairs_each_took_part_in():
    figures = per_reviewer(PAIRS)
    assert sorted(figures) == [1, 2, 3]
    assert (figures[1].pairs, figures[1].within_10, figures[1].pass_agreement) == (4, 0.5, 0.75)
    assert (figures[2].pairs, figures[2].within_10, figures[2].pass_agreement) == (2, 0.5, 0.5)
    assert (figures[3].pairs, figures[3].pass_agreement) == (2, 1.0)


def test_no_pairs_and_a_chance_of_one_give_no_kappa():
    assert agreement([]).kappa is None and agreement([]).within_10 is None
    all_pass = [pair((1, 90, True), (2, 92, True))]
    assert agreement(all_pass).pass_agreement == 1.0 and agreement(all_pass).kappa is None
