"""Execution on the shop floor: the operator terminal's verbs.

An operator signs on at a machine by badge or user and PIN, then starts,
pauses, reports, consumes lots for, and completes operations there. Every
verb checks first and changes nothing when it refuses (``DispatchError``
with a translated message); each takes the signed-on operator as actor.

Double taps: starting, pausing and completing are idempotent; a report
carries the key of the form it came from and is stored once per key; a help
call opens at most one open exception per machine.

Limitations: planning offers no verb to start an operation without a
quantity, so starting marks the operation in progress here with a
conditional update of its status; quantities are whole parts on the
terminal (decimal quantities are reported from the desk).
"""

import logging
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import (
    ExceptionKind,
    ExceptionStatus,
    ExecutionReport,
    OperatorBadge,
    PauseReason,
    ProductionException,
    ScheduledOperation,
    ScrapReason,
    VersionStatus,
    WorkLog,
)
from dispatch.services import DispatchError, raise_exception
from equipment import queries as equipment_queries
from equipment.models import Machine
from materials import services as materials_services
from materials.models import MoveKind, StockMove
from mes import audit
from mes.events import Event, publish
from mes.roles import Role, has_role
from planning import services as planning_services
from planning.models import (
    OperationStatus,
    PlanningError,
    WorkOrderMaterial,
    WorkOrderOperation,
    WorkOrderStatus,
)

logger = logging.getLogger(__name__)

TERMINAL_ROLES = (Role.OPERATOR, Role.SUPERVISOR)


# Sign-on ----------------------------------------------------------------------


def sign_on(badge_code: str = "", username: str = "", pin: str = "") -> Any:
    """The operator a badge or a user name and PIN belong to."""
    refused = DispatchError(_("The badge or the user name and PIN are not valid."))
    if badge_code.strip():
        badge = (
            OperatorBadge.objects.select_related("user")
            .filter(badge_code=badge_code.strip(), user__is_active=True)
            .first()
        )
    elif username.strip() and pin:
        badge = (
            OperatorBadge.objects.select_related("user")
            .filter(user__username=username.strip(), user__is_active=True)
            .first()
        )
        if badge is not None and not (
            badge.pin_hash and check_password(pin, badge.pin_hash)
        ):
            badge = None
    else:
        raise DispatchError(_("Scan your badge, or give your user name and PIN."))
    if badge is None:
        raise refused
    if not has_role(badge.user, *TERMINAL_ROLES):
        raise DispatchError(_("Only operators and supervisors sign on at a machine."))
    return badge.user


def set_badge(user: Any, badge_code: str, pin: str, actor: Any) -> OperatorBadge:
    """Give a user a badge code and a PIN of 4 to 8 digits."""
    if pin and not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise DispatchError(_("A PIN has 4 to 8 digits."))
    with transaction.atomic():
        badge, created = OperatorBadge.objects.update_or_create(
            user=user,
            defaults={
                "badge_code": badge_code.strip(),
                "pin_hash": make_password(pin) if pin else "",
            },
        )
        if created:
            audit.record_create(badge, actor=actor)
    return badge


# Start, pause, complete ----------------------------------------------------------


def running_log(machine: Machine) -> WorkLog | None:
    return (
        WorkLog.objects.select_related("operation__work_order")
        .filter(machine=machine, ended_at__isnull=True)
        .first()
    )


def start_operation(
    operation: WorkOrderOperation, machine: Machine, operator: Any
) -> WorkLog:
    """Start (or resume) an operation on a machine for the operator."""
    current = running_log(machine)
    if current is not None and current.operation_id == operation.pk:
        return current
    _check_start(operation, machine, current)
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                log = WorkLog.objects.create(
                    operation=operation,
                    machine=machine,
                    operator=operator,
                    started_at=now,
                )
        except IntegrityError:
            raise DispatchError(
                _("Operation %(operation)s is already running on another machine.")
                % {"operation": operation.reference}
            ) from None
        WorkOrderOperation.objects.filter(
            pk=operation.pk, status=OperationStatus.PENDING
        ).update(status=OperationStatus.IN_PROGRESS, started_at=now)
        planning_services.start_work_order(operation.work_order, operator)
        audit.record_create(log, actor=operator)
        _publish(Event.OPERATION_STARTED, operation, machine)
    logger.info("Operation %s started on %s", operation.reference, machine.code)
    return log


