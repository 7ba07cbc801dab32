"""Domain verbs of planning: work orders, their review and release, versions.

Every verb takes the acting user, checks the state machine and the user's
roles, changes rows under a row lock inside one transaction, writes the audit
trail in that transaction and publishes the planning events after commit.
Refusals raise ``PlanningError`` with a translated message and change
nothing.

Role rules: planners (and supervisors) enter, edit and submit orders;
supervisors approve, return and release them; nobody approves an order they
entered or submitted unless ``settings.ALLOW_SELF_APPROVAL`` is on. Admins
hold every role.

Limitations: release records the order's material requirements
(``WorkOrderMaterial``) but does not reserve stock in the ledger; shortages
are found by the MRP run, whose suggestions become purchase plan lines.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from materials.models import Item
from mes import audit, events
from mes.events import Event
from mes.roles import Role, has_role
from planning.models import (
    ZERO,
    Bom,
    BomLine,
    MrpRun,
    MrpRunStatus,
    OperationStatus,
    PlanningError,
    Priority,
    ProductionPlan,
    ProductionPlanTarget,
    Routing,
    RoutingOperation,
    RoutingOperationMachine,
    VersionedDefinition,
    VersionStatus,
    WorkInstructionFile,
    WorkOrder,
    WorkOrderMaterial,
    WorkOrderOperation,
    WorkOrderOperationMachine,
    WorkOrderStatus,
)

logger = logging.getLogger(__name__)


# Who may do what; the state machine decides when.
ENTRY_ROLES = (Role.PLANNER, Role.SUPERVISOR, Role.ADMIN)
APPROVER_ROLES = (Role.SUPERVISOR, Role.ADMIN)
VIEWER_ROLES = (Role.PLANNER, Role.SUPERVISOR, Role.ADMIN)

ORDER_FIELDS = (
    "product",
    "quantity",
    "due_date",
    "priority",
    "customer_reference",
    "plan",
    "note",
)
ADJUSTABLE_FIELDS = ("quantity", "due_date", "priority")

# MRP runs: the advisory lock key ("MRP" in ASCII) and when a run is lost.
MRP_LOCK_KEY = 0x4D5250
MRP_STALE_AFTER = timedelta(minutes=30)


# Permissions: state machine and roles together -----------------------------


def _is_own(user: Any, order: WorkOrder) -> bool:
    return user.pk is not None and user.pk in (
        order.created_by_id,
        order.submitted_by_id,
    )


def can_edit(user: Any, order: WorkOrder) -> bool:
    return order.can_edit() and has_role(user, *ENTRY_ROLES)


def can_submit(user: Any, order: WorkOrder) -> bool:
    return order.can_submit() and has_role(user, *ENTRY_ROLES)


def can_approve(user: Any, order: WorkOrder) -> bool:
    if not (order.can_approve() and has_role(user, *APPROVER_ROLES)):
        return False
    return settings.ALLOW_SELF_APPROVAL or not _is_own(user, order)


def can_return(user: Any, order: WorkOrder) -> bool:
    return order.can_return() and has_role(user, *APPROVER_ROLES)


def can_release(user: Any, order: WorkOrder) -> bool:
    return order.can_release() and has_role(user, *APPROVER_ROLES)


def can_adjust(user: Any, order: WorkOrder) -> bool:
    return order.can_adjust() and has_role(user, *ENTRY_ROLES)


def can_close(user: Any, order: WorkOrder) -> bool:
    return order.can_close() and has_role(user, *APPROVER_ROLES)


def can_cancel(user: Any, order: WorkOrder) -> bool:
    if not order.can_cancel():
        return False
    if order.status in (WorkOrderStatus.DRAFT, WorkOrderStatus.RETURNED):
        return has_role(user, *ENTRY_ROLES)
    if order.status == WorkOrderStatus.RELEASED and (
        order.good_quantity or order.scrap_quantity
    ):
        return False
    return has_role(user, *APPROVER_ROLES)


def can_delete(user: Any, order: WorkOrder) -> bool:
    return order.can_delete() and has_role(user, *ENTRY_ROLES)


ACTIONS = {
    "edit": can_edit,
    "submit": can_submit,
    "approve": can_approve,
    "return": can_return,
    "release": can_release,
    "adjust": can_adjust,
    "close": can_close,
    "cancel": can_cancel,
    "delete": can_delete,
}


def allowed_actions(user: Any, order: WorkOrder) -> frozenset[str]:
    """The verbs the user may apply to the order now, for showing buttons."""
    return frozenset(name for name, check in ACTIONS.items() if check(user, order))


def _require(allowed: bool, order: WorkOrder, verb: str) -> None:
    if not allowed:
        raise PlanningError(
            _("You may not %(verb)s work order %(number)s in its status %(status)s."),
            code="not_allowed",
            params={
                "verb": verb,
                "number": order.number,
                "status": order.get_status_display(),
            },
        )


def _locked(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().get(pk=order.pk)


def _move(order: WorkOrder, status: str, actor: Any, reason: str = "") -> None:
    old = order.transition_to(status)
    audit.record_transition(order, "status", old, status, actor=actor, reason=reason)
    logger.info(
        "Work order %s moved from %s to %s by %s", order.number, old, status, actor
    )


def _user(actor: Any) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


# Entering orders -----------------------------------------------------------


def next_work_order_number() -> str:
    """A new order number from a database sequence, safe under concurrency."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('planning_work_order_number_seq')")
        (value,) = cursor.fetchone()
    return f"WO-{value:06d}"


