"""OEE, losses, downtime Pareto and MTBF/MTTR from the collected data.

OEE = availability x performance x quality, where
availability = run time / planned production time (calendar: shifts minus
holidays, breaks included, minus stops given a planned reason such as
planned maintenance), performance = ideal cycle time x total count /
run time, quality = good count / total count.

Run time of a machine with a PLC is its time in the running state inside
planned production time. A machine without a PLC has no state data: its run
time is planned time minus the downtime entered by hand. Counts come from
the PLC and from manual reports (``record_manual_count``) alike.

MTBF and MTTR per machine (and failure category) over a window: failures are
fault reports that stopped the machine; repair time runs from the report to
the repair order's end (or now while open); MTTR = repair time / failures,
MTBF = (planned production time - repair time) / failures.

Limitations: performance uses the machine's ideal cycle time, not the
product's; a machine making products of different cycle times needs the
dispatch side's operation data for an exact figure.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from equipment import calendars
from equipment.models import (
    DowntimeEvent,
    DowntimeKind,
    FailureCategory,
    FaultReport,
    Machine,
    MachineState,
    PlcDevice,
    ProductionCount,
    Shift,
    StateInterval,
)


@dataclass
class OeeFigures:
    planned_seconds: float = 0.0
    run_seconds: float = 0.0
    ideal_seconds: float = 0.0
    good: int = 0
    scrap: int = 0
    quality_loss_seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.good + self.scrap

    @property
    def availability(self) -> float | None:
        return _ratio(self.run_seconds, self.planned_seconds)

    @property
    def performance(self) -> float | None:
        return _ratio(self.ideal_seconds, self.run_seconds)

    @property
    def quality(self) -> float | None:
        return _ratio(self.good, self.total)

    @property
    def oee(self) -> float | None:
        parts = (self.availability, self.performance, self.quality)
        if any(part is None for part in parts):
            return None
        availability, performance, quality = parts
        return availability * performance * quality  # type: ignore[operator]

    def __add__(self, other: "OeeFigures") -> "OeeFigures":
        return OeeFigures(
            self.planned_seconds + other.planned_seconds,
            self.run_seconds + other.run_seconds,
            self.ideal_seconds + other.ideal_seconds,
            self.good + other.good,
            self.scrap + other.scrap,
            self.quality_loss_seconds + other.quality_loss_seconds,
        )

    def losses(self) -> list[tuple[str, float]]:
        """Planned time split into the six-big-loss groups, in seconds."""
        productive = max(self.ideal_seconds - self.quality_loss_seconds, 0.0)
        return [
            (_("Availability loss"), max(self.planned_seconds - self.run_seconds, 0.0)),
            (_("Performance loss"), max(self.run_seconds - self.ideal_seconds, 0.0)),
            (_("Quality loss"), self.quality_loss_seconds),
            (_("Fully productive time"), productive),
        ]


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def machine_oee(
    machines: Iterable[Machine], start: datetime, end: datetime
) -> dict[int, OeeFigures]:
    """OEE figures per machine over [start, end)."""
    machines = list(machines)
    ids = [machine.pk for machine in machines]
    with_plc = set(
        PlcDevice.objects.filter(machine_id__in=ids).values_list(
            "machine_id", flat=True
        )
    )
    counts = _counts(ids, start, end)
    running = _intervals(ids, start, end)
    unplanned = _downtime_intervals(ids, start, end, planned=False)
    planned_stops = _downtime_intervals(ids, start, end, planned=True)
    result = {}
    for machine in machines:
        working = calendars.subtract(
            calendars.working_intervals(machine, start, end),
            planned_stops[machine.pk],
        )
        planned = sum((finish - begin).total_seconds() for begin, finish in working)
        if machine.pk in with_plc:
            run = _overlap(running[machine.pk], working)
        else:
            run = max(planned - _overlap(unplanned[machine.pk], working), 0.0)
        good, scrap = counts.get(machine.pk, (0, 0))
        cycle = float(machine.ideal_cycle_seconds or 0)
        result[machine.pk] = OeeFigures(
            planned_seconds=planned,
            run_seconds=run,
            ideal_seconds=cycle * (good + scrap),
            good=good,
            scrap=scrap,
            quality_loss_seconds=cycle * scrap,
        )
    return result


def combined(figures: Iterable[OeeFigures]) -> OeeFigures:
    total = OeeFigures()
    for item in figures:
        total = total + item
    return total


def oee_by_day(
    machines: Iterable[Machine], days: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, OeeFigures]]:
    machines = list(machines)
    return [
        (begin, combined(machine_oee(machines, begin, finish).values()))
        for begin, finish in days
    ]


def oee_by_shift(
    machines: Iterable[Machine], start: datetime, end: datetime
) -> list[tuple[str, OeeFigures]]:
    """OEE per shift name (early, late ...) over the machines and the window.

    Each occurrence of a shift (minus holidays) is measured on its own and
    the figures are summed per shift name. Machines without a shift pattern
    are left out.
    """
    totals: dict[str, OeeFigures] = {}
    for machine in machines:
        pattern_id = machine.shift_pattern_id or machine.work_center.shift_pattern_id
        if pattern_id is None:
            continue
        zone = calendars.plant_zone(machine)
        working = calendars.working_intervals(machine, start, end)
        for shift in Shift.objects.filter(pattern_id=pattern_id):
            occurrences = calendars.shift_intervals([shift], zone, start, end)
            for begin, finish in occurrences:
                if not calendars.overlap_seconds(working, begin, finish):
                    continue
                figures = machine_oee([machine], begin, finish)[machine.pk]
                totals[shift.name] = totals.get(shift.name, OeeFigures()) + figures
    return sorted(totals.items())


def _counts(
    ids: list[int], start: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    rows = (
        ProductionCount.objects.filter(
            machine_id__in=ids, period_start__gte=start, period_start__lt=end
        )
        .values("machine_id")
        .annotate(good=Sum("good"), scrap=Sum("scrap"))
    )
    return {row["machine_id"]: (row["good"] or 0, row["scrap"] or 0) for row in rows}


def _intervals(
    ids: list[int], start: datetime, end: datetime
) -> dict[int, list[calendars.Interval]]:
    now = timezone.now()
    result: dict[int, list[calendars.Interval]] = defaultdict(list)
    rows = (
        StateInterval.objects.filter(
            machine_id__in=ids, state=MachineState.RUNNING, started_at__lt=end
        )
        .exclude(ended_at__lte=start)
        .values_list("machine_id", "started_at", "ended_at")
    )
    for machine_id, begin, finish in rows:
        finish = finish or min(now, end)
        result[machine_id].append((max(begin, start), min(finish, end)))
    return result


def _downtime_intervals(
    ids: list[int], start: datetime, end: datetime, planned: bool
) -> dict[int, list[calendars.Interval]]:
    """Stops with a planned reason (``planned``), or all the others."""
    now = timezone.now()
    result: dict[int, list[calendars.Interval]] = defaultdict(list)
    events = DowntimeEvent.objects.filter(machine_id__in=ids, started_at__lt=end)
    if planned:
        events = events.filter(reason__is_planned=True)
    else:
        events = events.exclude(reason__is_planned=True)
    rows = events.exclude(ended_at__lte=start).values_list(
        "machine_id", "started_at", "ended_at"
    )
    for machine_id, begin, finish in rows:
        finish = finish or min(now, end)
        result[machine_id].append((max(begin, start), min(finish, end)))
    return {key: calendars.merge(value) for key, value in result.items()} | {
        key: [] for key in ids if key not in result
    }


def _overlap(
    intervals: list[calendars.Interval], working: list[calendars.Interval]
) -> float:
    return sum(
        calendars.overlap_seconds(working, begin, finish) for begin, finish in intervals
    )


# Downtime Pareto.


@dataclass
class ParetoBar:
    label: str
    seconds: float
    events: int
    share: float = 0.0
    cumulative: float = 0.0


def downtime_pareto(
    machine_ids: Iterable[int], start: datetime, end: datetime
) -> list[ParetoBar]:
    """Downtime by reason, longest first, with cumulative shares."""
    now = timezone.now()
    bars: dict[str, ParetoBar] = {}
    events = (
        DowntimeEvent.objects.filter(
            machine_id__in=list(machine_ids),
            kind=DowntimeKind.DOWNTIME,
            started_at__lt=end,
        )
        .exclude(ended_at__lte=start)
        .select_related("reason")
    )
    for event in events:
        label = str(event.reason) if event.reason else _("Unclassified")
        finish = min(event.ended_at or now, end)
        seconds = max((finish - max(event.started_at, start)).total_seconds(), 0.0)
        bar = bars.setdefault(label, ParetoBar(label, 0.0, 0))
        bar.seconds += seconds
        bar.events += 1
    ordered = sorted(bars.values(), key=lambda bar: bar.seconds, reverse=True)
    total = sum(bar.seconds for bar in ordered) or 1.0
    running = 0.0
    for bar in ordered:
        bar.share = bar.seconds / total
        running += bar.seconds
        bar.cumulative = running / total
    return ordered


def micro_stops(
    machine_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, int]:
    rows = DowntimeEvent.objects.filter(
        machine_id__in=list(machine_ids),
        kind=DowntimeKind.MICRO_STOP,
        started_at__gte=start,
        started_at__lt=end,
    ).values_list("machine_id", flat=True)
    result: dict[int, int] = defaultdict(int)
    for machine_id in rows:
        result[machine_id] += 1
    return dict(result)


# Reliability.


@dataclass
class Reliability:
    machine: Machine
    category: str
    failures: int = 0
    repair_seconds: float = 0.0
    planned_seconds: float = 0.0
    categories: dict[str, int] = field(default_factory=dict)

    @property
    def category_label(self) -> str:
        return FailureCategory(self.category).label if self.category else ""

    @property
    def mttr_hours(self) -> float | None:
        if not self.failures:
            return None
        return self.repair_seconds / self.failures / 3600

    @property
    def mtbf_hours(self) -> float | None:
        if not self.failures:
            return None
        return (
            max(self.planned_seconds - self.repair_seconds, 0.0) / self.failures / 3600
        )


def reliability(
    machines: Iterable[Machine],
    start: datetime,
    end: datetime,
    by_category: bool = False,
) -> list[Reliability]:
    """MTBF and MTTR per machine, or per machine and failure category."""
    now = timezone.now()
    rows: dict[tuple[int, str], Reliability] = {}
    machines = list(machines)
    planned = {
        machine.pk: calendars.available_seconds(machine, start, end)
        for machine in machines
    }
    for machine in machines:
        if not by_category:
            rows[(machine.pk, "")] = Reliability(
                machine, "", planned_seconds=planned[machine.pk]
            )
    reports = FaultReport.objects.filter(
        machine__in=machines,
        machine_stopped=True,
        reported_at__gte=start,
        reported_at__lt=end,
    ).select_related("order")
    by_pk = {machine.pk: machine for machine in machines}
    for report in reports:
        category = report.failure_category if by_category else ""
        key = (report.machine_id, category)
        row = rows.setdefault(
            key,
            Reliability(
                by_pk[report.machine_id],
                category,
                planned_seconds=planned[report.machine_id],
            ),
        )
        order = getattr(report, "order", None)
        finished = (order.finished_at if order else None) or now
        row.failures += 1
        row.repair_seconds += max(
            (min(finished, end) - report.reported_at).total_seconds(), 0.0
        )
    return sorted(rows.values(), key=lambda row: (row.machine.code, row.category))


def day_windows(end_day: datetime, days: int) -> list[tuple[datetime, datetime]]:
    """The ``days`` local days up to and including ``end_day``'s day."""
    local = timezone.localtime(end_day)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    windows = []
    for back in range(days - 1, -1, -1):
        begin = midnight - timedelta(days=back)
        windows.append((begin, begin + timedelta(days=1)))
    return windows
