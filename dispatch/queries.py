"""Read-side selectors of dispatch: dispatch lists, the board, comparisons."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dispatch.models import (
    ExceptionStatus,
    ProductionException,
    RunStatus,
    ScheduledOperation,
    ScheduleRun,
    ScheduleVersion,
    VersionStatus,
)
from dispatch.planner import OPEN_OPERATION_STATUSES, _end_of_day
from equipment.models import Machine, WorkCenter
from materials.models import MoveKind
from mes.lib import sql
from planning.models import WorkOrderOperation


def get_version(pk: int) -> ScheduleVersion:
    return get_object_or_404(ScheduleVersion.objects.select_related("run"), pk=pk)


def get_run(pk: int) -> ScheduleRun:
    return get_object_or_404(ScheduleRun, pk=pk)


def get_operation(pk: int) -> WorkOrderOperation:
    return get_object_or_404(
        WorkOrderOperation.objects.select_related("work_order__product", "work_center"),
        pk=pk,
    )


def get_machine(pk: int) -> Machine:
    return get_object_or_404(
        Machine.objects.select_related("work_center"), pk=pk, is_active=True
    )


def published() -> ScheduleVersion | None:
    return ScheduleVersion.objects.filter(status=VersionStatus.PUBLISHED).first()


def recent_runs(limit: int = 10) -> QuerySet[ScheduleRun]:
    return ScheduleRun.objects.select_related("created_by").order_by("-created_at")[
        :limit
    ]


def active_run() -> ScheduleRun | None:
    return (
        ScheduleRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
        .order_by("-created_at")
        .first()
    )


def versions(limit: int = 20) -> QuerySet[ScheduleVersion]:
    return ScheduleVersion.objects.select_related("run", "published_by")[:limit]


@dataclass(frozen=True, slots=True)
class RunningJob:
    operation_id: int
    reference: str


RUNNING_JOB_SQL = """
SELECT log.operation_id, work_order.number || '/' || operation.sequence
FROM dispatch_worklog log
JOIN planning_workorderoperation operation ON operation.id = log.operation_id
JOIN planning_workorder work_order ON work_order.id = operation.work_order_id
WHERE log.machine_id = %(machine)s AND log.ended_at IS NULL
"""


def running_job(machine: Machine) -> RunningJob | None:
    """What the machine runs now, read lightly for the refreshed queue."""
    rows = sql.fetch_all(RUNNING_JOB_SQL, {"machine": machine.pk})
    return RunningJob(*rows[0]) if rows else None


# Dispatch lists --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    """One line of a dispatch list (作业任务), flat so long lists render fast."""

    operation_id: int
    work_order_id: int
    sequence: int
    reference: str
    name: str
    status: str
    product_code: str
    remaining_quantity: Decimal
    requires_inspection: bool
    machine_code: str
    start: datetime
    end: datetime
    is_late: bool
    missing: tuple[str, ...] = ()

    @property
    def materials_ready(self) -> bool:
        return not self.missing


# One statement reads a whole list: a page refreshed by every tablet every
# few seconds pays for each round trip and each ORM compilation. Components
# count as issued once a move of the item names the order (an issue) or one
# of its operations (a consumption); those without apply to its first step.
DISPATCH_LIST_SQL = """
SELECT entry.operation_id, operation.work_order_id, operation.sequence,
       work_order.number, operation.name, operation.status,
       product.code, operation.quantity - operation.good_quantity,
       operation.requires_inspection, machine.code, entry.start, entry."end",
       work_order.due_date,
       ARRAY(
           SELECT component.code
           FROM planning_workordermaterial need
           JOIN materials_item component ON component.id = need.item_id
           WHERE need.work_order_id = operation.work_order_id
             AND (need.operation_id = operation.id
                  OR (need.operation_id IS NULL AND operation.sequence = (
                      SELECT min(step.sequence) FROM planning_workorderoperation step
                      WHERE step.work_order_id = operation.work_order_id)))
             AND NOT EXISTS (
                 SELECT 1 FROM materials_stockmove move
                 WHERE move.item_id = need.item_id
                   AND move.kind IN (%(issue)s, %(consumption)s)
                   AND move.reference = ANY(ARRAY[work_order.number] || ARRAY(
                       SELECT work_order.number || '/' || step.sequence
                       FROM planning_workorderoperation step
                       WHERE step.work_order_id = operation.work_order_id)))
           ORDER BY component.code
       )
