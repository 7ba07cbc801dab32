"""Inspection orders: created by triggers, entered, decided and signed.

Triggers: a lot received (``LOT_RECEIVED`` from materials), the first report
of an operation (first article), every N good parts of an operation and
every T minutes while it runs (in-process, the latter from a beat task), and
the completion of an operation (final inspection of its output lot, which
stays on hold until the inspection passes). The event handlers are
idempotent: an order is keyed by its plan and what caused it.

The decision is automatic: a sample unit is nonconforming when any of its
characteristics fails; the order passes when the nonconforming units do not
exceed the plan's acceptance number. A failed order opens a nonconformance
and, as its plan says, holds the lot and stops the operation.

Limitations: a first article order is made on the operation's first report,
not per shift or per setup. Stopping an operation pauses its running work
log and raises a dispatch exception, but the terminal does not refuse a
restart while the quality stop is open; the supervisor sees the exception.
"""

import logging
import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import execution
from dispatch import services as dispatch
from dispatch.models import PauseReason, WorkLog
from equipment.models import Machine
from materials.models import Lot, LotStatus
from mes import audit
from mes.roles import Role, has_role
from planning.models import OperationStatus, WorkOrderOperation
from quality import holds, nonconformances, sampling, signatures
from quality.models import (
    Characteristic,
    DefectCode,
    InspectionOrder,
    InspectionPlan,
    InspectionResult,
    InspectionStatus,
    InspectionTrigger,
    LotHold,
    Measurement,
    OperationStop,
    QualityError,
    SamplingMethod,
    SignatureMeaning,
    StandardStatus,
)

logger = logging.getLogger(__name__)

INSPECT_ROLES = (Role.QUALITY, Role.ADMIN)
PASS = "ok"


# Creating orders -----------------------------------------------------------


def next_number() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('quality_inspection_order_number_seq')")
        (value,) = cursor.fetchone()
    return f"IO-{value:06d}"


def plan_sampling(plan: InspectionPlan, lot_size: int | None) -> sampling.SamplingPlan:
    """How many units the plan inspects of a lot (or an operation's output)."""
    if plan.sampling == SamplingMethod.AQL:
        if not lot_size or lot_size < 2:
            return sampling.fixed_plan(max(lot_size or 1, 1), lot_size)
        return sampling.aql_plan(lot_size, plan.aql or "")
    if plan.sampling == SamplingMethod.PERCENTAGE:
        return sampling.percentage_plan(
            plan.sample_percent or Decimal(0), lot_size or 1
        )
    return sampling.fixed_plan(plan.sample_size or 1, lot_size)


def create_order(
    plan: InspectionPlan,
    trigger_key: str,
    *,
    lot: Lot | None = None,
    operation: WorkOrderOperation | None = None,
    machine: Machine | None = None,
    lot_size: int | None = None,
) -> InspectionOrder | None:
    """Make the plan's order for what happened; None if it exists already."""
    if InspectionOrder.objects.filter(plan=plan, trigger_key=trigger_key).exists():
        return None
    chosen = plan_sampling(plan, lot_size)
    item = lot.item if lot is not None else plan.standard.item
    reference = (
        operation.reference if operation is not None else (lot.code if lot else "")
    )
    try:
        with transaction.atomic():
            order = InspectionOrder.objects.create(
                number=next_number(),
                plan=plan,
                standard=plan.standard,
                trigger=plan.trigger,
                trigger_key=trigger_key,
                item=item,
                lot=lot,
                operation=operation,
                machine=machine,
                reference=reference,
                lot_size=lot_size,
                sample_size=chosen.sample_size,
                accept_number=chosen.accept_number,
                reject_number=chosen.reject_number,
                code_letter=chosen.code_letter,
                due_at=timezone.now() + timedelta(minutes=plan.due_minutes),
            )
            audit.record_create(order, actor=None, reason=trigger_key)
    except IntegrityError:
        # The same event delivered twice at once: the other one made it.
        return None
    logger.info("Inspection order %s created for %s", order.number, trigger_key)
    return order


def _active_plans(trigger: str, **filters: Any) -> list[InspectionPlan]:
    return list(
        InspectionPlan.objects.filter(
            trigger=trigger,
            is_active=True,
            standard__status=StandardStatus.RELEASED,
            **filters,
        ).select_related("standard__item")
    )


