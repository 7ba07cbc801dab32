"""SPC math against hand-computed values and constructed series."""

import numpy as np
import pytest

from quality import spc

# Three subgroups of five: means 12, 11, 13 and ranges 4, 2, 2.
SUBGROUPS = np.array([10, 12, 11, 13, 14, 11, 11, 12, 10, 11, 13, 12, 14, 12, 14.0])


def test_xbar_r_limits_from_a_baseline():
    # when limits are computed for subgroups of five
    limits = spc.variable_limits(SUBGROUPS, 5)

    # then X-double-bar 12, R-bar 8/3, A2 = 0.577, D4 = 2.114, d2 = 2.326
    assert limits.location.center == pytest.approx(12.0)
    assert limits.location.upper == pytest.approx(13.53867, abs=1e-5)
    assert limits.location.lower == pytest.approx(10.46133, abs=1e-5)
    assert limits.spread.center == pytest.approx(2.66667, abs=1e-5)
    assert limits.spread.upper == pytest.approx(5.63733, abs=1e-5)
    assert limits.spread.lower == 0
    assert limits.sigma_within == pytest.approx(1.14646, abs=1e-5)


def test_individuals_and_moving_range_limits():
    # given five individual values, moving ranges 2, 1, 4, 2
    limits = spc.variable_limits(np.array([10, 12, 11, 15, 13.0]), 1)

    # then mean 12.2, MR-bar 2.25, sigma 2.25 / 1.128
    assert limits.location.center == pytest.approx(12.2)
    assert limits.sigma_within == pytest.approx(1.99468, abs=1e-5)
    assert limits.location.upper == pytest.approx(18.18404, abs=1e-5)
    assert limits.location.lower == pytest.approx(6.21596, abs=1e-5)
    assert limits.spread.upper == pytest.approx(7.35075, abs=1e-5)


def test_cp_and_cpk_with_confidence_intervals():
    # given sigma 1.14646 and specification limits 8 to 15 around mean 12
    limits = spc.variable_limits(SUBGROUPS, 5)

    # when capability is computed
    result = spc.capability(SUBGROUPS, limits.sigma_within, 8.0, 15.0)

    # then Cp = 7 / 6.87876 and Cpk = 3 / 3.43938
    assert result.cp == pytest.approx(1.01763, abs=1e-5)
    assert result.cpk == pytest.approx(0.87225, abs=1e-5)
    # Cp interval from chi-square(14): 5.6287 and 26.1189 (tables)
    low, high = result.cp_interval
    assert low == pytest.approx(1.017625 * (5.6287 / 14) ** 0.5, rel=0.01)
    assert high == pytest.approx(1.017625 * (26.1189 / 14) ** 0.5, rel=0.01)
    # Cpk interval by Bissell: 0.87225 +/- 1.96 * 0.185956
    low, high = result.cpk_interval
    assert low == pytest.approx(0.50778, abs=1e-4)
    assert high == pytest.approx(1.23672, abs=1e-4)


def test_cpk_with_one_limit_and_no_cp():
    result = spc.capability(SUBGROUPS, 1.0, None, 15.0)
    assert result.cp is None
    assert result.cpk == pytest.approx(1.0)


def test_p_chart_and_np_chart_limits():
    defects = np.array([2, 3, 1, 4])

    p = spc.p_chart(defects, np.array([50, 50, 50, 50]))
    assert p.center == pytest.approx(0.05)
    assert p.upper[0] == pytest.approx(0.142466, abs=1e-6)
    assert p.lower[0] == 0

    counts = spc.np_chart(defects, 50)
    assert counts.center == pytest.approx(2.5)
    assert counts.upper[0] == pytest.approx(7.123311, abs=1e-6)
    assert not counts.out_of_control.any()


def test_p_chart_limits_widen_for_smaller_samples():
    p = spc.p_chart(np.array([2, 10]), np.array([100, 25]))
    assert p.upper[1] > p.upper[0]
    assert p.out_of_control[1]


LIMITS = spc.Limits(center=0.0, lower=-3.0, upper=3.0)


def flagged(series, rule):
    return list(np.flatnonzero(spc.run_rules(np.array(series), LIMITS)[rule]))


def test_rule_1_one_point_beyond_three_sigma():
    assert flagged([0, 0, 3.5, 0, -3.2], 1) == [2, 4]


def test_rule_2_nine_points_on_one_side():
    assert flagged([0.5] * 8, 2) == []
    assert flagged([0.5] * 9, 2) == [8]
    assert flagged([-0.5] * 10, 2) == [8, 9]


def test_rule_3_six_points_steadily_rising_or_falling():
    assert flagged([0, 0.1, 0.2, 0.3, 0.4], 3) == []
    assert flagged([0, 0.1, 0.2, 0.3, 0.4, 0.5], 3) == [5]
    assert flagged([1, 0.8, 0.6, 0.4, 0.2, 0, -0.2], 3) == [5, 6]


def test_rule_4_fourteen_points_alternating():
    alternating = [0.1 * (-1) ** index for index in range(14)]
    assert flagged(alternating[:13], 4) == []
    assert flagged(alternating, 4) == [13]


def test_rule_5_two_of_three_beyond_two_sigma():
    assert flagged([0, 2.5, 0, 2.5], 5) == [3]
    assert flagged([0, 2.5, 0, -2.5], 5) == []


def test_rule_6_four_of_five_beyond_one_sigma():
    assert flagged([1.5, 1.5, 0, 1.5, 1.5], 6) == [4]
    assert flagged([1.5, 1.5, 0, 0, 1.5], 6) == []


def test_rule_7_fifteen_points_hugging_the_centre():
    hugging = [0.2, 0.3, -0.1, 0.4, -0.5, 0.6, 0.1] * 3
    assert flagged(hugging[:14], 7) == []
    assert flagged(hugging[:15], 7) == [14]


def test_rule_8_eight_points_avoiding_the_centre():
    avoiding = [1.5, 1.5, -1.5, -1.5, 1.5, 1.5, -1.5, -1.5]
    assert flagged(avoiding, 8) == [7]
    assert flagged([1.5] * 8, 8) == []


def test_analysis_of_a_stable_process_flags_a_shift():
    # given limits from a stable baseline and a later shift of 2 sigma
    generator = np.random.default_rng(7)
    baseline = generator.normal(10.0, 0.1, 500)
    limits = spc.variable_limits(baseline, 5)
    shifted = np.concatenate([baseline, generator.normal(10.2, 0.1, 100)])

    # when the whole history is analysed
    result = spc.analyse(shifted, limits, 9.5, 10.5)

    # then points after the shift break a run rule and Cpk is near 1.67
    assert result.violating_points[100:].any()
    assert result.capability.cpk == pytest.approx(1.4, abs=0.4)