def check_order_values(
    *, product: Item, quantity: Decimal, due_date: date, priority: int
) -> None:
    """Refuse order values no plant would accept, with a translated message."""
    if priority not in Priority.values:
        raise PlanningError(
            _("The priority must be 1 (urgent) to 4 (low)."), code="priority"
        )
    if quantity is None or quantity <= 0:
        raise PlanningError(
            _("The quantity must be greater than zero."), code="quantity"
        )
    if not product.is_active:
        raise PlanningError(
            _("Item %(code)s is not active."),
            code="product",
            params={"code": product.code},
        )
    if due_date is None:
        raise PlanningError(_("A due date is required."), code="due_date")


def create_work_order(actor: Any, **values: Any) -> WorkOrder:
    """Enter a draft work order.

    ``values`` are the order fields (product, quantity, due_date, priority,
    customer_reference, plan, note); ``number`` is optional and comes from
    the number sequence when missing.
    """
    if not has_role(actor, *ENTRY_ROLES):
        raise PlanningError(
            _("Only planners and supervisors enter work orders."), code="not_allowed"
        )
    check_order_values(
        product=values["product"],
        quantity=values.get("quantity"),
        due_date=values.get("due_date"),
        priority=values.get("priority", Priority.NORMAL),
    )
    with transaction.atomic():
        number = values.pop("number", "") or next_work_order_number()
        order = WorkOrder.objects.create(
            number=number, created_by=_user(actor), **values
        )
        audit.record_create(order, actor=actor)
    logger.info("Work order %s entered by %s", order.number, actor)
    return order


def update_work_order(order: WorkOrder, actor: Any, **values: Any) -> WorkOrder:
    """Change a draft or returned order's fields."""
    with transaction.atomic():
        order = _locked(order)
        _require(can_edit(actor, order), order, _("edit"))
        merged = {name: getattr(order, name) for name in ORDER_FIELDS} | values
        check_order_values(
            product=merged["product"],
            quantity=merged["quantity"],
            due_date=merged["due_date"],
            priority=merged["priority"],
        )
        before = audit.snapshot(order)
        for name, value in values.items():
            setattr(order, name, value)
        order.save(update_fields=list(values))
        audit.record_change(order, before, actor=actor)
    return order


def delete_work_order(order: WorkOrder, actor: Any) -> None:
    """Delete a draft order; any other status is refused."""
    with transaction.atomic():
        order = _locked(order)
        _require(can_delete(actor, order), order, _("delete"))
        audit.record_delete(order, actor=actor)
        order.delete()
    logger.info("Work order %s deleted by %s", order.number, actor)


# Review ---------------------------------------------------------------------


def submit_work_order(order: WorkOrder, actor: Any) -> WorkOrder:
    """Send a draft or returned order for review (审核)."""
    with transaction.atomic():
        order = _locked(order)
        _require(can_submit(actor, order), order, _("submit"))
        _move(order, WorkOrderStatus.SUBMITTED, actor)
        order.submitted_by = _user(actor)
        order.submitted_at = timezone.now()
        order.save(update_fields=["status", "submitted_by", "submitted_at"])
    return order


def approve_work_order(order: WorkOrder, actor: Any) -> WorkOrder:
    """Approve a submitted order; the one who entered it may not."""
    with transaction.atomic():
        order = _locked(order)
        if (
            order.can_approve()
            and has_role(actor, *APPROVER_ROLES)
            and _is_own(actor, order)
            and not settings.ALLOW_SELF_APPROVAL
        ):
            raise PlanningError(
                _("You entered or submitted %(number)s; someone else must approve it."),
                code="self_approval",
                params={"number": order.number},
            )
        _require(can_approve(actor, order), order, _("approve"))
        _move(order, WorkOrderStatus.APPROVED, actor)
        order.approved_by = _user(actor)
        order.approved_at = timezone.now()
        order.return_reason = ""
        order.save(
            update_fields=["status", "approved_by", "approved_at", "return_reason"]
        )
    return order


