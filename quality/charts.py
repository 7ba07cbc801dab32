"""Control charts as SVG markup, drawn on the server.

No script and no inline style: colours come from classes in mes.css and
SVG presentation attributes, which the Content Security Policy allows. The
charts scale to their container (viewBox), so they read on a tablet.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 900
LEFT = 64
RIGHT = 16
TOP = 14
BOTTOM = 26


# Presentation attributes, so the charts read even before the stylesheet
# loads (and in exported pages); mes.css may refine them by class.
_LOOK = {
    "spc-limit": 'stroke="#c62828" stroke-dasharray="6 4"',
    "spc-center": 'stroke="#1a7f37"',
    "spc-spec": 'stroke="#9a6700" stroke-dasharray="2 3"',
}
_LABEL = 'font-size="11" fill="#5b6773"'


@dataclass(frozen=True)
class Line:
    """A horizontal reference line: centre, control or specification limit."""

    value: float
    label: str
    css_class: str


def _format(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def control_chart(
    points: np.ndarray,
    lines: Sequence[Line],
    flagged: np.ndarray | None = None,
    labels: Sequence[str] | None = None,
    height: int = 240,
    decimals: int = 3,
    title: str = "",
    limit_series: Sequence[np.ndarray] = (),
) -> SafeString:
    """One chart: the points joined by a line, reference lines, flagged points.

    The value axis covers points and lines with a margin; NaN points (the
    first moving range) are skipped. ``limit_series`` are control limits
    that vary point by point (a p chart's), drawn as stepped dashed lines.
    """
    values = np.asarray(points, dtype=float)
    finite = values[np.isfinite(values)]
    references = [line.value for line in lines if np.isfinite(line.value)]
    varying = [np.asarray(series, dtype=float) for series in limit_series]
    span = np.concatenate([finite, np.asarray(references, dtype=float), *varying])
    if len(span) == 0:
        span = np.array([0.0, 1.0])
    low, high = float(span.min()), float(span.max())
    margin = (high - low) * 0.08 or abs(high) * 0.05 or 1.0
    low, high = low - margin, high + margin
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = height - TOP - BOTTOM
    count = len(values)
    step = plot_width / max(count - 1, 1)

    def x(index: int) -> float:
        return LEFT + index * step

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * plot_height

    parts = [
        f'<svg class="spc-chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<rect class="spc-frame" x="{LEFT}" y="{TOP}" width="{plot_width}" '
        f'height="{plot_height}" fill="none" stroke="#c9d1d9"/>',
    ]
    for line in lines:
        if not np.isfinite(line.value):
            continue
        level = y(line.value)
        parts.append(
            f'<line class="spc-line {line.css_class}" x1="{LEFT}" '
            f'x2="{LEFT + plot_width}" y1="{level:.1f}" y2="{level:.1f}" '
            f"{_LOOK.get(line.css_class, '')}/>"
            f'<text class="spc-label" x="{LEFT - 4}" y="{level + 4:.1f}" '
            f'text-anchor="end" {_LABEL}>'
            f"{escape(_format(line.value, decimals))}</text>"
            f'<text class="spc-label" x="{LEFT + plot_width - 2}" '
            f'y="{level - 3:.1f}" text-anchor="end" {_LABEL}>'
            f"{escape(line.label)}</text>"
        )
    for series in varying:
        steps = " ".join(
            f"{x(index) - step / 2:.1f},{y(value):.1f} "
            f"{x(index) + step / 2:.1f},{y(value):.1f}"
            for index, value in enumerate(series)
        )
        parts.append(
            f'<polyline class="spc-line spc-limit" fill="none" '
            f'{_LOOK["spc-limit"]} points="{steps}"/>'
        )
    path = " ".join(
        f"{x(index):.1f},{y(value):.1f}"
        for index, value in enumerate(values)
        if np.isfinite(value)
    )
    if path:
        parts.append(
            f'<polyline class="spc-path" fill="none" stroke="#0b5cab" points="{path}"/>'
        )
    marks = flagged if flagged is not None else np.zeros(count, dtype=bool)
    for index, value in enumerate(values):
        if not np.isfinite(value):
            continue
        css = "spc-point spc-flagged" if marks[index] else "spc-point"
        colour = "#c62828" if marks[index] else "#0b5cab"
        radius = 4.5 if marks[index] else 2.5
        label = labels[index] if labels is not None else str(index + 1)
        parts.append(
            f'<circle class="{css}" cx="{x(index):.1f}" cy="{y(value):.1f}" '
            f'r="{radius}" fill="{colour}"><title>{escape(label)}: '
            f"{escape(_format(value, decimals))}</title></circle>"
        )
    if count:
        ticks = sorted({0, count // 2, count - 1})
        for index in ticks:
            label = labels[index] if labels is not None else str(index + 1)
            parts.append(
                f'<text class="spc-label" x="{x(index):.1f}" y="{height - 8}" '
                f'text-anchor="middle" {_LABEL}>{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    cumulative: Sequence[float] | None = None,
    height: int = 240,
    title: str = "",
) -> SafeString:
    """Bars with an optional cumulative percentage line: a Pareto chart."""
    count = len(values)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = height - TOP - BOTTOM - 20
    top_value = max(values) if count and max(values) > 0 else 1
    slot = plot_width / max(count, 1)
    parts = [
        f'<svg class="spc-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_height = value / top_value * plot_height
        left = LEFT + index * slot + slot * 0.15
        parts.append(
            f'<rect class="chart-bar" x="{left:.1f}" '
            f'y="{TOP + plot_height - bar_height:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{bar_height:.1f}" fill="#0b5cab">'
            f"<title>{escape(label)}: {value:g}</title>"
            f"</rect>"
            f'<text class="spc-label" x="{left + slot * 0.35:.1f}" '
            f'y="{TOP + plot_height + 16}" text-anchor="middle" {_LABEL}>'
            f"{escape(label)}</text>"
        )
    if cumulative:
        points = " ".join(
            f"{LEFT + (index + 0.5) * slot:.1f},"
            f"{TOP + plot_height - share / 100 * plot_height:.1f}"
            for index, share in enumerate(cumulative)
        )
        parts.append(
            f'<polyline class="spc-path" fill="none" stroke="#c62828" '
            f'points="{points}"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
