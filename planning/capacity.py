"""Capacity check (产能/负荷): load per work center and day or week.

The load comes from the routings of approved, released and running orders:
released and running orders use their operations' remaining minutes
(setup not yet done plus run time for the quantity still to make), approved
orders their product's released routing for the quantity ordered. Each
order is scheduled backward from its due date: the last operation ends on
the due date, each earlier one ends when the next starts, an operation lasts
its minutes in working days of ``MINUTES_PER_WORKING_DAY`` (at least one),
and its load is spread evenly over those days. Working days are the days
the work center's calendar has production time on.

Capacity is the work center's available machine time from the equipment
calendars (shifts minus breaks and holidays, summed over its machines).

Limitations: rough-cut only. Backward placement assumes infinite capacity
and one shift's worth of work per day whatever the machine count, so it
shows where load piles up, not a feasible sequence; the dispatch scheduler
makes that. Loads falling before today stay on the day they fall on (the
order is already late to start them).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from equipment import calendars
from equipment.models import Machine, WorkCenter
from planning.models import (
    PLANNED_STATUSES,
    ZERO,
    OperationStatus,
    RoutingOperation,
    VersionStatus,
    WorkOrder,
    WorkOrderOperation,
    WorkOrderStatus,
)

MINUTES_PER_WORKING_DAY = Decimal(480)
# How far before the earliest due date operations may be placed.
LOOK_BACK_DAYS = 400
DAY = "day"
WEEK = "week"


@dataclass
class Bucket:
    starts_on: date
    ends_on: date  # inclusive
    load_minutes: Decimal = ZERO
    available_minutes: Decimal = ZERO

    @property
    def load_hours(self) -> Decimal:
        return (self.load_minutes / 60).quantize(Decimal("0.1"))

    @property
    def available_hours(self) -> Decimal:
        return (self.available_minutes / 60).quantize(Decimal("0.1"))

    @property
    def utilisation(self) -> int | None:
        if not self.available_minutes:
            return None if not self.load_minutes else 999
        return round(self.load_minutes * 100 / self.available_minutes)

    @property
    def is_overloaded(self) -> bool:
        return self.load_minutes > self.available_minutes


@dataclass
class WorkCenterLoad:
    work_center: WorkCenter
    buckets: list[Bucket] = field(default_factory=list)

    @property
    def is_overloaded(self) -> bool:
        return any(bucket.is_overloaded for bucket in self.buckets)


def buckets_for(start: date, count: int, size: str) -> list[tuple[date, date]]:
    if size == WEEK:
        monday = start - timedelta(days=start.weekday())
        return [
            (monday + timedelta(weeks=n), monday + timedelta(weeks=n, days=6))
            for n in range(count)
        ]
    return [(start + timedelta(days=n),) * 2 for n in range(count)]


def daily_load() -> dict[int, dict[date, Decimal]]:
    """Work center id -> day -> load minutes, by backward scheduling."""
    orders = _order_steps()
    load: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    if not orders:
        return load
    first = min(due for due, _steps in orders) - timedelta(days=LOOK_BACK_DAYS)
    last = max(due for due, _steps in orders)
    centers = {center for _due, steps in orders for center, _minutes in steps}
    working = working_days(centers, first, last)
    for due_date, steps in orders:
        end = due_date
        for work_center_id, minutes in reversed(steps):
            if minutes <= 0:
                continue
            count = max(1, math.ceil(minutes / MINUTES_PER_WORKING_DAY))
            days = _days_back(end, count, working.get(work_center_id))
            for day in days:
                load[work_center_id][day] += minutes / count
            end = days[-1] - timedelta(days=1)
    return load


def _days_back(end: date, count: int, working: set[date] | None) -> list[date]:
    """``count`` working days ending on or before ``end``, latest first.

    Without a known working day (no calendar, or beyond the looked-up range)
    calendar days are used.
    """
    days: list[date] = []
    day = end
    for _step in range(LOOK_BACK_DAYS):
        if len(days) == count:
            return days
        if not working or day in working:
            days.append(day)
        day -= timedelta(days=1)
    while len(days) < count:
        days.append(day)
        day -= timedelta(days=1)
    return days


def working_days(
    work_center_ids: set[int], first: date, last: date
) -> dict[int, set[date]]:
    """Local dates on which each work center has planned production time."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    result: dict[int, set[date]] = {}
    centers = WorkCenter.objects.filter(pk__in=work_center_ids).select_related(
        "area__site"
    )
    for work_center in centers:
        machines = list(
            work_center.machines.filter(is_active=True).select_related(
                "work_center__area__site"
            )
        ) or [Machine(work_center=work_center)]
        days: set[date] = set()
        for machine in machines:
            for begin, finish in calendars.working_intervals(machine, start, end):
                day = timezone.localtime(begin, zone).date()
                final = timezone.localtime(finish - timedelta(microseconds=1), zone)
                while day <= final.date():
                    days.add(day)
                    day += timedelta(days=1)
        result[work_center.pk] = days
    return result