def return_work_order(order: WorkOrder, actor: Any, reason: str) -> WorkOrder:
    """Send a submitted or approved order back to its planner with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise PlanningError(
            _("Say why the order goes back to the planner."), code="reason"
        )
    with transaction.atomic():
        order = _locked(order)
        _require(can_return(actor, order), order, _("return"))
        _move(order, WorkOrderStatus.RETURNED, actor, reason=reason)
        order.return_reason = reason
        order.approved_by = None
        order.approved_at = None
        order.save(
            update_fields=["status", "return_reason", "approved_by", "approved_at"]
        )
    return order


# Release --------------------------------------------------------------------


def released_bom(product: Item | int) -> Bom | None:
    return Bom.objects.filter(product=product, status=VersionStatus.RELEASED).first()


def released_routing(product: Item | int) -> Routing | None:
    return Routing.objects.filter(
        product=product, status=VersionStatus.RELEASED
    ).first()


def release_work_order(order: WorkOrder, actor: Any) -> WorkOrder:
    """Release an approved order to the floor (发布).

    Fixes the product's released BOM and routing versions on the order,
    creates its operations with their eligible machines and its material
    requirements, and publishes WORK_ORDER_RELEASED for dispatch. Refused for
    a due date in the past or a product without a released BOM and routing.
    """
    with transaction.atomic():
        order = _locked(order)
        _require(can_release(actor, order), order, _("release"))
        if order.due_date < timezone.localdate():
            raise PlanningError(
                _("The due date %(date)s is in the past; adjust it before release."),
                code="due_date",
                params={"date": order.due_date.isoformat()},
            )
        bom, routing = _definitions_for_release(order)

        _move(order, WorkOrderStatus.RELEASED, actor)
        order.bom = bom
        order.routing = routing
        order.released_by = _user(actor)
        order.released_at = timezone.now()
        order.save(
            update_fields=["status", "bom", "routing", "released_by", "released_at"]
        )
        operations = _create_operations(order, routing)
        _create_materials(order, bom, operations)
        events.publish(Event.WORK_ORDER_RELEASED, work_order_id=order.pk)
    return order


def _definitions_for_release(order: WorkOrder) -> tuple[Bom, Routing]:
    bom = released_bom(order.product_id)
    routing = released_routing(order.product_id)
    if bom is None:
        raise PlanningError(
            _("Product %(code)s has no released bill of material."),
            code="no_bom",
            params={"code": order.product.code},
        )
    if routing is None:
        raise PlanningError(
            _("Product %(code)s has no released routing."),
            code="no_routing",
            params={"code": order.product.code},
        )
    if not routing.operations.exists():
        raise PlanningError(
            _("Routing %(routing)s has no operations."),
            code="no_operations",
            params={"routing": str(routing)},
        )
    return bom, routing


def _create_operations(
    order: WorkOrder, routing: Routing
) -> dict[int, WorkOrderOperation]:
    routing_operations = list(
        routing.operations.select_related("work_center").prefetch_related(
            "machines__machine"
        )
    )
    created: dict[int, WorkOrderOperation] = {}
    eligible: list[WorkOrderOperationMachine] = []
    for step in routing_operations:
        operation = WorkOrderOperation.objects.create(
            work_order=order,
            routing_operation=step,
            sequence=step.sequence,
            name=step.name,
            work_center=step.work_center,
            setup_minutes=step.setup_minutes,
            run_minutes_per_unit=step.run_minutes_per_unit,
            quantity=order.quantity,
            requires_inspection=step.requires_inspection,
            instructions=step.instructions,
            product_family=routing.product_family,
        )
        created[step.sequence] = operation
        machines = _machines_of(step)
        if not machines:
            raise PlanningError(
                _("Operation %(sequence)s %(name)s has no active machine to run it."),
                code="no_machine",
                params={"sequence": step.sequence, "name": step.name},
            )
        for machine, run_minutes in machines:
            eligible.append(
                WorkOrderOperationMachine(
                    operation=operation,
                    machine=machine,
                    run_minutes_per_unit=run_minutes,
                    duration_minutes=step.setup_minutes + run_minutes * order.quantity,
                )
            )
    WorkOrderOperationMachine.objects.bulk_create(eligible)
    return created


def _machines_of(step: RoutingOperation) -> list[tuple[Any, Decimal]]:
    """The operation's listed machines, else every active one of its center."""
    listed: list[RoutingOperationMachine] = list(step.machines.all())
    if listed:
        return [
            (choice.machine, choice.effective_run_minutes)
            for choice in listed
            if choice.machine.is_active
        ]
    machines = step.work_center.machines.filter(is_active=True)
    return [(machine, step.run_minutes_per_unit) for machine in machines]


