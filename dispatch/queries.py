"""Read-side selectors of dispatch: dispatch lists, the board, comparisons."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
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
    WorkLog,
)
from dispatch.planner import OPEN_OPERATION_STATUSES, _end_of_day
from equipment.models import Machine, WorkCenter
from materials.models import MoveKind, StockMove
from planning.models import WorkOrderMaterial, WorkOrderOperation


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


# Dispatch lists --------------------------------------------------------------


@dataclass
class Job:
    """One line of a dispatch list (作业任务)."""

    entry: ScheduledOperation
    operation: WorkOrderOperation
    materials_ready: bool
    missing: list[str] = field(default_factory=list)
    is_late: bool = False


# What a dispatch list shows; loading only these keeps long lists fast.
JOB_FIELDS = (
    "start",
    "end",
    "version_id",
    "machine__code",
    "machine__name",
    "operation__sequence",
    "operation__name",
    "operation__status",
    "operation__quantity",
    "operation__good_quantity",
    "operation__requires_inspection",
    "operation__work_order__number",
    "operation__work_order__due_date",
    "operation__work_order__product__code",
    "operation__work_order__product__name",
)


def dispatch_list(
    machine: Machine | None = None,
    work_center: WorkCenter | None = None,
    limit: int = 200,
) -> list[Job]:
    """What to run next from the published schedule, earliest first."""
    version = published()
    if version is None:
        return []
    entries = (
        ScheduledOperation.objects.filter(
            version=version, operation__status__in=OPEN_OPERATION_STATUSES
        )
        .select_related("machine", "operation__work_order__product")
        .only(*JOB_FIELDS)
        .order_by("start")
    )
    if machine is not None:
        entries = entries.filter(machine=machine)
    if work_center is not None:
        entries = entries.filter(machine__work_center=work_center)
    entries = list(entries[:limit])
    missing = _missing_by_operation([entry.operation for entry in entries])
    return [
        Job(
            entry=entry,
            operation=entry.operation,
            materials_ready=not missing.get(entry.operation_id),
            missing=missing.get(entry.operation_id, []),
            is_late=entry.end > _end_of_day(entry.operation.work_order.due_date),
        )
        for entry in entries
    ]


def _missing_by_operation(operations: list[WorkOrderOperation]) -> dict[int, list[str]]:
    """Per operation, the components it needs that were never issued."""
    if not operations:
        return {}
    orders = {op.work_order_id: op.work_order.number for op in operations}
    needs = list(
        WorkOrderMaterial.objects.filter(work_order_id__in=orders).select_related(
            "item"
        )
    )
    if not needs:
        return {}
    sequences = list(
        WorkOrderOperation.objects.filter(work_order_id__in=orders).values_list(
            "work_order_id", "sequence"
        )
    )
    first_sequence: dict[int, int] = {}
    for order_id, sequence in sequences:
        current = first_sequence.get(order_id)
        if current is None or sequence < current:
            first_sequence[order_id] = sequence
    issued: set[tuple[str, int]] = set()
    references = set(orders.values()) | {
        f"{orders[order_id]}/{sequence}" for order_id, sequence in sequences
    }
    moves = StockMove.objects.filter(
        kind__in=[MoveKind.ISSUE, MoveKind.CONSUMPTION],
        reference__in=references,
        item_id__in={need.item_id for need in needs},
    ).values_list("reference", "item_id")
    for reference, item_id in moves:
        issued.add((reference.split("/")[0], item_id))
    missing: dict[int, list[str]] = defaultdict(list)
    by_order: dict[int, list[WorkOrderMaterial]] = defaultdict(list)
    for need in needs:
        by_order[need.work_order_id].append(need)
    for operation in operations:
        number = orders[operation.work_order_id]
        for need in by_order[operation.work_order_id]:
            applies = need.operation_id == operation.pk or (
                need.operation_id is None
                and operation.sequence == first_sequence[operation.work_order_id]
            )
            if applies and (number, need.item_id) not in issued:
                missing[operation.pk].append(need.item.code)
    return missing


# The supervisor's board ------------------------------------------------------


@dataclass
class MachineRow:
    machine: Machine
    log: WorkLog | None
    planned_end: datetime | None
    progress_percent: int
    queue: int
    is_overrunning: bool


@dataclass
class WorkCenterRow:
    work_center: WorkCenter
    machines: list[MachineRow]
    late_orders: int


def board(now: datetime | None = None) -> list[WorkCenterRow]:
    """Every work center: what runs, how far, how much waits, what is late."""
    now = now or timezone.now()
    machines = Machine.objects.filter(is_active=True).order_by("code")
    centers = WorkCenter.objects.filter(is_active=True).prefetch_related(
        Prefetch("machines", queryset=machines)
    )
    logs = {
        log.machine_id: log
        for log in WorkLog.objects.filter(ended_at__isnull=True).select_related(
            "operation__work_order", "operator"
        )
    }
    version = published()
    planned_end: dict[int, datetime] = {}
    queue: dict[int, int] = defaultdict(int)
    late: dict[int, set[int]] = defaultdict(set)
    if version is not None:
        entries = (
            ScheduledOperation.objects.filter(
                version=version, operation__status__in=OPEN_OPERATION_STATUSES
            )
            .order_by()
            .values(
                "operation_id",
                "machine_id",
                "machine__work_center_id",
                "end",
                "operation__work_order_id",
                "operation__work_order__due_date",
            )
        )
        for entry in entries:
            planned_end[entry["operation_id"]] = entry["end"]
            queue[entry["machine_id"]] += 1
            if entry["end"] > _end_of_day(entry["operation__work_order__due_date"]):
                late[entry["machine__work_center_id"]].add(
                    entry["operation__work_order_id"]
                )
    rows = []
    for center in centers:
        machine_rows = []
        for machine in center.machines.all():
            log = logs.get(machine.pk)
            end = planned_end.get(log.operation_id) if log else None
            machine_rows.append(
                MachineRow(
                    machine=machine,
                    log=log,
                    planned_end=end,
                    progress_percent=_progress(log),
                    queue=queue[machine.pk] - (1 if log and end else 0),
                    is_overrunning=bool(end and end < now),
                )
            )
        rows.append(WorkCenterRow(center, machine_rows, len(late[center.pk])))
    return rows


def _progress(log: WorkLog | None) -> int:
    if log is None or not log.operation.quantity:
        return 0
    done = log.operation.good_quantity / log.operation.quantity
    return min(100, int(done * 100))


def open_exceptions(limit: int = 50) -> QuerySet[ProductionException]:
    return (
        ProductionException.objects.exclude(status=ExceptionStatus.RESOLVED)
        .select_related("machine", "work_order", "acknowledged_by", "raised_by")
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