def _order_steps() -> list[tuple[date, list[tuple[int, Decimal]]]]:
    """Each planned order's due date and (work center, minutes) in sequence."""
    result: list[tuple[date, list[tuple[int, Decimal]]]] = []
    released: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    operations = (
        WorkOrderOperation.objects.filter(
            work_order__status__in=[
                WorkOrderStatus.RELEASED,
                WorkOrderStatus.IN_PROGRESS,
            ]
        )
        .exclude(status__in=[OperationStatus.COMPLETED, OperationStatus.CANCELLED])
        .order_by("work_order_id", "sequence")
    )
    for operation in operations:
        released[operation.work_order_id].append(
            (operation.work_center_id, operation.remaining_minutes)
        )

    routings: dict[int, list[tuple[int, Decimal, Decimal]]] = defaultdict(list)
    for product_id, work_center_id, setup, run in (
        RoutingOperation.objects.filter(routing__status=VersionStatus.RELEASED)
        .order_by("routing__product_id", "sequence")
        .values_list(
            "routing__product_id",
            "work_center_id",
            "setup_minutes",
            "run_minutes_per_unit",
        )
    ):
        routings[product_id].append((work_center_id, setup, run))

    orders = WorkOrder.objects.filter(status__in=PLANNED_STATUSES).values_list(
        "pk", "status", "product_id", "quantity", "due_date"
    )
    for pk, status, product_id, quantity, due_date in orders:
        if status == WorkOrderStatus.APPROVED:
            steps = [
                (work_center_id, setup + run * quantity)
                for work_center_id, setup, run in routings.get(product_id, ())
            ]
        else:
            steps = released.get(pk, [])
        if steps:
            result.append((due_date, steps))
    return result


def capacity_check(
    start: date | None = None, count: int = 8, size: str = WEEK
) -> list[WorkCenterLoad]:
    """Load against available time per active work center and bucket."""
    start = start or timezone.localdate()
    periods = buckets_for(start, count, size)
    load = daily_load()
    zone = timezone.get_current_timezone()
    rows = []
    work_centers = WorkCenter.objects.filter(is_active=True).select_related(
        "area__site", "shift_pattern"
    )
    for work_center in work_centers.order_by("code"):
        row = WorkCenterLoad(work_center)
        days = load.get(work_center.pk, {})
        for first, last in periods:
            bucket = Bucket(first, last)
            bucket.load_minutes = sum(
                (minutes for day, minutes in days.items() if first <= day <= last),
                ZERO,
            )
            begin = datetime.combine(first, time.min, tzinfo=zone)
            finish = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
            seconds = calendars.available_seconds(work_center, begin, finish)
            bucket.available_minutes = Decimal(seconds / 60).quantize(Decimal("0.1"))
            row.buckets.append(bucket)
        rows.append(row)
    return rows