def _create_materials(
    order: WorkOrder, bom: Bom, operations: dict[int, WorkOrderOperation]
) -> None:
    rows = [
        WorkOrderMaterial(
            work_order=order,
            item_id=line.component_id,
            quantity_per_unit=line.quantity,
            scrap_percent=line.scrap_percent,
            quantity=_round(line.gross_quantity_per_unit * order.quantity),
            operation=operations.get(line.operation_sequence or -1),
        )
        for line in bom.lines.all()
    ]
    WorkOrderMaterial.objects.bulk_create(rows)


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"))


# Adjustment, cancel, close -------------------------------------------------


@dataclass(frozen=True)
class Adjustment:
    quantity: Decimal | None = None
    due_date: date | None = None
    priority: int | None = None


def adjust_work_order(
    order: WorkOrder, actor: Any, reason: str, adjustment: Adjustment
) -> WorkOrder:
    """Change quantity, due date or priority of an approved or running order.

    A reason is required. Operations and material requirements follow a new
    quantity. Publishes WORK_ORDER_ADJUSTED with the changed field names.
    """
    reason = (reason or "").strip()
    if not reason:
        raise PlanningError(_("An adjustment needs a reason."), code="reason")
    with transaction.atomic():
        order = _locked(order)
        _require(can_adjust(actor, order), order, _("adjust"))
        changed = _adjusted_fields(order, adjustment)
        if not changed:
            raise PlanningError(
                _("Nothing to change: the values are the order's current ones."),
                code="unchanged",
            )
        before = audit.snapshot(order)
        for name, value in changed.items():
            setattr(order, name, value)
        order.save(update_fields=list(changed))
        if "quantity" in changed:
            _rescale(order)
        audit.record_change(order, before, actor=actor, reason=reason)
        events.publish(
            Event.WORK_ORDER_ADJUSTED, work_order_id=order.pk, fields=sorted(changed)
        )
    logger.info("Work order %s adjusted by %s: %s", order.number, actor, changed)
    return order


def _adjusted_fields(order: WorkOrder, adjustment: Adjustment) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    if adjustment.quantity is not None and adjustment.quantity != order.quantity:
        if adjustment.quantity <= 0:
            raise PlanningError(
                _("The quantity must be greater than zero."), code="quantity"
            )
        if adjustment.quantity < order.good_quantity:
            raise PlanningError(
                _("The quantity cannot drop below the %(made)s already made."),
                code="quantity",
                params={"made": format(order.good_quantity.normalize(), "f")},
            )
        changed["quantity"] = adjustment.quantity
    if adjustment.due_date is not None and adjustment.due_date != order.due_date:
        if adjustment.due_date < timezone.localdate():
            raise PlanningError(_("The new due date is in the past."), code="due_date")
        changed["due_date"] = adjustment.due_date
    if adjustment.priority is not None and adjustment.priority != order.priority:
        changed["priority"] = adjustment.priority
    return changed


def _rescale(order: WorkOrder) -> None:
    operations = order.operations.exclude(status=OperationStatus.CANCELLED)
    operations.update(quantity=order.quantity)
    for choice in WorkOrderOperationMachine.objects.filter(
        operation__work_order=order
    ).select_related("operation"):
        choice.duration_minutes = (
            choice.operation.setup_minutes
            + choice.run_minutes_per_unit * order.quantity
        )
        choice.save(update_fields=["duration_minutes"])
    for material in order.materials.all():
        gross = material.quantity_per_unit * (1 + material.scrap_percent / 100)
        material.quantity = _round(gross * order.quantity)
        material.save(update_fields=["quantity"])


