"""Plan against actual (计划执行跟踪): what was planned, made, late, at risk.

The scope is a production plan's orders, or the orders due in a period.
Cancelled orders are counted apart and left out of every figure.

- planned: ordered quantity; made and scrapped: reported good and scrap.
- attainment (计划达成率): made / planned.
- on-time rate (准时完工率): of the completed (or closed) orders, the share
  completed on or before their due date (plant-local dates).
- late: open orders whose due date has passed.
- at risk: open orders not yet late whose due date minus their remaining
  work, in working days of ``MINUTES_PER_WORKING_DAY``, is in the past.
- lead time: mean days from release to completion of completed orders.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from planning.capacity import MINUTES_PER_WORKING_DAY
from planning.models import (
    DONE_STATUSES,
    ZERO,
    OperationStatus,
    ProductionPlan,
    RoutingOperation,
    VersionStatus,
    WorkOrder,
    WorkOrderOperation,
    WorkOrderStatus,
)


@dataclass
class OrderLine:
    order: WorkOrder
    remaining_days: int = 0
    is_late: bool = False
    is_at_risk: bool = False
    completed_on: date | None = None
    on_time: bool | None = None
    lead_time_days: Decimal | None = None


@dataclass
class ProductLine:
    code: str
    name: str
    planned: Decimal = ZERO
    made: Decimal = ZERO
    scrapped: Decimal = ZERO
    target: Decimal | None = None

    @property
    def attainment(self) -> Decimal | None:
        return _percent(self.made, self.planned)


@dataclass
class Figures:
    lines: list[OrderLine] = field(default_factory=list)
    products: list[ProductLine] = field(default_factory=list)
    planned: Decimal = ZERO
    made: Decimal = ZERO
    scrapped: Decimal = ZERO
    order_count: int = 0
    completed_count: int = 0
    on_time_count: int = 0
    cancelled_count: int = 0
    late_count: int = 0
    at_risk_count: int = 0
    lead_time_days: Decimal | None = None

    @property
    def attainment(self) -> Decimal | None:
        return _percent(self.made, self.planned)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _percent(Decimal(self.on_time_count), Decimal(self.completed_count))

    @property
    def scrap_rate(self) -> Decimal | None:
        return _percent(self.scrapped, self.made + self.scrapped)


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"))


def orders_in_scope(
    plan: ProductionPlan | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
) -> QuerySet[WorkOrder]:
    orders = WorkOrder.objects.select_related("product__unit", "plan")
    if plan is not None:
        orders = orders.filter(plan=plan)
    if due_from is not None:
        orders = orders.filter(due_date__gte=due_from)
    if due_to is not None:
        orders = orders.filter(due_date__lte=due_to)
    return orders.order_by("due_date", "number")


def figures_for(
    orders: QuerySet[WorkOrder],
    plan: ProductionPlan | None = None,
    today: date | None = None,
) -> Figures:
    """Plan-against-actual figures of the orders (see the module docstring)."""
    today = today or timezone.localdate()
    zone = timezone.get_current_timezone()
    result = Figures()
    orders = list(orders)
    remaining = _remaining_minutes(orders)
    products: dict[int, ProductLine] = {}
    lead_times: list[Decimal] = []

    for order in orders:
        if order.status == WorkOrderStatus.CANCELLED:
            result.cancelled_count += 1
            continue
        line = OrderLine(order)
        product = products.get(order.product_id)
        if product is None:
            product = products[order.product_id] = ProductLine(
                order.product.code, order.product.name
            )
        product.planned += order.quantity
        product.made += order.good_quantity
        product.scrapped += order.scrap_quantity
        result.order_count += 1

        if order.status in DONE_STATUSES and order.completed_at:
            line.completed_on = timezone.localtime(order.completed_at, zone).date()
            line.on_time = line.completed_on <= order.due_date
            result.completed_count += 1
            result.on_time_count += int(line.on_time)
            if order.released_at:
                seconds = (order.completed_at - order.released_at).total_seconds()
                line.lead_time_days = Decimal(seconds / 86400).quantize(Decimal("0.1"))
                lead_times.append(line.lead_time_days)
        elif order.status not in DONE_STATUSES:
            minutes = remaining.get(order.pk, ZERO)
            line.remaining_days = math.ceil(minutes / MINUTES_PER_WORKING_DAY)
            line.is_late = order.due_date < today
            line.is_at_risk = not line.is_late and (
                order.due_date.toordinal() - line.remaining_days < today.toordinal()
            )
            result.late_count += int(line.is_late)
            result.at_risk_count += int(line.is_at_risk)
        result.lines.append(line)

    if plan is not None:
        for target in plan.targets.select_related("product"):
            product = products.setdefault(
                target.product_id,
                ProductLine(target.product.code, target.product.name),
            )
            product.target = target.quantity
    result.products = sorted(products.values(), key=lambda p: p.code)
    result.planned = sum((p.planned for p in result.products), ZERO)
    result.made = sum((p.made for p in result.products), ZERO)
    result.scrapped = sum((p.scrapped for p in result.products), ZERO)
    if lead_times:
        result.lead_time_days = (sum(lead_times) / len(lead_times)).quantize(
            Decimal("0.1")
        )
    return result


def _remaining_minutes(orders: list[WorkOrder]) -> dict[int, Decimal]:
    """Work still to do per open order: its operations, else its routing."""
    open_orders = [order for order in orders if order.is_open]
    released_ids = {order.pk for order in open_orders if order.routing_id}
    minutes: dict[int, Decimal] = defaultdict(Decimal)
    for operation in WorkOrderOperation.objects.filter(
        work_order_id__in=released_ids
    ).exclude(status__in=[OperationStatus.COMPLETED, OperationStatus.CANCELLED]):
        minutes[operation.work_order_id] += operation.remaining_minutes

    products = {order.product_id for order in open_orders if not order.routing_id}
    routings: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for product_id, setup, run in RoutingOperation.objects.filter(
        routing__status=VersionStatus.RELEASED, routing__product_id__in=products
    ).values_list("routing__product_id", "setup_minutes", "run_minutes_per_unit"):
        routings[product_id].append((setup, run))
    for order in open_orders:
        if order.routing_id:
            continue
        left = order.quantity - order.good_quantity
        minutes[order.pk] = sum(
            (setup + run * left for setup, run in routings.get(order.product_id, ())),
            ZERO,
        )
    return minutes


# Export -----------------------------------------------------------------------


def export_rows(figures: Figures) -> list[list[Any]]:
    """The order lines as plain cells, for CSV and Excel alike."""
    return [
        [
            line.order.number,
            line.order.product.code,
            line.order.plan.code if line.order.plan else "",
            line.order.get_status_display(),
            line.order.quantity,
            line.order.good_quantity,
            line.order.scrap_quantity,
            line.order.due_date,
            line.completed_on,
            {True: 1, False: 0, None: ""}[line.on_time],
            int(line.is_late),
            int(line.is_at_risk),
            line.lead_time_days if line.lead_time_days is not None else "",
        ]
        for line in figures.lines
    ]
