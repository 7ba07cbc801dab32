"""Domain verbs of the equipment app: counts, downtime, faults, maintenance.

Each takes the acting user (``None`` for the system, e.g. the poller), runs
in one transaction, records the audit trail, and raises ``EquipmentError``
(a ``ValidationError`` with a translated message) on bad input, changing
nothing then.

Limitations: spare parts are consumed from stock without a lot (line-side
locations first, then any); a lot-controlled spare part is refused with the
materials app's message and its use is booked in the materials app.
"""

import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from equipment.models import (
    Alarm,
    ChecklistResult,
    CountSource,
    DowntimeEvent,
    DowntimeReason,
    EquipmentError,
    FailureCategory,
    FaultReport,
    Machine,
    MachineUsage,
    MaintenanceOrder,
    MaintenancePlan,
    OrderKind,
    OrderStatus,
    PlanTrigger,
    SparePartUse,
)
from mes import audit, events
from mes.events import Event

logger = logging.getLogger(__name__)

MAX_MANUAL_COUNT = 1_000_000


# Counts and downtime.


def record_manual_count(
    machine: Machine, good: int, scrap: int, at: datetime, actor: Any
) -> None:
    """Add parts reported by hand (machines without a PLC) to the minute of ``at``."""
    for label, value in ((_("good quantity"), good), (_("scrap quantity"), scrap)):
        if not isinstance(value, int) or value < 0 or value > MAX_MANUAL_COUNT:
            raise EquipmentError(
                _("The %(field)s must be a whole number from 0 to %(max)s.")
                % {"field": label, "max": MAX_MANUAL_COUNT}
            )
    if timezone.is_naive(at):
        raise EquipmentError(_("The time of the count needs a time zone."))
    if not good and not scrap:
        return
    minute = at.replace(second=0, microsecond=0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO equipment_productioncount "
            "(machine_id, period_start, source, good, scrap) "
            "VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (machine_id, period_start, source) DO UPDATE SET "
            "good = equipment_productioncount.good + EXCLUDED.good, "
            "scrap = equipment_productioncount.scrap + EXCLUDED.scrap",
            [machine.pk, minute, CountSource.MANUAL, good, scrap],
        )
        cursor.execute(
            "INSERT INTO equipment_machineusage (machine_id, cycles, run_seconds) "
            "VALUES (%s, %s, 0) ON CONFLICT (machine_id) DO UPDATE SET "
            "cycles = equipment_machineusage.cycles + EXCLUDED.cycles",
            [machine.pk, good + scrap],
        )
    logger.info("Manual count on %s: %s good, %s scrap", machine.code, good, scrap)


def record_manual_downtime(
    machine: Machine,
    started_at: datetime,
    ended_at: datetime,
    reason: DowntimeReason,
    actor: Any,
    note: str = "",
) -> DowntimeEvent:
    """Enter a stop by hand, for a machine without a PLC."""
    if ended_at <= started_at:
        raise EquipmentError(_("The stop must end after it starts."))
    if ended_at > timezone.now() + timedelta(minutes=5):
        raise EquipmentError(_("A stop cannot end in the future."))
    if not reason.is_active:
        raise EquipmentError(_("This downtime reason is no longer in use."))
    with transaction.atomic():
        Machine.objects.select_for_update().get(pk=machine.pk)
        overlapping = DowntimeEvent.objects.filter(
            machine=machine, started_at__lt=ended_at
        ).exclude(ended_at__lte=started_at)
        if overlapping.exists():
            raise EquipmentError(
                _("The machine already has a stop recorded in this time.")
            )
        event = DowntimeEvent.objects.create(
            machine=machine,
            started_at=started_at,
            ended_at=ended_at,
            reason=reason,
            source=CountSource.MANUAL,
            note=note,
            classified_by=actor,
            classified_at=timezone.now(),
        )
        audit.record_create(event, actor=actor)
    return event


def classify_downtime(
    event: DowntimeEvent, reason: DowntimeReason, actor: Any, note: str = ""
) -> DowntimeEvent:
    """Give a stop its reason (a leaf or any node of the reason tree)."""
    if not reason.is_active:
        raise EquipmentError(_("This downtime reason is no longer in use."))
    with transaction.atomic():
        event = DowntimeEvent.objects.select_for_update().get(pk=event.pk)
        before = audit.snapshot(event)
        event.reason = reason
        event.note = note or event.note
        event.classified_by = actor
        event.classified_at = timezone.now()
        event.save(update_fields=["reason", "note", "classified_by", "classified_at"])
        audit.record_change(event, before, actor=actor)
    return event


# Faults.