def _check_start(
    operation: WorkOrderOperation, machine: Machine, current: WorkLog | None
) -> None:
    order = operation.work_order
    if order.status not in (WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS):
        raise DispatchError(
            _("Work order %(number)s is %(status)s; only released orders start.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    if operation.status not in (OperationStatus.PENDING, OperationStatus.IN_PROGRESS):
        raise DispatchError(
            _("Operation %(operation)s is finished.")
            % {"operation": operation.reference}
        )
    if quality_stop(operation) is not None:
        raise DispatchError(
            _(
                "Quality stopped operation %(operation)s; it runs again once "
                "quality lifts the stop."
            )
            % {"operation": operation.reference}
        )
    if current is not None:
        raise DispatchError(
            _("Machine %(machine)s is busy with %(operation)s; pause or complete it.")
            % {"machine": machine.code, "operation": current.operation.reference}
        )
    if not operation.eligible_machines.filter(machine=machine).exists():
        raise DispatchError(
            _("Operation %(operation)s cannot run on machine %(machine)s.")
            % {"operation": operation.reference, "machine": machine.code}
        )
    available, reason = machine_available(machine)
    if not available:
        raise DispatchError(reason)
    missing = missing_materials(operation)
    if missing:
        raise DispatchError(
            _("Materials not issued to the order: %(items)s.")
            % {"items": ", ".join(missing)}
        )


def quality_stop(operation: WorkOrderOperation) -> ProductionException | None:
    """The open quality stop of the operation, which keeps it from starting."""
    return (
        ProductionException.objects.filter(
            operation=operation, kind=ExceptionKind.QUALITY_STOP
        )
        .exclude(status=ExceptionStatus.RESOLVED)
        .first()
    )


def machine_available(machine: Machine) -> tuple[bool, str]:
    """Whether the machine may start work: not down, not under maintenance."""
    available, reason = equipment_queries.is_available(machine)
    if available:
        return True, ""
    return False, _("Machine %(machine)s cannot start work: %(reason)s") % {
        "machine": machine.code,
        "reason": reason,
    }


def missing_materials(operation: WorkOrderOperation) -> list[str]:
    """Codes of components the operation needs that were never issued."""
    order = operation.work_order
    needs = WorkOrderMaterial.objects.filter(work_order=order).select_related("item")
    first_sequence = (
        order.operations.order_by("sequence").values_list("sequence", flat=True).first()
    )
    needed = [
        need
        for need in needs
        if need.operation_id == operation.pk
        or (need.operation_id is None and operation.sequence == first_sequence)
    ]
    if not needed:
        return []
    issued = set(
        StockMove.objects.filter(
            kind__in=[MoveKind.ISSUE, MoveKind.CONSUMPTION],
            reference__startswith=order.number,
            item_id__in=[need.item_id for need in needed],
        ).values_list("item_id", flat=True)
    )
    return [need.item.code for need in needed if need.item_id not in issued]


def pause_operation(
    operation: WorkOrderOperation, machine: Machine, operator: Any, reason: str
) -> None:
    """Stop the clock on a running operation, with a reason."""
    if reason not in PauseReason.values:
        raise DispatchError(_("Choose why the operation pauses."))
    with transaction.atomic():
        closed = WorkLog.objects.filter(
            operation=operation, machine=machine, ended_at__isnull=True
        ).update(ended_at=timezone.now(), pause_reason=reason)
    if not closed:
        raise DispatchError(
            _("Operation %(operation)s is not running here.")
            % {"operation": operation.reference}
        )


def complete_operation(
    operation: WorkOrderOperation, machine: Machine, operator: Any
) -> bool:
    """Finish an operation; the order completes with its last operation.

    Returns False when the operation was already complete (a double tap).
    """
    operation.refresh_from_db(fields=["status"])
    if operation.status == OperationStatus.COMPLETED:
        return False
    if operation.status != OperationStatus.IN_PROGRESS:
        raise DispatchError(
            _("Operation %(operation)s has not started.")
            % {"operation": operation.reference}
        )
    with transaction.atomic():
        WorkLog.objects.filter(operation=operation, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        planning_services.complete_operation(operation, operator)
        order = operation.work_order
        open_left = order.operations.filter(
            status__in=[OperationStatus.PENDING, OperationStatus.IN_PROGRESS]
        ).exists()
        if not open_left:
            planning_services.complete_work_order(order, operator)
        _publish(Event.OPERATION_COMPLETED, operation, machine)
    logger.info("Operation %s completed on %s", operation.reference, machine.code)
    return True


# Reports and lots -------------------------------------------------------------------


def parse_count(value: Any, label: str) -> Decimal:
    try:
        number = Decimal(str(value or "0").strip() or "0")
    except InvalidOperation:
        number = Decimal(-1)
    if number < 0 or number != number.to_integral_value() or number > 10**9:
        raise DispatchError(
            _("The %(field)s must be a whole number of zero or more.")
            % {"field": label}
        )
    return number


def report_quantities(
    operation: WorkOrderOperation,
    machine: Machine,
    operator: Any,
    good: Any,
    scrap: Any,
    scrap_reason: str,
    request_key: str,
) -> tuple[ExecutionReport, bool]:
    """Record good and scrap parts; returns the report and whether it is new."""
    existing = ExecutionReport.objects.filter(request_key=request_key).first()
    if existing is not None:
        return existing, False
    good_count = parse_count(good, _("good quantity"))
    scrap_count = parse_count(scrap, _("scrap quantity"))
    _check_report(
        operation, machine, good_count, scrap_count, scrap_reason, request_key
    )
    try:
        with transaction.atomic():
            report = ExecutionReport.objects.create(
                operation=operation,
                machine=machine,
                operator=operator,
                good_quantity=good_count,
                scrap_quantity=scrap_count,
                scrap_reason=scrap_reason if scrap_count else "",
                request_key=request_key,
            )
            planning_services.record_operation_progress(
                operation, good_count, scrap_count, operator
            )
            _count_on_machine(machine, good_count, scrap_count, operator)
            audit.record_create(report, actor=operator)
            _publish(
                Event.OPERATION_REPORTED,
                operation,
                machine,
                good=str(good_count),
                scrap=str(scrap_count),
            )
    except IntegrityError:
        return ExecutionReport.objects.get(request_key=request_key), False
    except PlanningError as error:
        raise DispatchError(error.messages[0]) from None
    return report, True


def _check_report(
    operation: WorkOrderOperation,
    machine: Machine,
    good: Decimal,
    scrap: Decimal,
    scrap_reason: str,
    request_key: str,
) -> None:
    if not request_key or len(request_key) > 64:
        raise DispatchError(_("The form is out of date; reload the page."))
    operation.refresh_from_db(fields=["status", "good_quantity", "scrap_quantity"])
    if operation.status != OperationStatus.IN_PROGRESS:
        raise DispatchError(
            _("Operation %(operation)s is not started; start it before reporting.")
            % {"operation": operation.reference}
        )
    if good + scrap == 0:
        raise DispatchError(_("Report a good or scrap quantity above zero."))
    if good > operation.remaining_quantity:
        raise DispatchError(
            _("Only %(left)s are left to make on %(operation)s.")
            % {
                "left": operation.remaining_quantity.normalize(),
                "operation": operation.reference,
            }
        )
    if scrap and scrap_reason not in ScrapReason.values:
        raise DispatchError(_("Choose a scrap reason."))


def _count_on_machine(
    machine: Machine, good: Decimal, scrap: Decimal, operator: Any
) -> None:
    """Machines without a PLC get their counts from the operator's report."""
    from equipment.models import PlcDevice
    from equipment.services import record_manual_count

    if PlcDevice.objects.filter(machine=machine).exists():
        return
    record_manual_count(machine, int(good), int(scrap), timezone.now(), operator)


def consume_lot(
    operation: WorkOrderOperation, machine: Machine, operator: Any, code: str
) -> tuple[Any, Decimal]:
    """Consume a scanned lot for the operation; returns the lot and quantity.

    The quantity is what the order still needs of the lot's item, at most
    what the lot holds.
    """
    try:
        lot = materials_services.find_lot_by_code(code)
    except materials_services.StockError as error:
        raise DispatchError(error.messages[0]) from None
    order = operation.work_order
    need = (
        WorkOrderMaterial.objects.filter(work_order=order, item=lot.item)
        .order_by("pk")
        .first()
    )
    if need is None:
        raise DispatchError(
            _("Lot %(code)s is %(item)s, which order %(number)s does not use.")
            % {"code": lot.code, "item": lot.item.code, "number": order.number}
        )
    consumed = sum(
        (
            -move.quantity if move.quantity < 0 else move.quantity
            for move in StockMove.objects.filter(
                kind=MoveKind.CONSUMPTION,
                reference__startswith=order.number,
                item=lot.item,
            )
        ),
        Decimal(0),
    )
    left = need.quantity - consumed
    if left <= 0:
        raise DispatchError(
            _("Order %(number)s has consumed all the %(item)s it needs.")
            % {"number": order.number, "item": lot.item.code}
        )
    quantity = min(left, materials_services.lot_on_hand(lot))
    if quantity <= 0:
        raise DispatchError(_("Lot %(code)s has no stock left.") % {"code": lot.code})
    try:
        materials_services.consume(lot, quantity, operation.reference, operator)
    except materials_services.StockError as error:
        raise DispatchError(error.messages[0]) from None
    return lot, quantity


# Help calls and overruns -------------------------------------------------------------


def call_help(
    machine: Machine, operator: Any, operation: WorkOrderOperation | None
) -> Any:
    """The andon: alert the supervisors that this machine needs help."""
    name = operator.get_full_name() or operator.get_username()
    return raise_exception(
        ExceptionKind.HELP_CALL,
        _("%(operator)s asks for help at %(machine)s.")
        % {"operator": name, "machine": machine.code},
        machine_id=machine.pk,
        operation_id=operation.pk if operation else None,
        work_order_id=operation.work_order_id if operation else None,
        source_key=f"help:{machine.pk}",
        actor=operator,
    )


def raise_overruns(now: Any = None) -> int:
    """Open an exception for each running operation past its planned end."""
    now = now or timezone.now()
    running = {
        log.operation_id: log
        for log in WorkLog.objects.filter(ended_at__isnull=True).select_related(
            "operation__work_order", "machine"
        )
    }
    planned = ScheduledOperation.objects.filter(
        version__status=VersionStatus.PUBLISHED,
        operation_id__in=running,
        end__lt=now - timedelta(minutes=5),
    )
    raised = 0
    for entry in planned:
        log = running[entry.operation_id]
        raise_exception(
            ExceptionKind.OVERRUN,
            _("Operation %(operation)s on %(machine)s is past its planned end.")
            % {"operation": log.operation.reference, "machine": log.machine.code},
            machine_id=log.machine_id,
            operation_id=log.operation_id,
            work_order_id=log.operation.work_order_id,
            source_key=f"overrun:{log.operation_id}",
        )
        raised += 1
    return raised


def _publish(
    event: Event,
    operation: WorkOrderOperation,
    machine: Machine,
    good: str = "0",
    scrap: str = "0",
) -> None:
    publish(
        event,
        operation_id=operation.pk,
        machine_id=machine.pk,
        work_order_id=operation.work_order_id,
        good=good,
        scrap=scrap,
        output_lot_id=None,
    )


def operators() -> Any:
    return get_user_model().objects.filter(operator_badge__isnull=False)