def _operation_plans(
    trigger: str, operation: WorkOrderOperation
) -> list[InspectionPlan]:
    """Plans for the operation's product, for this operation or any."""
    return [
        plan
        for plan in _active_plans(
            trigger, standard__item_id=operation.work_order.product_id
        )
        if plan.standard.operation_name in ("", operation.name)
    ]


def on_lot_received(lot_id: int, needs_inspection: bool = True, **_: Any) -> None:
    """LOT_RECEIVED: an incoming inspection order per receipt plan of the item.

    Only lots that materials put in quarantine for inspection get one.
    """
    if not needs_inspection:
        return
    lot = Lot.objects.select_related("item").filter(pk=lot_id).first()
    if lot is None:
        logger.warning("Received lot %s is gone", lot_id)
        return
    if lot.status != LotStatus.QUARANTINE:
        return
    size = int(lot.initial_quantity) or None
    for plan in _active_plans(InspectionTrigger.RECEIPT, standard__item=lot.item):
        create_order(plan, f"lot:{lot.pk}", lot=lot, lot_size=size)


def _operation(operation_id: int) -> WorkOrderOperation | None:
    found = (
        WorkOrderOperation.objects.select_related("work_order")
        .filter(pk=operation_id)
        .first()
    )
    if found is None:
        logger.warning("Operation %s is gone", operation_id)
    return found


def on_operation_reported(
    operation_id: int, machine_id: int | None = None, **_: Any
) -> None:
    """OPERATION_REPORTED: first article once, in-process every N good parts."""
    operation = _operation(operation_id)
    if operation is None:
        return
    machine = Machine.objects.filter(pk=machine_id).first() if machine_id else None
    for plan in _operation_plans(InspectionTrigger.FIRST_ARTICLE, operation):
        create_order(
            plan, f"op:{operation.pk}:first", operation=operation, machine=machine
        )
    good = int(operation.good_quantity)
    for plan in _operation_plans(InspectionTrigger.IN_PROCESS, operation):
        if not plan.every_parts or good < plan.every_parts:
            continue
        interval = good // plan.every_parts
        create_order(
            plan,
            f"op:{operation.pk}:parts:{interval}",
            operation=operation,
            machine=machine,
            lot_size=plan.every_parts,
        )


def on_operation_completed(
    operation_id: int,
    machine_id: int | None = None,
    output_lot_id: int | None = None,
    **_: Any,
) -> None:
    """OPERATION_COMPLETED: final inspection; the output lot waits on hold."""
    operation = _operation(operation_id)
    if operation is None:
        return
    machine = Machine.objects.filter(pk=machine_id).first() if machine_id else None
    lot = Lot.objects.filter(pk=output_lot_id).first() if output_lot_id else None
    if lot is None:
        lot = _output_lot(operation)
    size = int(operation.good_quantity) or None
    for plan in _operation_plans(InspectionTrigger.FINAL, operation):
        order = create_order(
            plan,
            f"op:{operation.pk}:final",
            operation=operation,
            machine=machine,
            lot=lot,
            lot_size=size,
        )
        if order is not None and lot is not None and lot.status == LotStatus.AVAILABLE:
            _hold_for_final(order, lot)


def _output_lot(operation: WorkOrderOperation) -> Lot | None:
    """The newest lot of the product booked against the operation or its order."""
    return (
        Lot.objects.filter(
            item_id=operation.work_order.product_id,
            reference__in=[operation.reference, operation.work_order.number],
        )
        .order_by("-created_at", "-id")
        .first()
    )


def _hold_for_final(order: InspectionOrder, lot: Lot) -> None:
    from materials import services as materials

    reason = _("Awaiting final inspection %(number)s") % {"number": order.number}
    with transaction.atomic():
        materials.hold_lot(lot, None, reason)
        LotHold.objects.create(lot=lot, reason=reason, inspection_order=order)


