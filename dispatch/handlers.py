"""What dispatch does when lower apps report news (``mes.events``).

Each event raises an exception for the supervisors (one per source, so a
repeated event does not pile up); events that change capacity or orders also
queue a repair run, whose draft is shown as a rescheduling proposal against
the published schedule.
"""

import logging
from typing import Any

from django.utils.translation import gettext as _

from dispatch.models import ExceptionKind, Goal, RunKind, RunStatus, ScheduleRun
from dispatch.planner import published_version
from dispatch.services import REPAIR_TIME_LIMIT, raise_exception, request_run
from mes import events
from mes.events import Event

logger = logging.getLogger(__name__)


def subscribe() -> None:
    events.subscribe(Event.MACHINE_DOWN, on_machine_down)
    events.subscribe(Event.MACHINE_STATE_CHANGED, on_machine_state_changed)
    events.subscribe(Event.MAINTENANCE_STARTED, on_maintenance_started)
    events.subscribe(Event.LOT_HELD, on_lot_held)
    events.subscribe(Event.MATERIAL_SHORT, on_material_short)
    events.subscribe(Event.WORK_ORDER_ADJUSTED, on_work_order_adjusted)
    events.subscribe(Event.WORK_ORDER_CANCELLED, on_work_order_cancelled)


def _machine_code(machine_id: Any) -> str:
    from equipment.models import Machine

    machine = Machine.objects.filter(pk=machine_id).first()
    return machine.code if machine else str(machine_id)


def _order_number(work_order_id: Any) -> str:
    from planning.models import WorkOrder

    order = WorkOrder.objects.filter(pk=work_order_id).first()
    return order.number if order else str(work_order_id)


def propose_repair(reason: str) -> ScheduleRun | None:
    """Queue a short repair run against the published schedule, once."""
    if published_version() is None:
        return None
    pending = ScheduleRun.objects.filter(
        kind=RunKind.REPAIR, status=RunStatus.QUEUED
    ).first()
    if pending is not None:
        return pending
    return request_run(
        None,
        goal=Goal.MIX,
        time_limit=REPAIR_TIME_LIMIT,
        kind=RunKind.REPAIR,
        reason=reason,
    )


def on_machine_down(machine_id: Any = None, reason: Any = "", **data: Any) -> None:
    code = _machine_code(machine_id)
    message = _("Machine %(machine)s is down.") % {"machine": code}
    if reason:
        message = f"{message} {reason}"
    raise_exception(
        ExceptionKind.MACHINE_DOWN,
        message,
        machine_id=machine_id,
        source_key=f"down:{machine_id}",
    )
    propose_repair(message)


def on_machine_state_changed(
    machine_id: Any = None, state: Any = "", **data: Any
) -> None:
    if state != "communication_lost":
        return
    raise_exception(
        ExceptionKind.COMMUNICATION_LOST,
        _("Communication with machine %(machine)s is lost.")
        % {"machine": _machine_code(machine_id)},
        machine_id=machine_id,
        source_key=f"communication:{machine_id}",
    )


def on_maintenance_started(
    machine_id: Any = None, order_id: Any = None, **data: Any
) -> None:
    message = _("Maintenance started on machine %(machine)s.") % {
        "machine": _machine_code(machine_id)
    }
    raise_exception(
        ExceptionKind.MAINTENANCE,
        message,
        machine_id=machine_id,
        source_key=f"maintenance:{order_id or machine_id}",
    )
    propose_repair(message)


def on_lot_held(lot_id: Any = None, **data: Any) -> None:
    from materials.models import Lot

    lot = Lot.objects.filter(pk=lot_id).select_related("item").first()
    code = lot.code if lot else str(lot_id)
    raise_exception(
        ExceptionKind.LOT_ON_HOLD,
        _("Lot %(code)s is on hold.") % {"code": code},
        source_key=f"lot-held:{lot_id}",
    )


def on_material_short(**data: Any) -> None:
    item = data.get("item_code") or data.get("item_id") or ""
    raise_exception(
        ExceptionKind.MATERIAL_SHORT,
        _("Material %(item)s is short.") % {"item": item},
        work_order_id=data.get("work_order_id"),
        source_key=f"short:{data.get('item_id', item)}",
    )


def on_work_order_adjusted(
    work_order_id: Any = None, fields: Any = (), **data: Any
) -> None:
    number = _order_number(work_order_id)
    message = _("Work order %(number)s was adjusted.") % {"number": number}
    raise_exception(
        ExceptionKind.ORDER_ADJUSTED,
        message,
        work_order_id=work_order_id,
        source_key=f"adjusted:{work_order_id}",
    )
    propose_repair(message)


def on_work_order_cancelled(work_order_id: Any = None, **data: Any) -> None:
    number = _order_number(work_order_id)
    message = _("Work order %(number)s was cancelled.") % {"number": number}
    raise_exception(
        ExceptionKind.ORDER_CANCELLED,
        message,
        work_order_id=work_order_id,
        source_key=f"cancelled:{work_order_id}",
    )
    propose_repair(message)
