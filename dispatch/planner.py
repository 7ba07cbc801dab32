"""The plant as a scheduling problem, and a solved schedule back as rows.

``build_problem`` reads the open operations of released and running work
orders, their eligible machines and durations, the machines' calendars and
downtime, the supervisors' locks and moves, the operations already running,
material availability and the published schedule; it returns the plain
``Problem`` the scheduler solves, in minutes from a time zero (now).

Limitations: material availability is judged per order against stock on
hand without reserving it for other orders; a short component with an open
receipt delays the order's first operation to the receipt's date, a short
one without receipt does not delay it (the exception list shows the
shortage). A machine stopped by a fault is unavailable for the repair
order's planned duration from now, as equipment says.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from dispatch.models import OperationLock, ScheduleVersion, VersionStatus, WorkLog
from dispatch.scheduling.problem import (
    FOREVER,
    Assignment,
    Job,
    Mode,
    Operation,
    Problem,
)
from equipment import calendars
from equipment import queries as equipment_queries
from equipment.models import Machine
from materials import queries as materials_queries
from planning.models import (
    OperationStatus,
    WorkOrder,
    WorkOrderOperation,
    WorkOrderStatus,
)

# Weight of an order's tardiness by its priority (1 urgent .. 4 low).
PRIORITY_WEIGHTS = {1: 8, 2: 4, 3: 2, 4: 1}
OPEN_ORDER_STATUSES = (WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS)
OPEN_OPERATION_STATUSES = (OperationStatus.PENDING, OperationStatus.IN_PROGRESS)


def horizon_days() -> int:
    return getattr(settings, "DISPATCH_HORIZON_DAYS", 28)


def changeover_minutes() -> int:
    return getattr(settings, "DISPATCH_CHANGEOVER_MINUTES", 30)


@dataclass
class PlantProblem:
    """The problem with what is needed to turn its answer back into rows."""

    problem: Problem
    origin: datetime
    operations: dict[int, WorkOrderOperation]
    kept: set[int] = field(default_factory=set)

    def moment(self, minutes: int) -> datetime:
        return self.origin + timedelta(minutes=minutes)

    def minutes(self, moment: datetime) -> int:
        return math.floor((moment - self.origin).total_seconds() / 60)


def open_operations() -> list[WorkOrderOperation]:
    return list(
        WorkOrderOperation.objects.filter(
            work_order__status__in=OPEN_ORDER_STATUSES,
            status__in=OPEN_OPERATION_STATUSES,
        )
        .select_related("work_order", "work_order__product")
        .prefetch_related("eligible_machines")
        .order_by("work_order__due_date", "work_order_id", "sequence")
    )


def build_problem(
    origin: datetime | None = None, reference: ScheduleVersion | None = None
) -> PlantProblem:
    """The open operations as a scheduling problem from ``origin`` (now)."""
    origin = (origin or timezone.now()).replace(second=0, microsecond=0)
    operations = open_operations()
    plant = PlantProblem(
        problem=Problem(jobs=[], name="plant"),
        origin=origin,
        operations={operation.pk: operation for operation in operations},
    )
    running = _running_logs(operations)
    locks = {
        lock.operation_id: lock
        for lock in OperationLock.objects.filter(operation__in=operations)
    }
    releases = _material_releases(plant, {op.work_order for op in operations})

    by_order: dict[int, list[WorkOrderOperation]] = {}
    for operation in operations:
        by_order.setdefault(operation.work_order_id, []).append(operation)
    for order_operations in by_order.values():
        order = order_operations[0].work_order
        plant.problem.jobs.append(
            Job(
                id=order.pk,
                operations=[
                    _operation(plant, op, running.get(op.pk), locks.get(op.pk))
                    for op in order_operations
                ],
                due=plant.minutes(_end_of_day(order.due_date)),
                weight=PRIORITY_WEIGHTS.get(order.priority, 2),
                release=releases.get(order.pk, 0),
            )
        )
    _sequence_running(plant.problem)
    plant.problem.unavailable = _unavailable(plant)
    _clear_running(plant.problem, set(running))
    plant.problem.default_changeover = changeover_minutes()
    if reference is not None:
        plant.problem.reference = reference_assignments(plant, reference)
    return plant


def _operation(
    plant: PlantProblem,
    operation: WorkOrderOperation,
    running: WorkLog | None,
    lock: OperationLock | None,
) -> Operation:
    modes = tuple(
        Mode(eligible.machine_id, _duration(operation, eligible))
        for eligible in operation.eligible_machines.all()
    )
    scheduled = Operation(
        id=operation.pk,
        modes=modes,
        family=operation.product_family,
        label=operation.reference,
    )
    if running is not None:
        # A running operation stays where it runs, from now on.
        scheduled.fixed_machine = running.machine_id
        scheduled.fixed_start = 0
        plant.kept.add(operation.pk)
    elif lock is not None:
        scheduled.fixed_machine = lock.machine_id
        if lock.start is not None:
            scheduled.fixed_start = max(0, plant.minutes(lock.start))
            plant.kept.add(operation.pk)
    return scheduled


def _duration(operation: WorkOrderOperation, eligible: object) -> int:
    """Whole minutes on the machine: what is left of setup and run."""
    if operation.status == OperationStatus.PENDING:
        minutes = Decimal(eligible.duration_minutes)  # type: ignore[attr-defined]
    else:
        minutes = (
            Decimal(eligible.run_minutes_per_unit)  # type: ignore[attr-defined]
            * operation.remaining_quantity
        )
    return max(1, math.ceil(minutes))


def _running_logs(operations: list[WorkOrderOperation]) -> dict[int, WorkLog]:
    logs = WorkLog.objects.filter(operation__in=operations, ended_at__isnull=True)
    return {log.operation_id: log for log in logs}


def _sequence_running(problem: Problem) -> None:
    """Kept operations starting now on one machine go one after the other."""
    next_free: dict[object, int] = {}
    for operation in problem.operations():
        if operation.fixed_start != 0 or operation.fixed_machine is None:
            continue
        start = next_free.get(operation.fixed_machine, 0)
        operation.fixed_start = start
        duration = operation.duration_on(operation.fixed_machine) or 1
        next_free[operation.fixed_machine] = start + duration


def _clear_running(problem: Problem, running_ids: set[int]) -> None:
    """A machine working on an operation now is available while it does.

    Its calendar or a maintenance window may say otherwise (overtime, a
    late maintenance start); the running operation wins over the plan.
    """
    for operation in problem.operations():
        if operation.id not in running_ids or operation.fixed_machine is None:
            continue
        start = operation.fixed_start or 0
        end = start + (operation.duration_on(operation.fixed_machine) or 1)
        windows = problem.unavailable.get(operation.fixed_machine, [])
        problem.unavailable[operation.fixed_machine] = _subtract(windows, start, end)


def _subtract(
    windows: list[tuple[int, int]], start: int, end: int
) -> list[tuple[int, int]]:
    kept = []
    for window_start, window_end in windows:
        if window_end <= start or window_start >= end:
            kept.append((window_start, window_end))
            continue
        if window_start < start:
            kept.append((window_start, start))
        if window_end > end:
            kept.append((end, window_end))
    return kept


def _end_of_day(day: object) -> datetime:
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(day, time(23, 59), tzinfo=zone)  # type: ignore[arg-type]


def _material_releases(plant: PlantProblem, orders: set[WorkOrder]) -> dict[int, int]:
    """Earliest start of each order whose components arrive later."""
    order_ids = [order.pk for order in orders]
    if not order_ids:
        return {}
    from planning.models import WorkOrderMaterial

    needs = list(WorkOrderMaterial.objects.filter(work_order_id__in=order_ids))
    item_ids = sorted({need.item_id for need in needs})
    on_hand = materials_queries.on_hand_by_item(item_ids)
    arrivals: dict[int, object] = {}
    for receipt in materials_queries.open_receipts_by_item(item_ids):
        current = arrivals.get(receipt.item_id)
        if current is None or receipt.needed_by < current:
            arrivals[receipt.item_id] = receipt.needed_by
    releases: dict[int, int] = {}
    for need in needs:
        if on_hand.get(need.item_id, Decimal(0)) >= need.quantity:
            continue
        arrival = arrivals.get(need.item_id)
        if arrival is None:
            continue
        zone = ZoneInfo(settings.TIME_ZONE)
        moment = datetime.combine(arrival, time(8, 0), tzinfo=zone)  # type: ignore[arg-type]
        releases[need.work_order_id] = max(
            releases.get(need.work_order_id, 0), plant.minutes(moment)
        )
    return releases


def _unavailable(plant: PlantProblem) -> dict[object, list[tuple[int, int]]]:
    """Per machine: outside its calendar, open downtime, beyond the horizon."""
    machine_ids = {
        mode.machine for op in plant.problem.operations() for mode in op.modes
    }
    machines = Machine.objects.filter(pk__in=machine_ids).select_related(
        "work_center__area__site"
    )
    horizon = horizon_days() * 24 * 60
    end = plant.moment(horizon)
    windows: dict[object, list[tuple[int, int]]] = {}
    for machine in machines:
        plant.problem.machine_labels[machine.pk] = machine.code
        working = calendars.working_intervals(machine, plant.origin, end)
        machine_windows = []
        cursor = 0
        for start, finish in working:
            start_minute = math.ceil((start - plant.origin).total_seconds() / 60)
            if start_minute > cursor:
                machine_windows.append((cursor, start_minute))
            cursor = max(
                cursor, math.floor((finish - plant.origin).total_seconds() / 60)
            )
        machine_windows.append((cursor, FOREVER))
        windows[machine.pk] = machine_windows
    for machine_id, start, finish in downtime_windows(plant, machine_ids):
        windows.setdefault(machine_id, []).append((start, finish))
    return windows


def downtime_windows(
    plant: PlantProblem, machine_ids: set[object]
) -> list[tuple[object, int, int]]:
    """Planned maintenance and breakdowns awaiting repair, from equipment."""
    end = plant.moment(horizon_days() * 24 * 60)
    found: list[tuple[object, int, int]] = []
    windows = equipment_queries.unavailable_windows(
        list(machine_ids), plant.origin, end
    )
    for machine_id, spans in windows.items():
        for start, finish in spans:
            found.append(
                (
                    machine_id,
                    max(0, plant.minutes(start)),
                    max(1, math.ceil((finish - plant.origin).total_seconds() / 60)),
                )
            )
    return found


def reference_assignments(
    plant: PlantProblem, version: ScheduleVersion
) -> dict[object, Assignment]:
    """The version's plan for the problem's operations, in minutes."""
    entries = version.entries.filter(operation_id__in=plant.operations)
    return {
        entry.operation_id: Assignment(
            entry.machine_id,
            max(0, plant.minutes(entry.start)),
            max(1, plant.minutes(entry.end)),
        )
        for entry in entries
    }


def published_version() -> ScheduleVersion | None:
    return ScheduleVersion.objects.filter(status=VersionStatus.PUBLISHED).first()
