"""Read-side selectors of quality: SPC history, analyses, chart data.

Measurement history is read as packed binary straight into numpy arrays:
millions of values load in seconds, where model instances would take
minutes.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import connection

from quality import spc
from quality.models import Characteristic

# Each characteristic's history comes back as one row: its subgroup numbers
# and its values, each packed into a bytea in the same row order by
# int4send / float8send, so numpy reads them without a Python object a value.
_HISTORY_QUERY = """
SELECT characteristic_id,
       string_agg(int4send(subgroup), ''::bytea),
       string_agg(float8send(value), ''::bytea)
FROM quality_measurement
WHERE characteristic_id = ANY(%s)
GROUP BY characteristic_id
"""


def load_measurements(characteristic_ids: Iterable[int]) -> dict[int, np.ndarray]:
    """Every measured value of the characteristics, in subgroup order."""
    ids = sorted(set(characteristic_ids))
    if not ids:
        return {}
    history: dict[int, np.ndarray] = {}
    with connection.cursor() as cursor:
        cursor.execute(_HISTORY_QUERY, [ids])
        for characteristic_id, packed_subgroups, packed_values in cursor:
            subgroups = np.frombuffer(packed_subgroups, dtype=">i4")
            values = np.frombuffer(packed_values, dtype=">f8").astype(np.float64)
            if len(subgroups) > 1 and np.any(np.diff(subgroups) < 0):
                values = values[np.argsort(subgroups, kind="stable")]
            history[characteristic_id] = values
    return history


@dataclass
class CharacteristicAnalysis:
    characteristic: Characteristic
    analysis: spc.Analysis | None
    count: int

    @property
    def violation_count(self) -> int:
        if self.analysis is None:
            return 0
        return int(self.analysis.violating_points.sum())


def limits_for(
    characteristic: Characteristic, values: np.ndarray, baseline_subgroups: int = 25
) -> spc.VariableLimits | None:
    """The kept control limits, or provisional ones from the first subgroups."""
    if characteristic.control_limits:
        return spc.VariableLimits.from_dict(characteristic.control_limits)
    size = characteristic.subgroup_size
    baseline = values[: baseline_subgroups * size]
    if len(baseline) < max(2, 2 * size):
        return None
    return spc.variable_limits(baseline, size)


def analyse_characteristics(
    characteristics: Iterable[Characteristic],
) -> list[CharacteristicAnalysis]:
    """Control limits, run rules and Cpk of many characteristics at once."""
    chosen = [item for item in characteristics if item.is_variable]
    return analyse_loaded(chosen, load_measurements(item.pk for item in chosen))


def analyse_loaded(
    characteristics: Iterable[Characteristic], history: dict[int, np.ndarray]
) -> list[CharacteristicAnalysis]:
    """The analyses of characteristics whose history is already loaded."""
    chosen = [item for item in characteristics if item.is_variable]
    results = []
    for characteristic in chosen:
        values = history.get(characteristic.pk, np.zeros(0))
        limits = limits_for(characteristic, values)
        analysis = None
        if limits is not None:
            analysis = spc.analyse(
                values,
                limits,
                _float(characteristic.lower_limit),
                _float(characteristic.upper_limit),
            )
        results.append(CharacteristicAnalysis(characteristic, analysis, len(values)))
    return results


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class AttributeHistory:
    """Per decided inspection order: units inspected and nonconforming."""

    labels: list[str]
    nonconforming: np.ndarray
    inspected: np.ndarray


def attribute_history(characteristic: Characteristic, last: int) -> AttributeHistory:
    """The newest ``last`` decided orders' counts for a pass / fail check."""
    from django.db.models import Count, Q

    from quality.models import InspectionResult, InspectionStatus

    rows = list(
        InspectionResult.objects.filter(
            characteristic=characteristic,
            order__status__in=(InspectionStatus.PASSED, InspectionStatus.FAILED),
        )
        .values("order__number", "order__decided_at")
        .annotate(inspected=Count("id"), bad=Count("id", filter=Q(conforms=False)))
        .order_by("-order__decided_at")[:last]
    )
    rows.reverse()
    return AttributeHistory(
        [row["order__number"] for row in rows],
        np.array([row["bad"] for row in rows], dtype=float),
        np.array([row["inspected"] for row in rows], dtype=float),
    )


@dataclass(frozen=True)
class CapabilityRow:
    """One characteristic's line of the Cpk table, in plain values."""

    characteristic_id: int
    standard_code: str
    name: str
    count: int
    cp: float | None
    cpk: float | None
    cpk_low: float | None
    cpk_high: float | None
    flagged: int


CAPABILITY_CACHE_KEY = "quality:capability-summary"
CAPABILITY_CACHE_SECONDS = 300


def capability_summary() -> list[CapabilityRow]:
    """Cp / Cpk of every measured characteristic of released standards.

    Analysing a large plant's history takes seconds, so the table is kept in
    the cache for five minutes and dropped when limits or values change.
    """
    from django.core.cache import cache

    from quality.models import StandardStatus

    rows = cache.get(CAPABILITY_CACHE_KEY)
    if rows is not None:
        return rows
    characteristics = Characteristic.objects.filter(
        standard__status=StandardStatus.RELEASED, kind="variable"
    ).select_related("standard")
    rows = []
    for result in analyse_characteristics(characteristics):
        capability = result.analysis.capability if result.analysis else None
        interval = capability.cpk_interval if capability else None
        rows.append(
            CapabilityRow(
                result.characteristic.pk,
                result.characteristic.standard.code,
                result.characteristic.name,
                result.count,
                capability.cp if capability else None,
                capability.cpk if capability else None,
                interval[0] if interval else None,
                interval[1] if interval else None,
                result.violation_count,
            )
        )
    cache.set(CAPABILITY_CACHE_KEY, rows, CAPABILITY_CACHE_SECONDS)
    return rows


def forget_capability_summary() -> None:
    from django.core.cache import cache

    cache.delete(CAPABILITY_CACHE_KEY)
