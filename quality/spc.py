"""Statistical process control: control limits, run rules and capability.

Pure numpy functions, no database: the callers load measurements as arrays.
Variable characteristics use X-bar / R charts for subgroups of 2 to 10 and
individuals / moving range (I-MR) charts for subgroups of one; attribute
characteristics use p charts (varying sample sizes) or np charts (constant).

Control limits come from a baseline (the subgroups a quality engineer chose
as in control) and are then applied to every later point. Within-subgroup
sigma is R-bar / d2 (or MR-bar / 1.128), as in the AIAG SPC manual.

The run rules are Nelson's eight; rules 1, 5, 6 and 2 (with 8 instead of 9
points) are the Western Electric rules. A rule flags the point that
completes the pattern.

Capability: Cp = (USL - LSL) / 6 sigma, Cpk = min(USL - mean, mean - LSL) /
3 sigma, with two-sided confidence intervals: chi-square for Cp and Bissell's
normal approximation for Cpk.

Limitations: chi-square quantiles use the Wilson-Hilferty approximation
(no scipy), good to about 0.1 % for 20 or more degrees of freedom and a few
percent below that. Subgroups larger than 10 use the X-bar / R constants of
10; X-bar / S charts are not offered.
"""

from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
from django.utils.translation import gettext_lazy as _
from numpy.lib.stride_tricks import sliding_window_view

# Control chart constants by subgroup size (ASTM / AIAG tables):
# d2, A2, D3, D4.
_CONSTANTS = {
    2: (1.128, 1.880, 0.0, 3.267),
    3: (1.693, 1.023, 0.0, 2.574),
    4: (2.059, 0.729, 0.0, 2.282),
    5: (2.326, 0.577, 0.0, 2.114),
    6: (2.534, 0.483, 0.0, 2.004),
    7: (2.704, 0.419, 0.076, 1.924),
    8: (2.847, 0.373, 0.136, 1.864),
    9: (2.970, 0.337, 0.184, 1.816),
    10: (3.078, 0.308, 0.223, 1.777),
}
D2 = {size: row[0] for size, row in _CONSTANTS.items()}
A2 = {size: row[1] for size, row in _CONSTANTS.items()}
D3 = {size: row[2] for size, row in _CONSTANTS.items()}
D4 = {size: row[3] for size, row in _CONSTANTS.items()}
MOVING_RANGE_D2 = 1.128
MOVING_RANGE_D4 = 3.267

RULES = {
    1: _("One point beyond 3 sigma"),
    2: _("Nine points in a row on one side of the centre line"),
    3: _("Six points in a row steadily increasing or decreasing"),
    4: _("Fourteen points in a row alternating up and down"),
    5: _("Two of three points beyond 2 sigma on one side"),
    6: _("Four of five points beyond 1 sigma on one side"),
    7: _("Fifteen points in a row within 1 sigma"),
    8: _("Eight points in a row beyond 1 sigma on either side"),
}


@dataclass(frozen=True)
class Limits:
    """Centre line and control limits of one chart."""

    center: float
    lower: float
    upper: float

    @property
    def sigma(self) -> float:
        """One sigma of the plotted statistic (a third of the limit distance)."""
        return (self.upper - self.center) / 3


@dataclass(frozen=True)
class VariableLimits:
    """Limits of an X-bar / R or I-MR chart pair and the process sigma."""

    subgroup_size: int
    location: Limits
    spread: Limits
    sigma_within: float

    def as_dict(self) -> dict[str, float]:
        return {
            "subgroup_size": self.subgroup_size,
            "center": self.location.center,
            "lower": self.location.lower,
            "upper": self.location.upper,
            "spread_center": self.spread.center,
            "spread_lower": self.spread.lower,
            "spread_upper": self.spread.upper,
            "sigma_within": self.sigma_within,
        }

    @classmethod
    def from_dict(cls, data: dict[str, float]) -> "VariableLimits":
        return cls(
            int(data["subgroup_size"]),
            Limits(data["center"], data["lower"], data["upper"]),
            Limits(data["spread_center"], data["spread_lower"], data["spread_upper"]),
            data["sigma_within"],
        )


@dataclass(frozen=True)
class Capability:
    cp: float | None
    cpk: float | None
    cp_interval: tuple[float, float] | None
    cpk_interval: tuple[float, float] | None
    mean: float
    sigma: float
    count: int


@dataclass
class Analysis:
    """A characteristic's chart points, limits, rule flags and capability."""

    limits: VariableLimits
    means: np.ndarray
    spreads: np.ndarray
    violations: dict[int, np.ndarray] = field(default_factory=dict)
    capability: Capability | None = None

    @property
    def violating_points(self) -> np.ndarray:
        flags = np.zeros(len(self.means), dtype=bool)
        for flagged in self.violations.values():
            flags |= flagged
        return flags