def report_fault(
    machine: Machine,
    description: str,
    actor: Any,
    failure_category: str = FailureCategory.OTHER,
    machine_stopped: bool = True,
    alarm: Alarm | None = None,
) -> FaultReport:
    """Record a fault and open a repair order for it."""
    description = description.strip()
    if not description:
        raise EquipmentError(_("Describe the fault."))
    if failure_category not in FailureCategory.values:
        raise EquipmentError(_("Choose a failure category from the list."))
    with transaction.atomic():
        report = FaultReport.objects.create(
            machine=machine,
            description=description,
            failure_category=failure_category,
            machine_stopped=machine_stopped,
            alarm=alarm,
            reported_by=actor,
            reported_at=timezone.now(),
        )
        audit.record_create(report, actor=actor)
        order = _new_order(
            machine,
            OrderKind.REPAIR,
            due_at=report.reported_at,
            actor=actor,
            fault_report=report,
            failure_category=failure_category,
        )
        if machine_stopped:
            events.publish(
                Event.MACHINE_DOWN, machine_id=machine.pk, reason="fault_report"
            )
    logger.info("Fault reported on %s: order %s", machine.code, order.number)
    return report


def report_fault_from_alarm(alarm: Alarm) -> FaultReport | None:
    """A repair order for an alarm whose code asks for one, unless one is open."""
    open_repair = MaintenanceOrder.objects.filter(
        machine_id=alarm.machine_id,
        kind=OrderKind.REPAIR,
        status__in=[OrderStatus.OPEN, OrderStatus.IN_PROGRESS],
    )
    if open_repair.exists():
        return None
    code = alarm.alarm_code
    text = code.text if code is not None else ""
    return report_fault(
        alarm.machine,
        _("PLC alarm %(code)s: %(text)s") % {"code": alarm.code, "text": text},
        actor=None,
        failure_category=(code.failure_category if code else "")
        or FailureCategory.OTHER,
        alarm=alarm,
    )


# Maintenance.


def usage_of(machine_id: int, trigger: str) -> float:
    usage = MachineUsage.objects.filter(machine_id=machine_id).first()
    if usage is None:
        return 0.0
    if trigger == PlanTrigger.RUN_HOURS:
        return usage.run_hours
    return float(usage.cycles)


def plan_due_at(plan: MaintenancePlan, now: datetime) -> datetime | None:
    """When a plan falls due, or None while its usage has not reached it."""
    if plan.trigger == PlanTrigger.CALENDAR:
        if plan.last_done_at is None:
            return now
        return plan.last_done_at + timedelta(days=plan.interval_days or 0)
    used = usage_of(plan.machine_id, plan.trigger) - plan.last_done_usage
    return now if used >= (plan.interval_usage or 0) else None


def create_due_orders(now: datetime | None = None) -> list[MaintenanceOrder]:
    """Open a maintenance order for every active plan that is due.

    Idempotent: a plan with an open order gets no second one (a partial
    unique constraint guards it against concurrent runs too).
    """
    now = now or timezone.now()
    created = []
    plans = MaintenancePlan.objects.filter(
        is_active=True, machine__is_active=True
    ).exclude(orders__status__in=[OrderStatus.OPEN, OrderStatus.IN_PROGRESS])
    for plan in plans.select_related("machine"):
        due_at = plan_due_at(plan, now)
        if due_at is None or due_at > now:
            continue
        try:
            with transaction.atomic():
                order = _new_order(
                    plan.machine,
                    OrderKind.PREVENTIVE,
                    due_at=due_at,
                    actor=None,
                    plan=plan,
                )
        except IntegrityError:
            continue
        created.append(order)
        logger.info("Maintenance order %s for plan %s is due", order.number, plan)
    return created


def _new_order(
    machine: Machine,
    kind: str,
    due_at: datetime,
    actor: Any,
    plan: MaintenancePlan | None = None,
    fault_report: FaultReport | None = None,
    failure_category: str = "",
) -> MaintenanceOrder:
    order = MaintenanceOrder.objects.create(
        number=f"TMP-{uuid.uuid4().hex[:16]}",
        machine=machine,
        kind=kind,
        plan=plan,
        fault_report=fault_report,
        failure_category=failure_category,
        due_at=due_at,
        planned_minutes=plan.duration_minutes if plan else 60,
    )
    order.number = f"MO-{order.pk:06d}"
    order.save(update_fields=["number"])
    if plan is not None:
        ChecklistResult.objects.bulk_create(
            ChecklistResult(
                order=order,
                sequence=item.sequence,
                text=item.text,
                expected_value=item.expected_value,
            )
            for item in plan.checklist.all()
        )
    audit.record_create(order, actor=actor)
    return order


def _transition(
    order: MaintenanceOrder, status: str, actor: Any, reason: str = ""
) -> None:
    old = order.transition_to(status)
    audit.record_transition(order, "status", old, status, actor=actor, reason=reason)