def cancel_work_order(order: WorkOrder, actor: Any, reason: str) -> WorkOrder:
    """Cancel an order that has not produced anything yet, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise PlanningError(_("A cancellation needs a reason."), code="reason")
    with transaction.atomic():
        order = _locked(order)
        _require(can_cancel(actor, order), order, _("cancel"))
        was_released = order.status == WorkOrderStatus.RELEASED
        _move(order, WorkOrderStatus.CANCELLED, actor, reason=reason)
        order.cancelled_at = timezone.now()
        order.save(update_fields=["status", "cancelled_at"])
        order.operations.update(status=OperationStatus.CANCELLED)
        if was_released:
            events.publish(Event.WORK_ORDER_CANCELLED, work_order_id=order.pk)
    return order


def close_work_order(order: WorkOrder, actor: Any, reason: str = "") -> WorkOrder:
    """Close a completed order: no more reports or changes."""
    with transaction.atomic():
        order = _locked(order)
        _require(can_close(actor, order), order, _("close"))
        _move(order, WorkOrderStatus.CLOSED, actor, reason=reason)
        order.closed_at = timezone.now()
        order.save(update_fields=["status", "closed_at"])
    return order


# Execution, called by dispatch ----------------------------------------------


def start_work_order(work_order: WorkOrder, actor: Any) -> WorkOrder:
    """Mark a released order as in progress; nothing happens if it already is."""
    with transaction.atomic():
        order = _locked(work_order)
        if order.status == WorkOrderStatus.IN_PROGRESS:
            return order
        _move(order, WorkOrderStatus.IN_PROGRESS, actor)
        order.started_at = timezone.now()
        order.save(update_fields=["status", "started_at"])
    return order


def record_operation_progress(
    operation: WorkOrderOperation, good: Decimal, scrap: Decimal, actor: Any
) -> WorkOrderOperation:
    """Add good and scrap quantities reported on an operation.

    Starts the operation and its order on the first report; the order's good
    quantity is the good quantity of its last operation, its scrap the sum
    of all operations' scrap.
    """
    good = Decimal(good or 0)
    scrap = Decimal(scrap or 0)
    if good < 0 or scrap < 0 or good + scrap == 0:
        raise PlanningError(
            _("Report a good or scrap quantity above zero, and none below."),
            code="quantity",
        )
    with transaction.atomic():
        order = _locked(operation.work_order)
        if order.status not in (WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS):
            raise PlanningError(
                _("Work order %(number)s is %(status)s and takes no reports."),
                code="not_running",
                params={"number": order.number, "status": order.get_status_display()},
            )
        operation = WorkOrderOperation.objects.select_for_update().get(pk=operation.pk)
        if operation.status in (OperationStatus.COMPLETED, OperationStatus.CANCELLED):
            raise PlanningError(
                _("Operation %(operation)s is finished and takes no reports."),
                code="operation_finished",
                params={"operation": operation.reference},
            )
        if order.status == WorkOrderStatus.RELEASED:
            start_work_order(order, actor)
        now = timezone.now()
        updates: dict[str, Any] = {
            "good_quantity": F("good_quantity") + good,
            "scrap_quantity": F("scrap_quantity") + scrap,
        }
        if operation.status == OperationStatus.PENDING:
            updates |= {"status": OperationStatus.IN_PROGRESS, "started_at": now}
        WorkOrderOperation.objects.filter(pk=operation.pk).update(**updates)
        _roll_up(order)
        operation.refresh_from_db()
    return operation


def start_operation(operation: WorkOrderOperation, actor: Any) -> WorkOrderOperation:
    """Mark a pending operation in progress and start its order; idempotent.

    Refused when the order is not released or running.
    """
    with transaction.atomic():
        order = start_work_order(operation.work_order, actor)
        WorkOrderOperation.objects.filter(
            pk=operation.pk, status=OperationStatus.PENDING
        ).update(status=OperationStatus.IN_PROGRESS, started_at=timezone.now())
    operation.refresh_from_db()
    logger.info("Operation %s of %s started by %s", operation.pk, order.number, actor)
    return operation


def complete_operation(operation: WorkOrderOperation, actor: Any) -> None:
    """Mark an operation finished; idempotent."""
    with transaction.atomic():
        WorkOrderOperation.objects.filter(
            pk=operation.pk,
            status__in=[OperationStatus.PENDING, OperationStatus.IN_PROGRESS],
        ).update(status=OperationStatus.COMPLETED, completed_at=timezone.now())


def _roll_up(order: WorkOrder) -> None:
    operations = order.operations.exclude(status=OperationStatus.CANCELLED)
    last = operations.order_by("-sequence").values("good_quantity").first()
    scrap = operations.aggregate(total=Sum("scrap_quantity"))["total"] or ZERO
    WorkOrder.objects.filter(pk=order.pk).update(
        good_quantity=last["good_quantity"] if last else ZERO, scrap_quantity=scrap
    )


def complete_work_order(work_order: WorkOrder, actor: Any) -> WorkOrder:
    """Mark a released or running order completed; idempotent."""
    with transaction.atomic():
        order = _locked(work_order)
        if order.status == WorkOrderStatus.COMPLETED:
            return order
        _move(order, WorkOrderStatus.COMPLETED, actor)
        order.completed_at = timezone.now()
        order.save(update_fields=["status", "completed_at"])
        order.operations.filter(
            status__in=[OperationStatus.PENDING, OperationStatus.IN_PROGRESS]
        ).update(status=OperationStatus.COMPLETED, completed_at=order.completed_at)
    return order


# Production plans ------------------------------------------------------------


def create_production_plan(actor: Any, **values: Any) -> ProductionPlan:
    """Create a production plan for a period."""
    if values["ends_on"] < values["starts_on"]:
        raise PlanningError(_("A plan cannot end before it starts."), code="period")
    with transaction.atomic():
        plan = ProductionPlan.objects.create(created_by=_user(actor), **values)
        audit.record_create(plan, actor=actor)
    return plan


def set_plan_target(
    plan: ProductionPlan, product: Item, quantity: Decimal, actor: Any
) -> ProductionPlanTarget | None:
    """Set the quantity a plan aims to make of a product; zero removes it."""
    if not has_role(actor, *ENTRY_ROLES):
        raise PlanningError(_("You may not change plans."), code="not_allowed")
    if quantity is None or quantity < 0:
        raise PlanningError(_("A target cannot be below zero."), code="quantity")
    with transaction.atomic():
        plan = ProductionPlan.objects.select_for_update().get(pk=plan.pk)
        target = ProductionPlanTarget.objects.filter(plan=plan, product=product).first()
        if target is None and quantity == 0:
            return None
        if target is None:
            target = ProductionPlanTarget.objects.create(
                plan=plan, product=product, quantity=quantity
            )
            audit.record_create(target, actor=actor)
            return target
        if quantity == 0:
            audit.record_delete(target, actor=actor)
            target.delete()
            return None
        before = audit.snapshot(target)
        target.quantity = quantity
        target.save(update_fields=["quantity"])
        audit.record_change(target, before, actor=actor)
    return target


# BOM and routing versions ----------------------------------------------------


def submit_version(definition: VersionedDefinition, actor: Any) -> None:
    """Send a draft BOM or routing version for review."""
    if not has_role(actor, *ENTRY_ROLES):
        raise PlanningError(_("You may not submit versions."), code="not_allowed")
    with transaction.atomic():
        definition = _lock_definition(definition)
        _check_definition_content(definition)
        old = definition.transition_to(VersionStatus.IN_REVIEW)
        definition.submitted_by = _user(actor)
        definition.save(update_fields=["status", "submitted_by"])
        audit.record_transition(
            definition, "status", old, definition.status, actor=actor
        )


def return_version(definition: VersionedDefinition, actor: Any, reason: str) -> None:
    """Send a version in review back to draft with a reason."""
    if not has_role(actor, *APPROVER_ROLES):
        raise PlanningError(_("You may not review versions."), code="not_allowed")
    if not (reason or "").strip():
        raise PlanningError(_("Say why the version goes back."), code="reason")
    with transaction.atomic():
        definition = _lock_definition(definition)
        old = definition.transition_to(VersionStatus.DRAFT)
        definition.save(update_fields=["status"])
        audit.record_transition(
            definition, "status", old, definition.status, actor=actor, reason=reason
        )


def release_version(definition: VersionedDefinition, actor: Any) -> None:
    """Release a reviewed version; the product's released one becomes obsolete.

    A BOM is refused when it would close a cycle among released BOMs.
    """
    if not has_role(actor, *APPROVER_ROLES):
        raise PlanningError(_("You may not release versions."), code="not_allowed")
    with transaction.atomic():
        definition = _lock_definition(definition)
        if (
            not settings.ALLOW_SELF_APPROVAL
            and actor.pk is not None
            and actor.pk in (definition.created_by_id, definition.submitted_by_id)
        ):
            raise PlanningError(
                _(
                    "You drafted or submitted this version; someone else must "
                    "release it."
                ),
                code="self_approval",
            )
        if not definition.can_become(VersionStatus.RELEASED):
            definition.transition_to(VersionStatus.RELEASED)
        if isinstance(definition, Bom):
            check_bom_cycles(definition)
        model = type(definition)
        current = (
            model.objects.select_for_update()
            .filter(product=definition.product_id, status=VersionStatus.RELEASED)
            .first()
        )
        if current is not None:
            old = current.transition_to(VersionStatus.OBSOLETE)
            current.save(update_fields=["status"])
            audit.record_transition(current, "status", old, current.status, actor=actor)
        old = definition.transition_to(VersionStatus.RELEASED)
        definition.released_by = _user(actor)
        definition.released_at = timezone.now()
        definition.save(update_fields=["status", "released_by", "released_at"])
        audit.record_transition(
            definition, "status", old, definition.status, actor=actor
        )


def new_version(definition: VersionedDefinition, actor: Any) -> VersionedDefinition:
    """Draft the next version of a BOM or routing as a copy of this one."""
    if not has_role(actor, *ENTRY_ROLES):
        raise PlanningError(_("You may not draft versions."), code="not_allowed")
    model = type(definition)
    with transaction.atomic():
        latest = (
            model.objects.select_for_update()
            .filter(product=definition.product_id)
            .order_by("-version")
            .first()
        )
        copy = model.objects.get(pk=definition.pk)
        copy.pk = None
        copy.id = None
        copy.version = latest.version + 1 if latest else 1
        copy.status = VersionStatus.DRAFT
        copy.created_by = _user(actor)
        copy.submitted_by = None
        copy.released_by = None
        copy.released_at = None
        copy.save()
        if isinstance(definition, Bom):
            _copy_bom_lines(definition, copy)
        else:
            _copy_routing_operations(definition, copy)
        audit.record_create(copy, actor=actor)
    return copy


def _copy_bom_lines(source: Bom, target: Any) -> None:
    lines = list(source.lines.all())
    for line in lines:
        line.pk = None
        line.bom = target
    BomLine.objects.bulk_create(lines)


def _copy_routing_operations(source: Routing, target: Any) -> None:
    for step in source.operations.prefetch_related("machines", "files"):
        machines = list(step.machines.all())
        files = list(step.files.all())
        step.pk = None
        step.routing = target
        step.save()
        for choice in machines:
            choice.pk = None
            choice.operation = step
            choice.save()
        for attachment in files:
            attachment.pk = None
            attachment.operation = step
            attachment.save()


def _lock_definition(definition: VersionedDefinition) -> Any:
    return type(definition).objects.select_for_update().get(pk=definition.pk)


def _check_definition_content(definition: VersionedDefinition) -> None:
    if isinstance(definition, Bom) and not definition.lines.exists():
        raise PlanningError(_("A BOM needs at least one line."), code="empty")
    if isinstance(definition, Routing) and not definition.operations.exists():
        raise PlanningError(_("A routing needs at least one operation."), code="empty")


def check_bom_cycles(candidate: Bom | None = None) -> None:
    """Refuse a BOM structure in which an item is, at any level, its own part.

    Checks the released BOMs, with ``candidate`` taking its product's place.
    """
    graph = released_bom_graph()
    if candidate is not None:
        graph[candidate.product_id] = [
            line.component_id for line in candidate.lines.all()
        ]
    cycle = find_cycle(graph)
    if cycle:
        codes = dict(Item.objects.filter(pk__in=cycle).values_list("pk", "code"))
        raise PlanningError(
            _("The BOM would make an item part of itself: %(path)s."),
            code="bom_cycle",
            params={"path": " > ".join(codes.get(pk, str(pk)) for pk in cycle)},
        )


def released_bom_graph() -> dict[int, list[int]]:
    """Product id mapped to the component ids of its released BOM."""
    graph: dict[int, list[int]] = {}
    rows = BomLine.objects.filter(bom__status=VersionStatus.RELEASED).values_list(
        "bom__product_id", "component_id"
    )
    for product_id, component_id in rows:
        graph.setdefault(product_id, []).append(component_id)
    return graph


def find_cycle(graph: dict[int, Iterable[int]]) -> list[int]:
    """A path that returns to its start, or an empty list; iterative DFS."""
    white, grey, black = 0, 1, 2
    colour: dict[int, int] = {}
    for root in graph:
        if colour.get(root, white) != white:
            continue
        stack: list[tuple[int, Any]] = [(root, iter(graph.get(root, ())))]
        path = [root]
        colour[root] = grey
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = black
                stack.pop()
                path.pop()
                continue
            state = colour.get(child, white)
            if state == grey:
                return path[path.index(child) :] + [child]
            if state == white:
                colour[child] = grey
                stack.append((child, iter(graph.get(child, ()))))
                path.append(child)
    return []


# Material requirements planning ---------------------------------------------


def start_mrp_run(actor: Any) -> MrpRun:
    """Queue an MRP run for the worker; an unfinished run is returned instead.

    A run that has not finished within ``MRP_STALE_AFTER`` is taken for
    lost (its worker died) and marked failed, so it blocks nobody.
    """
    from planning.tasks import run_mrp_task

    with transaction.atomic():
        # One run at a time: the advisory lock serialises concurrent clicks.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MRP_LOCK_KEY])
        unfinished = MrpRun.objects.filter(
            status__in=[MrpRunStatus.QUEUED, MrpRunStatus.RUNNING]
        )
        stale = unfinished.filter(created_at__lt=timezone.now() - MRP_STALE_AFTER)
        stale.update(
            status=MrpRunStatus.FAILED,
            error=_("The run stopped answering and was given up."),
            finished_at=timezone.now(),
        )
        running = unfinished.first()
        if running is not None:
            return running
        run = MrpRun.objects.create(created_by=_user(actor))
        transaction.on_commit(lambda: run_mrp_task.delay(run.pk))
    logger.info("MRP run %s queued by %s", run.pk, actor)
    return run


# Editing draft versions ------------------------------------------------------


def create_first_version(product: Item, kind: str, actor: Any) -> VersionedDefinition:
    """Draft version 1 of a product's BOM or routing, when it has none yet."""
    if not has_role(actor, *ENTRY_ROLES):
        raise PlanningError(_("You may not draft versions."), code="not_allowed")
    model = Bom if kind == "bom" else Routing
    with transaction.atomic():
        if model.objects.filter(product=product).exists():
            raise PlanningError(
                _("%(code)s already has a version; draft the next one from it."),
                code="exists",
                params={"code": product.code},
            )
        definition = model.objects.create(product=product, created_by=_user(actor))
        audit.record_create(definition, actor=actor)
    return definition