def subgroups(values: np.ndarray, size: int) -> np.ndarray:
    """Values in order as rows of ``size``; a short last subgroup is dropped."""
    count = len(values) // size
    return np.asarray(values[: count * size], dtype=float).reshape(count, size)


def subgroup_statistics(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Plotted points: subgroup means and ranges, or individuals and MR."""
    data = np.asarray(values, dtype=float)
    if size == 1:
        moving = np.abs(np.diff(data))
        return data, np.concatenate(([np.nan], moving))
    rows = subgroups(data, size)
    return rows.mean(axis=1), np.ptp(rows, axis=1)


def variable_limits(baseline: np.ndarray, size: int) -> VariableLimits:
    """Control limits from baseline measurements in subgroups of ``size``."""
    if size < 1:
        raise ValueError("subgroup size must be at least 1")
    means, spreads = subgroup_statistics(baseline, size)
    if size == 1:
        if len(means) < 2:
            raise ValueError("an I-MR baseline needs at least two values")
        center = float(means.mean())
        mr_bar = float(np.nanmean(spreads))
        sigma = mr_bar / MOVING_RANGE_D2
        return VariableLimits(
            1,
            Limits(center, center - 3 * sigma, center + 3 * sigma),
            Limits(mr_bar, 0.0, MOVING_RANGE_D4 * mr_bar),
            sigma,
        )
    if len(means) < 1:
        raise ValueError("the baseline holds no complete subgroup")
    table_size = min(size, 10)
    grand = float(means.mean())
    r_bar = float(spreads.mean())
    a2 = A2[table_size]
    return VariableLimits(
        size,
        Limits(grand, grand - a2 * r_bar, grand + a2 * r_bar),
        Limits(r_bar, D3[table_size] * r_bar, D4[table_size] * r_bar),
        r_bar / D2[table_size],
    )


def run_rules(points: np.ndarray, limits: Limits) -> dict[int, np.ndarray]:
    """Nelson's rules 1 to 8: for each, a flag per point completing it."""
    x = np.asarray(points, dtype=float)
    sigma = limits.sigma
    z = (x - limits.center) / sigma if sigma > 0 else np.zeros_like(x)
    above = z > 0
    below = z < 0
    steps = np.sign(np.diff(x))
    flags = {
        1: np.abs(z) > 3,
        2: _window_all(above, 9) | _window_all(below, 9),
        3: _shift(_window_all(steps > 0, 5) | _window_all(steps < 0, 5), 1, len(x)),
        4: _shift(_window_all(_alternating(steps), 12), 2, len(x)),
        5: _window_count(z > 2, 3, 2) | _window_count(z < -2, 3, 2),
        6: _window_count(z > 1, 5, 4) | _window_count(z < -1, 5, 4),
        7: _window_all(np.abs(z) < 1, 15),
        # No point within 1 sigma, and points on both sides.
        8: _window_all(np.abs(z) > 1, 8) & _both_sides(z, 8),
    }
    return flags


def _window_all(condition: np.ndarray, length: int) -> np.ndarray:
    """True at index i when condition holds for the ``length`` points to i."""
    return _window_count(condition, length, length)


def _window_count(condition: np.ndarray, length: int, needed: int) -> np.ndarray:
    """True at i when at least ``needed`` of the ``length`` points to i hold.

    A window only counts when its last point itself meets the condition, so
    the flag lands on a point that is part of the pattern.
    """
    result = np.zeros(len(condition), dtype=bool)
    if len(condition) < length:
        return result
    counts = np.convolve(condition.astype(np.int32), np.ones(length, np.int32))
    window = counts[length - 1 : len(condition)] >= needed
    result[length - 1 :] = window & condition[length - 1 :]
    return result


def _both_sides(z: np.ndarray, length: int) -> np.ndarray:
    result = np.zeros(len(z), dtype=bool)
    if len(z) < length:
        return result
    windows = sliding_window_view(z, length)
    result[length - 1 :] = (windows.max(axis=1) > 1) & (windows.min(axis=1) < -1)
    return result


def _alternating(steps: np.ndarray) -> np.ndarray:
    """True where a step and the next go in opposite directions."""
    if len(steps) < 2:
        return np.zeros(0, dtype=bool)
    return (steps[:-1] * steps[1:]) < 0


def _shift(flags: np.ndarray, offset: int, length: int) -> np.ndarray:
    """Re-index flags computed on differences onto the points."""
    result = np.zeros(length, dtype=bool)
    kept = flags[: max(0, length - offset)]
    result[offset : offset + len(kept)] = kept
    return result


def chi_square_quantile(probability: float, degrees: int) -> float:
    """Wilson-Hilferty approximation of the chi-square quantile."""
    z = NormalDist().inv_cdf(probability)
    a = 2 / (9 * degrees)
    return degrees * (1 - a + z * a**0.5) ** 3


def capability(
    values: np.ndarray,
    sigma: float,
    lower_limit: float | None,
    upper_limit: float | None,
    confidence: float = 0.95,
) -> Capability:
    """Cp and Cpk against the specification limits, with their intervals.

    ``sigma`` is the within-subgroup sigma from the control limits. Cp needs
    both limits; Cpk uses whichever limits are set.
    """
    data = np.asarray(values, dtype=float)
    count = len(data)
    mean = float(data.mean()) if count else 0.0
    if count < 2 or sigma <= 0 or (lower_limit is None and upper_limit is None):
        return Capability(None, None, None, None, mean, sigma, count)
    alpha = 1 - confidence
    cp = cp_interval = None
    if lower_limit is not None and upper_limit is not None:
        cp = (upper_limit - lower_limit) / (6 * sigma)
        degrees = count - 1
        cp_interval = (
            cp * (chi_square_quantile(alpha / 2, degrees) / degrees) ** 0.5,
            cp * (chi_square_quantile(1 - alpha / 2, degrees) / degrees) ** 0.5,
        )
    sides = []
    if upper_limit is not None:
        sides.append((upper_limit - mean) / (3 * sigma))
    if lower_limit is not None:
        sides.append((mean - lower_limit) / (3 * sigma))
    cpk = min(sides)
    z = NormalDist().inv_cdf(1 - alpha / 2)
    half = z * (1 / (9 * count) + cpk**2 / (2 * (count - 1))) ** 0.5
    return Capability(
        cp, cpk, cp_interval, (cpk - half, cpk + half), mean, sigma, count
    )


def analyse(
    values: np.ndarray,
    limits: VariableLimits,
    lower_limit: float | None = None,
    upper_limit: float | None = None,
) -> Analysis:
    """Chart points, run rules and capability of a characteristic's history."""
    means, spreads = subgroup_statistics(values, limits.subgroup_size)
    violations = run_rules(means, limits.location)
    spread_out = (spreads > limits.spread.upper) | (spreads < limits.spread.lower)
    violations[1] = violations[1] | np.nan_to_num(spread_out).astype(bool)
    used = np.asarray(values, dtype=float)
    if limits.subgroup_size > 1:
        used = used[: len(means) * limits.subgroup_size]
    return Analysis(
        limits,
        means,
        spreads,
        violations,
        capability(used, limits.sigma_within, lower_limit, upper_limit),
    )


@dataclass(frozen=True)
class AttributeChart:
    """A p chart (fractions) or np chart (counts) with per-point limits."""

    kind: str
    points: np.ndarray
    center: float
    lower: np.ndarray
    upper: np.ndarray

    @property
    def out_of_control(self) -> np.ndarray:
        return (self.points > self.upper) | (self.points < self.lower)


def p_chart(nonconforming: np.ndarray, inspected: np.ndarray) -> AttributeChart:
    """Fraction nonconforming per sample, limits varying with sample size."""
    defects = np.asarray(nonconforming, dtype=float)
    sizes = np.asarray(inspected, dtype=float)
    if len(sizes) == 0 or np.any(sizes <= 0):
        raise ValueError("every sample needs at least one inspected unit")
    p_bar = float(defects.sum() / sizes.sum())
    spread = 3 * np.sqrt(p_bar * (1 - p_bar) / sizes)
    return AttributeChart(
        "p",
        defects / sizes,
        p_bar,
        np.maximum(0.0, p_bar - spread),
        np.minimum(1.0, p_bar + spread),
    )


def np_chart(nonconforming: np.ndarray, sample_size: int) -> AttributeChart:
    """Number nonconforming per sample of constant size."""
    defects = np.asarray(nonconforming, dtype=float)
    if sample_size < 1 or len(defects) == 0:
        raise ValueError("an np chart needs samples of at least one unit")
    p_bar = float(defects.mean() / sample_size)
    center = sample_size * p_bar
    spread = 3 * (center * (1 - p_bar)) ** 0.5
    ones = np.ones(len(defects))
    return AttributeChart(
        "np",
        defects,
        center,
        ones * max(0.0, center - spread),
        ones * (center + spread),
    )