FROM dispatch_scheduledoperation entry
JOIN dispatch_scheduleversion version ON version.id = entry.version_id
JOIN planning_workorderoperation operation ON operation.id = entry.operation_id
JOIN planning_workorder work_order ON work_order.id = operation.work_order_id
JOIN materials_item product ON product.id = work_order.product_id
JOIN equipment_machine machine ON machine.id = entry.machine_id
WHERE version.status = %(published)s
  AND operation.status IN (%(pending)s, %(in_progress)s)
  {filter}
ORDER BY entry.start, entry.operation_id
LIMIT %(limit)s
"""
# One statement per kind of list, so each keeps its own plan when prepared.
DISPATCH_LIST_FILTERS = {
    "machine": "AND entry.machine_id = %(machine)s",
    "work_center": "AND machine.work_center_id = %(work_center)s",
}


def dispatch_list(
    machine: Machine | None = None,
    work_center: WorkCenter | None = None,
    limit: int = 200,
) -> list[Job]:
    """What to run next from the published schedule, earliest first."""
    parameters = {
        "published": VersionStatus.PUBLISHED.value,
        "pending": OPEN_OPERATION_STATUSES[0].value,
        "in_progress": OPEN_OPERATION_STATUSES[1].value,
        "issue": MoveKind.ISSUE.value,
        "consumption": MoveKind.CONSUMPTION.value,
        "limit": limit,
    }
    if machine is not None:
        parameters["machine"] = machine.pk
    if work_center is not None:
        parameters["work_center"] = work_center.pk
    scope = " ".join(
        clause for name, clause in DISPATCH_LIST_FILTERS.items() if name in parameters
    )
    statement = DISPATCH_LIST_SQL.replace("{filter}", scope)
    return [_job(row) for row in sql.fetch_all(statement, parameters)]


def _job(row: tuple[Any, ...]) -> Job:
    (operation_id, work_order_id, sequence, number, name, status, product) = row[:7]
    left, inspection, machine, start, end, due, missing = row[7:]
    return Job(
        operation_id=operation_id,
        work_order_id=work_order_id,
        sequence=sequence,
        reference=f"{number}/{sequence}",
        name=name,
        status=status,
        product_code=product,
        remaining_quantity=max(left, Decimal(0)),
        requires_inspection=inspection,
        machine_code=machine,
        start=start,
        end=end,
        is_late=end > _end_of_day(due),
        missing=tuple(missing),
    )


# The supervisor's board ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MachineRow:
    """One machine on the board: what runs on it, how far, what waits."""

    machine_id: int
    machine_code: str
    queue: int
    running: str = ""
    operator: str = ""
    good_quantity: Decimal | None = None
    quantity: Decimal | None = None
    planned_end: datetime | None = None
    is_overrunning: bool = False

    @property
    def progress_percent(self) -> int:
        if not self.quantity or self.good_quantity is None:
            return 0
        return min(100, int(self.good_quantity / self.quantity * 100))


@dataclass(slots=True)
class WorkCenterRow:
    work_center_id: int
    name: str
    late_orders: int
    machines: list[MachineRow] = field(default_factory=list)


# The board in one statement, for the same reason as the dispatch list: one
# row per active machine with its open work log and its queue on the
# published schedule, and per work center the orders planned to end after
# the last minute of their due date (the planner's notion of late).
BOARD_SQL = """
WITH open_entry AS (
    SELECT entry.machine_id, entry."end", operation.work_order_id
    FROM dispatch_scheduledoperation entry
    JOIN dispatch_scheduleversion version ON version.id = entry.version_id
    JOIN planning_workorderoperation operation ON operation.id = entry.operation_id
    WHERE version.status = %(published)s
      AND operation.status IN (%(pending)s, %(in_progress)s)
), queue AS (
    SELECT machine_id, count(*) AS length FROM open_entry GROUP BY machine_id
), late AS (
    SELECT machine.work_center_id, count(DISTINCT open_entry.work_order_id) AS orders
    FROM open_entry
    JOIN planning_workorder work_order ON work_order.id = open_entry.work_order_id
    JOIN equipment_machine machine ON machine.id = open_entry.machine_id
    WHERE open_entry."end"
          > (work_order.due_date + TIME '23:59') AT TIME ZONE %(zone)s
    GROUP BY machine.work_center_id
)
SELECT center.id, center.code || ' ' || center.name, coalesce(late.orders, 0),
       machine.id, machine.code, coalesce(queue.length, 0),
       work_order.number || '/' || operation.sequence || ' ' || operation.name,
       coalesce(nullif(trim(operator.first_name || ' ' || operator.last_name), ''),
                operator.username),
       operation.good_quantity, operation.quantity, running."end"