def _require_draft(definition: VersionedDefinition, actor: Any) -> None:
    if not has_role(actor, *ENTRY_ROLES):
        raise PlanningError(_("You may not edit versions."), code="not_allowed")
    if not definition.is_editable:
        raise PlanningError(
            _("Only draft versions can be changed; draft a new version."),
            code="not_draft",
        )


def add_bom_line(bom: Bom, actor: Any, **values: Any) -> BomLine:
    """Add a component line to a draft BOM."""
    with transaction.atomic():
        bom = _lock_definition(bom)
        _require_draft(bom, actor)
        component = values["component"]
        if component.pk == bom.product_id:
            raise PlanningError(
                _("An item cannot be a component of itself."), code="bom_cycle"
            )
        if values["quantity"] is None or values["quantity"] <= 0:
            raise PlanningError(
                _("The quantity must be greater than zero."), code="quantity"
            )
        line = BomLine.objects.create(bom=bom, **values)
        audit.record_create(line, actor=actor)
    return line


def remove_bom_line(line: BomLine, actor: Any) -> None:
    with transaction.atomic():
        _require_draft(_lock_definition(line.bom), actor)
        audit.record_delete(line, actor=actor)
        line.delete()


def add_routing_operation(routing: Routing, actor: Any, **values: Any) -> Any:
    """Add an operation to a draft routing; sequence numbers are unique."""
    with transaction.atomic():
        routing = _lock_definition(routing)
        _require_draft(routing, actor)
        if routing.operations.filter(sequence=values["sequence"]).exists():
            raise PlanningError(
                _("The routing already has an operation %(sequence)s."),
                code="sequence",
                params={"sequence": values["sequence"]},
            )
        operation = RoutingOperation.objects.create(routing=routing, **values)
        audit.record_create(operation, actor=actor)
    return operation


def remove_routing_operation(operation: RoutingOperation, actor: Any) -> None:
    with transaction.atomic():
        _require_draft(_lock_definition(operation.routing), actor)
        audit.record_delete(operation, actor=actor)
        operation.delete()


def add_operation_machine(
    operation: RoutingOperation, actor: Any, **values: Any
) -> RoutingOperationMachine:
    """Let another machine run an operation, with its own run time if given."""
    with transaction.atomic():
        _require_draft(_lock_definition(operation.routing), actor)
        if operation.machines.filter(machine=values["machine"]).exists():
            raise PlanningError(
                _("That machine is already listed for the operation."),
                code="machine",
            )
        choice = RoutingOperationMachine.objects.create(operation=operation, **values)
        audit.record_create(choice, actor=actor)
    return choice


def add_instruction_file(
    operation: RoutingOperation, actor: Any, **values: Any
) -> WorkInstructionFile:
    """Attach a file (drawing, photo, PDF) to an operation's work instruction."""
    with transaction.atomic():
        _require_draft(_lock_definition(operation.routing), actor)
        attachment = WorkInstructionFile.objects.create(operation=operation, **values)
        audit.record_create(attachment, actor=actor)
    return attachment