def _locked(order: MaintenanceOrder) -> MaintenanceOrder:
    return MaintenanceOrder.objects.select_for_update().get(pk=order.pk)


def assign_order(
    order: MaintenanceOrder, technician: Any, actor: Any
) -> MaintenanceOrder:
    with transaction.atomic():
        order = _locked(order)
        if order.status not in {OrderStatus.OPEN, OrderStatus.IN_PROGRESS}:
            raise EquipmentError(_("Only open orders can be assigned."))
        before = audit.snapshot(order)
        order.assigned_to = technician
        order.save(update_fields=["assigned_to"])
        audit.record_change(order, before, actor=actor)
    return order


def start_order(order: MaintenanceOrder, actor: Any) -> MaintenanceOrder:
    """Start work: the machine is under maintenance and unavailable."""
    with transaction.atomic():
        order = _locked(order)
        _transition(order, OrderStatus.IN_PROGRESS, actor)
        if order.started_at is None:
            order.started_at = timezone.now()
        if order.assigned_to_id is None and actor is not None:
            order.assigned_to = actor
        trigger = order.plan.trigger if order.plan else PlanTrigger.CYCLES
        order.usage_at_start = usage_of(order.machine_id, trigger)
        order.save(
            update_fields=["status", "started_at", "assigned_to", "usage_at_start"]
        )
        events.publish(
            Event.MAINTENANCE_STARTED, machine_id=order.machine_id, order_id=order.pk
        )
    return order


def complete_order(
    order: MaintenanceOrder,
    actor: Any,
    work_done: str,
    minutes_spent: int,
    checklist: dict[int, tuple[str, bool | None]] | None = None,
    spare_parts: list[tuple[Any, Decimal]] | None = None,
) -> MaintenanceOrder:
    """Finish the work with what was done, checks found, parts and time used."""
    if not work_done.strip():
        raise EquipmentError(_("Say what work was done."))
    if minutes_spent < 0:
        raise EquipmentError(_("The time spent cannot be negative."))
    with transaction.atomic():
        order = _locked(order)
        _transition(order, OrderStatus.COMPLETED, actor)
        results = {result.pk: result for result in order.checklist_results.all()}
        for result_id, (found, is_ok) in (checklist or {}).items():
            result = results.get(result_id)
            if result is None:
                raise EquipmentError(
                    _("A checklist result does not belong to this order.")
                )
            result.found_value = found[:100]
            result.is_ok = is_ok
            result.save(update_fields=["found_value", "is_ok"])
        if any(result.is_ok is None for result in results.values()):
            raise EquipmentError(_("Record a result for every check."))
        for item, quantity in spare_parts or []:
            _use_spare_part(order, item, quantity, actor)
        order.finished_at = timezone.now()
        order.work_done = work_done.strip()
        order.minutes_spent = minutes_spent
        order.save(
            update_fields=["status", "finished_at", "work_done", "minutes_spent"]
        )
        if order.plan_id is not None:
            plan = MaintenancePlan.objects.select_for_update().get(pk=order.plan_id)
            plan.last_done_at = order.finished_at
            plan.last_done_usage = usage_of(order.machine_id, plan.trigger)
            plan.save(update_fields=["last_done_at", "last_done_usage"])
        events.publish(
            Event.MAINTENANCE_FINISHED, machine_id=order.machine_id, order_id=order.pk
        )
        events.publish(Event.MACHINE_UP, machine_id=order.machine_id)
    return order


def _use_spare_part(
    order: MaintenanceOrder, item: Any, quantity: Decimal, actor: Any
) -> None:
    """Record the part on the order and consume it from stock (materials)."""
    from materials import services as stock

    if quantity <= 0:
        raise EquipmentError(_("Spare part quantities must be above zero."))
    try:
        stock.consume(None, quantity, order.number, actor, item=item)
    except stock.StockError as error:
        raise EquipmentError(error.messages[0]) from None
    SparePartUse.objects.create(order=order, item=item, quantity=quantity)


def close_order(order: MaintenanceOrder, actor: Any, feedback: str) -> MaintenanceOrder:
    """Close a completed order with the requester's feedback."""
    with transaction.atomic():
        order = _locked(order)
        _transition(order, OrderStatus.CLOSED, actor, reason=feedback)
        order.feedback = feedback.strip()
        order.save(update_fields=["status", "feedback"])
    return order


def cancel_order(order: MaintenanceOrder, actor: Any, reason: str) -> MaintenanceOrder:
    if not reason.strip():
        raise EquipmentError(_("Give a reason for cancelling."))
    with transaction.atomic():
        order = _locked(order)
        _transition(order, OrderStatus.CANCELLED, actor, reason=reason)
        order.save(update_fields=["status"])
    return order