FROM equipment_machine machine
JOIN equipment_workcenter center ON center.id = machine.work_center_id
LEFT JOIN late ON late.work_center_id = center.id
LEFT JOIN queue ON queue.machine_id = machine.id
LEFT JOIN dispatch_worklog log ON log.machine_id = machine.id AND log.ended_at IS NULL
LEFT JOIN planning_workorderoperation operation ON operation.id = log.operation_id
LEFT JOIN planning_workorder work_order ON work_order.id = operation.work_order_id
LEFT JOIN auth_user operator ON operator.id = log.operator_id
LEFT JOIN dispatch_scheduledoperation running
       ON running.operation_id = log.operation_id
      AND running.version_id = (
          SELECT id FROM dispatch_scheduleversion WHERE status = %(published)s)
WHERE machine.is_active AND center.is_active
ORDER BY center.code, machine.code
"""


def board(now: datetime | None = None) -> list[WorkCenterRow]:
    """Every work center: what runs, how far, how much waits, what is late.

    Queue lengths and late orders are counted by the database, so the
    board costs the same whatever the size of the order book.
    """
    now = now or timezone.now()
    parameters = {
        "published": VersionStatus.PUBLISHED.value,
        "pending": OPEN_OPERATION_STATUSES[0].value,
        "in_progress": OPEN_OPERATION_STATUSES[1].value,
        "zone": settings.TIME_ZONE,
    }
    rows = sql.fetch_all(BOARD_SQL, parameters)
    centers: dict[int, WorkCenterRow] = {}
    for center_id, center_name, late, *machine in rows:
        center = centers.get(center_id)
        if center is None:
            center = centers[center_id] = WorkCenterRow(center_id, center_name, late)
        center.machines.append(_machine_row(machine, now))
    return list(centers.values())


def _machine_row(row: list[Any], now: datetime) -> MachineRow:
    machine_id, code, queue, running, operator, good, quantity, end = row
    return MachineRow(
        machine_id=machine_id,
        machine_code=code,
        # The running operation is on the machine, not waiting for it.
        queue=queue - (1 if running and end else 0),
        running=running or "",
        operator=operator or "",
        good_quantity=good,
        quantity=quantity,
        planned_end=end,
        is_overrunning=bool(end and end < now),
    )


def open_exceptions(limit: int = 50) -> QuerySet[ProductionException]:
    return (
        ProductionException.objects.exclude(status=ExceptionStatus.RESOLVED)
        .select_related("acknowledged_by")
        .order_by("-raised_at")[:limit]
    )


def recent_exceptions(limit: int = 100) -> QuerySet[ProductionException]:
    return ProductionException.objects.select_related(
        "machine", "work_order", "acknowledged_by", "resolved_by", "raised_by"
    ).order_by("-raised_at")[:limit]


# Comparing versions ----------------------------------------------------------


@dataclass
class Comparison:
    """A draft against a base version (the published one)."""

    moved: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    machines: list[dict[str, Any]]
    makespan: tuple[datetime | None, datetime | None]
    late_orders: tuple[int | None, int]


def compare(version: ScheduleVersion, base: ScheduleVersion | None) -> Comparison:
    """Moved operations, lateness per order and utilisation per machine."""
    entries = _entries(version)
    base_entries = _entries(base) if base else {}
    moved = []
    for operation_id, entry in entries.items():
        before = base_entries.get(operation_id)
        if before is None:
            continue
        if before.machine_id != entry.machine_id or before.start != entry.start:
            moved.append(
                {
                    "operation": entry.operation,
                    "before": before,
                    "after": entry,
                    "shift_minutes": int(
                        (entry.start - before.start).total_seconds() // 60
                    ),
                }
            )
    moved.sort(key=lambda row: abs(row["shift_minutes"]), reverse=True)
    return Comparison(
        moved=moved,
        orders=_order_lateness(entries, base_entries),
        machines=_utilisation(version, entries, base_entries),
        makespan=(base.makespan_end if base else None, version.makespan_end),
        late_orders=(base.late_orders if base else None, version.late_orders),
    )


def _entries(version: ScheduleVersion) -> dict[int, ScheduledOperation]:
    rows = ScheduledOperation.objects.filter(version=version).select_related(
        "machine", "operation__work_order"
    )
    return {row.operation_id: row for row in rows}


def _order_lateness(
    entries: dict[int, ScheduledOperation], base: dict[int, ScheduledOperation]
) -> list[dict[str, Any]]:
    ends: dict[int, list[Any]] = {}
    for source, index in ((base, 0), (entries, 1)):
        for entry in source.values():
            order = entry.operation.work_order
            row = ends.setdefault(order.pk, [order, None, None])
            current = row[index + 1]
            if current is None or entry.end > current:
                row[index + 1] = entry.end
    result = []
    for order, before, after in ends.values():
        due = _end_of_day(order.due_date)
        result.append(
            {
                "order": order,
                "due": due,
                "before": before,
                "after": after,
                "late_before": _late_minutes(before, due),
                "late_after": _late_minutes(after, due),
            }
        )
    result.sort(key=lambda row: -(row["late_after"] or 0))
    return result


def _late_minutes(end: datetime | None, due: datetime) -> int | None:
    if end is None:
        return None
    return max(0, int((end - due).total_seconds() // 60))


def _utilisation(
    version: ScheduleVersion,
    entries: dict[int, ScheduledOperation],
    base: dict[int, ScheduledOperation],
) -> list[dict[str, Any]]:
    """Busy share of each machine over the version's span."""
    span_end = version.makespan_end or version.origin
    span = max((span_end - version.origin).total_seconds(), 60.0)
    busy: dict[int, list[float]] = {}
    machines: dict[int, Machine] = {}
    for source, index in ((base, 0), (entries, 1)):
        for entry in source.values():
            machines[entry.machine_id] = entry.machine
            row = busy.setdefault(entry.machine_id, [0.0, 0.0])
            row[index] += (entry.end - entry.start).total_seconds()
    return [
        {
            "machine": machines[machine_id],
            "before": round(100 * seconds[0] / span) if base else None,
            "after": round(100 * seconds[1] / span),
        }
        for machine_id, seconds in sorted(
            busy.items(), key=lambda item: machines[item[0]].code
        )
    ]


def minutes_between(start: datetime, end: datetime) -> Decimal:
    return Decimal((end - start) / timedelta(minutes=1))
