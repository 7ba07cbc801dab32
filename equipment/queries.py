"""Read-side selectors of the equipment app, used here and by higher apps.

Contracts other apps rely on: ``machine_states``, ``unavailable_windows``,
``is_available`` (dispatch and planning).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from equipment.models import (
    DowntimeEvent,
    DowntimeKind,
    Machine,
    MachineState,
    MaintenanceOrder,
    OrderKind,
    OrderStatus,
    StateInterval,
    WorkCenter,
)

Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class MachineStatus:
    state: str
    since: datetime | None

    @property
    def label(self) -> str:
        return MachineState(self.state).label


def work_centers_with_machines() -> QuerySet[WorkCenter]:
    machines = Machine.objects.filter(is_active=True).order_by("code")
    return (
        WorkCenter.objects.filter(is_active=True)
        .select_related("area__site")
        .prefetch_related(Prefetch("machines", queryset=machines))
        .order_by("area__code", "code")
    )


def get_machine(pk: int) -> Machine:
    return Machine.objects.select_related("work_center__area__site").get(pk=pk)


def machine_states(
    machine_ids: Iterable[int] | None = None,
) -> dict[int, MachineStatus]:
    """Each machine's current state and since when (``unknown`` without data).

    A machine with a maintenance order in progress shows ``maintenance``
    state only through ``is_available``; its state here is what its PLC says.
    """
    machines = Machine.objects.filter(is_active=True)
    if machine_ids is not None:
        machines = machines.filter(pk__in=list(machine_ids))
    result = {
        pk: MachineStatus(MachineState.UNKNOWN, None)
        for pk in machines.values_list("pk", flat=True)
    }
    open_intervals = StateInterval.objects.filter(
        ended_at__isnull=True, machine_id__in=list(result)
    )
    for machine_id, state, since in open_intervals.values_list(
        "machine_id", "state", "started_at"
    ):
        result[machine_id] = MachineStatus(state, since)
    return result


def unavailable_windows(
    machine_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, list[Window]]:
    """Times machines cannot work in [start, end): maintenance and breakdowns.

    Planned maintenance (open preventive orders) from its due time for its
    planned duration; orders in progress from their start until at least now
    plus what remains of their planned duration; open repair orders of a
    stopped machine from the fault report until now plus their planned
    duration. Windows are clipped to [start, end) and merged.
    """
    now = timezone.now()
    ids = list(machine_ids)
    windows: dict[int, list[Window]] = defaultdict(list)
    orders = MaintenanceOrder.objects.filter(
        machine_id__in=ids, status__in=[OrderStatus.OPEN, OrderStatus.IN_PROGRESS]
    ).select_related("fault_report")
    for order in orders:
        planned = timedelta(minutes=order.planned_minutes)
        if order.status == OrderStatus.IN_PROGRESS and order.started_at:
            window = (order.started_at, max(now, order.started_at + planned))
        elif order.kind == OrderKind.REPAIR:
            report = order.fault_report
            if report is not None and not report.machine_stopped:
                continue
            began = report.reported_at if report else order.due_at
            window = (began, max(now, began) + planned)
        else:
            window = (order.due_at, order.due_at + planned)
        windows[order.machine_id].append(window)
    result: dict[int, list[Window]] = {}
    for machine_id in ids:
        clipped = [
            (max(begin, start), min(finish, end))
            for begin, finish in windows.get(machine_id, [])
            if begin < end and finish > start
        ]
        result[machine_id] = _merge(clipped)
    return result


def is_available(machine: Machine) -> tuple[bool, str]:
    """Whether the machine can take work now, and if not, why (translated).

    Unavailable: maintenance in progress, a reported fault that stopped it
    and awaits repair, or an alarm. A stopped or idle machine is available
    (it may be waiting for work).
    """
    orders = MaintenanceOrder.objects.filter(machine=machine)
    if orders.filter(status=OrderStatus.IN_PROGRESS).exists():
        return False, _("Under maintenance.")
    stopped_repair = orders.filter(
        kind=OrderKind.REPAIR,
        status=OrderStatus.OPEN,
        fault_report__machine_stopped=True,
    )
    if stopped_repair.exists():
        return False, _("Down: a fault was reported and awaits repair.")
    if not machine.is_active:
        return False, _("The machine is not in use.")
    state = machine_states([machine.pk]).get(machine.pk)
    if state is not None and state.state == MachineState.ALARM:
        return False, _("Down: the machine is in alarm.")
    return True, ""


def _merge(windows: list[Window]) -> list[Window]:
    merged: list[Window] = []
    for begin, finish in sorted(windows):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def unclassified_downtime(machine_ids: Iterable[int] | None = None) -> QuerySet:
    """Stops that still need a reason, oldest first (the reminder list)."""
    events = DowntimeEvent.objects.filter(
        kind=DowntimeKind.DOWNTIME, reason__isnull=True
    ).select_related("machine")
    if machine_ids is not None:
        events = events.filter(machine_id__in=list(machine_ids))
    return events.order_by("started_at")


def open_orders_by_machine() -> dict[int, int]:
    rows = (
        MaintenanceOrder.objects.filter(
            status__in=[OrderStatus.OPEN, OrderStatus.IN_PROGRESS]
        )
        .values("machine_id")
        .annotate(count=Count("pk", filter=Q()))
    )
    return {row["machine_id"]: row["count"] for row in rows}