def create_timed_orders(now: Any = None) -> int:
    """In-process orders every T minutes for each running operation.

    Called by the beat task; the order key holds the interval number, so a
    late or repeated run makes no second order for the same interval.
    """
    now = now or timezone.now()
    plans = _active_plans(InspectionTrigger.IN_PROCESS, every_minutes__isnull=False)
    if not plans:
        return 0
    running = WorkOrderOperation.objects.filter(
        status=OperationStatus.IN_PROGRESS
    ).select_related("work_order")
    created = 0
    epoch_minutes = int(now.timestamp() // 60)
    for operation in running:
        for plan in plans:
            if plan.standard.item_id != operation.work_order.product_id:
                continue
            if plan.standard.operation_name not in ("", operation.name):
                continue
            interval = epoch_minutes // plan.every_minutes
            key = f"op:{operation.pk}:time:{interval}"
            if create_order(plan, key, operation=operation):
                created += 1
    return created


# Entering results --------------------------------------------------------------


@dataclass(frozen=True)
class EntryField:
    """One input of the tablet form: a characteristic on one sample unit."""

    characteristic: Characteristic
    sample_number: int

    @property
    def name(self) -> str:
        return f"r-{self.characteristic.pk}-{self.sample_number}"


def entry_fields(order: InspectionOrder) -> list[EntryField]:
    """Every input the order needs: each characteristic on each sample unit."""
    return [
        EntryField(characteristic, number)
        for characteristic in order.plan.inspected_characteristics().order_by(
            "sequence", "id"
        )
        for number in range(1, order.sample_size + 1)
    ]


@dataclass(frozen=True)
class ParsedResult:
    characteristic: Characteristic
    sample_number: int
    value: Decimal | None
    conforms: bool
    defect_code: DefectCode | None


def parse_entries(
    order: InspectionOrder, data: Any, require_all: bool, pass_blank: bool = False
) -> tuple[list[ParsedResult], dict[str, str]]:
    """Turn the posted fields into results; errors are keyed by field name.

    ``pass_blank`` lets blank pass / fail fields count as passed, for the
    tablet's "all others pass" button.
    """
    parsed: list[ParsedResult] = []
    errors: dict[str, str] = {}
    codes = {str(code.pk): code for code in DefectCode.objects.all()}
    for entry in entry_fields(order):
        raw = (data.get(entry.name) or "").strip()
        characteristic = entry.characteristic
        if not raw and pass_blank and not characteristic.is_variable:
            raw = PASS
        if not raw:
            if require_all:
                errors[entry.name] = _("Enter a result for sample %(number)s.") % {
                    "number": entry.sample_number
                }
            continue
        if characteristic.is_variable:
            try:
                value = Decimal(raw.replace(",", "."))
            except InvalidOperation:
                errors[entry.name] = _("%(value)s is not a number.") % {"value": raw}
                continue
            if not value.is_finite():
                errors[entry.name] = _("%(value)s is not a number.") % {"value": raw}
                continue
            problem = characteristic.value_error(value)
            if problem:
                errors[entry.name] = problem
                continue
            parsed.append(
                ParsedResult(
                    characteristic,
                    entry.sample_number,
                    value,
                    characteristic.conforms(value),
                    None,
                )
            )
        elif raw == PASS:
            parsed.append(
                ParsedResult(characteristic, entry.sample_number, None, True, None)
            )
        elif raw in codes:
            parsed.append(
                ParsedResult(
                    characteristic, entry.sample_number, None, False, codes[raw]
                )
            )
        else:
            errors[entry.name] = _("Choose pass or a defect code.")
    return parsed, errors


def _require_inspector(actor: Any) -> None:
    if not has_role(actor, *INSPECT_ROLES):
        raise QualityError(
            _("Only quality inspectors may enter inspection results."),
            code="not_allowed",
        )


def save_results(
    order: InspectionOrder,
    actor: Any,
    data: Any,
    require_all: bool = False,
    pass_blank: bool = False,
) -> list[InspectionResult]:
    """Store the entered results of an open order; bad input changes nothing."""
    _require_inspector(actor)
    parsed, errors = parse_entries(order, data, require_all, pass_blank)
    if errors:
        raise QualityError(errors)
    with transaction.atomic():
        order = InspectionOrder.objects.select_for_update().get(pk=order.pk)
        if not order.is_open:
            raise QualityError(
                _("Inspection order %(number)s is %(status)s already.")
                % {"number": order.number, "status": order.get_status_display()}
            )
        existing = {
            (row.characteristic_id, row.sample_number): row
            for row in order.results.select_for_update()
        }
        saved = []
        for result in parsed:
            key = (result.characteristic.pk, result.sample_number)
            row = existing.get(key)
            if row is None:
                row = InspectionResult(
                    order=order,
                    characteristic=result.characteristic,
                    sample_number=result.sample_number,
                )
                before = None
            else:
                before = audit.snapshot(row)
            row.value = result.value
            row.conforms = result.conforms
            row.defect_code = result.defect_code
            row.recorded_by = actor
            row.save()
            # Every entered or corrected value stays on the audit trail.
            if before is None:
                audit.record_create(row, actor=actor)
            else:
                audit.record_change(row, before, actor=actor)
            saved.append(row)
    return saved


@dataclass(frozen=True)
class Decision:
    passed: bool
    nonconforming_units: int
    failed_results: list[InspectionResult]


def decide(order: InspectionOrder) -> Decision:
    """Pass when the nonconforming sample units do not exceed Ac."""
    results = list(order.results.select_related("characteristic", "defect_code"))
    expected = len(entry_fields(order))
    if len(results) != expected:
        raise QualityError(
            _(
                "The plan asks for %(expected)s results (%(samples)s samples); "
                "%(count)s are entered."
            )
            % {
                "expected": expected,
                "samples": order.sample_size,
                "count": len(results),
            }
        )
    failed = [result for result in results if not result.conforms]
    units = len({result.sample_number for result in failed})
    return Decision(units <= order.accept_number, units, failed)


def sign_order(
    order: InspectionOrder, actor: Any, data: Any, password: str
) -> InspectionOrder:
    """Save the last results, decide automatically, sign, and act on a failure.

    A pass releases a lot waiting for a receipt or final inspection. A
    failure opens a nonconformance and, as the plan says, holds the lot and
    stops the operation.
    """
    _require_inspector(actor)
    signatures.check_password(actor, password)
    with transaction.atomic():
        save_results(order, actor, data, require_all=True)
        order = InspectionOrder.objects.select_for_update().get(pk=order.pk)
        decision = decide(order)
        status = InspectionStatus.PASSED if decision.passed else InspectionStatus.FAILED
        old = order.transition_to(status)
        order.nonconforming_units = decision.nonconforming_units
        order.decided_at = timezone.now()
        order.decided_by = actor
        order.save(
            update_fields=["status", "nonconforming_units", "decided_at", "decided_by"]
        )
        signatures.sign(order, actor, password, SignatureMeaning.INSPECTED, status)
        audit.record_transition(order, "status", old, status, actor=actor)
        _record_measurements(order)
        if decision.passed:
            _after_pass(order, actor)
        else:
            _after_failure(order, actor, decision)
    logger.info("Inspection order %s %s by %s", order.number, status, actor)
    return order


def _record_measurements(order: InspectionOrder) -> None:
    """Append the measured values to each characteristic's SPC history."""
    values = order.results.filter(characteristic__kind="variable", value__isnull=False)
    by_characteristic: dict[int, list[InspectionResult]] = {}
    for result in values.order_by("sample_number"):
        by_characteristic.setdefault(result.characteristic_id, []).append(result)
    now = timezone.now()
    for characteristic_id, results in sorted(by_characteristic.items()):
        # The row lock serialises subgroup numbers of concurrent orders.
        Characteristic.objects.select_for_update().filter(pk=characteristic_id).get()
        last = Measurement.objects.filter(
            characteristic_id=characteristic_id
        ).aggregate(last=Max("subgroup"))["last"]
        subgroup = (last or 0) + 1
        Measurement.objects.bulk_create(
            Measurement(
                characteristic_id=characteristic_id,
                subgroup=subgroup,
                value=float(result.value),
                taken_at=now,
                order=order,
            )
            for result in results
        )
    if by_characteristic:
        from quality import alerts, queries

        transaction.on_commit(queries.forget_capability_summary)

        transaction.on_commit(
            lambda: alerts.check_characteristics(list(by_characteristic))
        )


def _after_pass(order: InspectionOrder, actor: Any) -> None:
    if order.lot is not None and order.trigger in (
        InspectionTrigger.RECEIPT,
        InspectionTrigger.FINAL,
    ):
        holds.release_lot_after_inspection(
            order.lot,
            actor,
            _("Inspection %(number)s passed") % {"number": order.number},
        )


def _after_failure(order: InspectionOrder, actor: Any, decision: Decision) -> None:
    first = decision.failed_results[0] if decision.failed_results else None
    description = _(
        "Inspection %(number)s failed: %(units)s of %(samples)s sample units "
        "nonconforming (acceptance number %(accept)s)."
    ) % {
        "number": order.number,
        "units": decision.nonconforming_units,
        "samples": order.sample_size,
        "accept": order.accept_number,
    }
    report = nonconformances.open_nonconformance(
        actor,
        item=order.item,
        lot=order.lot,
        quantity=Decimal(order.lot_size or order.sample_size),
        description=description,
        defect_code=first.defect_code if first else None,
        characteristic=first.characteristic if first else None,
        inspection_order=order,
        operation=order.operation,
        machine=order.machine,
    )
    plan = order.plan
    if order.lot is not None:
        if plan.holds_lot_on_failure:
            holds.hold_lots(
                order.lot,
                actor,
                description,
                nonconformance=report,
                inspection_order=order,
            )
        _keep_final_hold(order, report)
    if plan.stops_operation_on_failure and order.operation is not None:
        stop_operation(order, actor, description)


def _keep_final_hold(order: InspectionOrder, report: Any) -> None:
    """A lot already held for its final inspection stays held for the report."""
    LotHold.objects.filter(
        lot=order.lot, released_at__isnull=True, inspection_order=order
    ).update(nonconformance=report)


def stop_operation(order: InspectionOrder, actor: Any, reason: str) -> OperationStop:
    """Record the stop, pause the operation where it runs, tell the supervisor.

    The running work log of the operation is closed with the pause reason
    "waiting for quality", and a dispatch exception shows the stop on the
    supervisor's board.
    """
    stop = OperationStop.objects.create(
        operation=order.operation, machine=order.machine, inspection_order=order
    )
    audit.record_create(stop, actor=actor, reason=reason)
    running = WorkLog.objects.filter(
        operation=order.operation, ended_at__isnull=True
    ).select_related("machine")
    for log in running:
        try:
            execution.pause_operation(
                order.operation, log.machine, actor, PauseReason.QUALITY
            )
        except dispatch.DispatchError:
            logger.warning("Operation %s was not running to pause", order.reference)
    dispatch.raise_exception(
        "quality_stop",
        reason,
        machine_id=order.machine_id,
        work_order_id=order.operation.work_order_id,
        operation_id=order.operation_id,
        source_key=f"quality:{order.number}",
        actor=actor,
    )
    return stop


def cancel_order(order: InspectionOrder, actor: Any, reason: str) -> InspectionOrder:
    """Drop an open order made by mistake; a lot held for it stays held."""
    _require_inspector(actor)
    if not (reason or "").strip():
        raise QualityError({"reason": _("Say why the inspection is cancelled.")})
    with transaction.atomic():
        order = InspectionOrder.objects.select_for_update().get(pk=order.pk)
        old = order.transition_to(InspectionStatus.CANCELLED)
        order.save(update_fields=["status"])
        audit.record_transition(
            order, "status", old, order.status, actor=actor, reason=reason.strip()
        )
    return order


# Lists -------------------------------------------------------------------------


def open_orders() -> Any:
    """Open orders, most urgent (earliest due) first."""
    return (
        InspectionOrder.objects.filter(status=InspectionStatus.OPEN)
        .select_related("item", "lot", "plan", "machine", "operation")
        .order_by("due_at", "id")
    )


def find_open_order(code: str) -> InspectionOrder | None:
    """Scanner input: an order number or the code of a lot under inspection."""
    code = (code or "").strip()
    if not code:
        return None
    return open_orders().filter(Q(number__iexact=code) | Q(lot__code=code)).first()


def due_in_minutes(order: InspectionOrder) -> int:
    return math.floor((order.due_at - timezone.now()).total_seconds() / 60)
