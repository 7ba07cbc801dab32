"""Read-side selectors of planning: access helpers, lists, boards."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from materials.models import Item, ItemKind
from mes.roles import has_role
from planning.models import (
    Bom,
    BomLine,
    MrpRun,
    ProductionPlan,
    Routing,
    RoutingOperation,
    VersionStatus,
    WorkOrder,
    WorkOrderStatus,
)
from planning.services import VIEWER_ROLES

# Sort keys the order list accepts, mapped to ORM orderings.
ORDER_SORTS = {
    "due_date": ["due_date", "priority", "number"],
    "-due_date": ["-due_date", "priority", "number"],
    "priority": ["priority", "due_date", "number"],
    "number": ["number"],
    "-number": ["-number"],
    "product": ["product__code", "due_date"],
    "quantity": ["quantity", "number"],
    "-quantity": ["-quantity", "number"],
    "status": ["status", "due_date"],
    "-created_at": ["-created_at", "-id"],
}
DEFAULT_SORT = "due_date"

BOARD_COLUMNS = [
    WorkOrderStatus.DRAFT,
    WorkOrderStatus.SUBMITTED,
    WorkOrderStatus.APPROVED,
    WorkOrderStatus.RELEASED,
    WorkOrderStatus.IN_PROGRESS,
    WorkOrderStatus.COMPLETED,
]


def get_work_order_for_user(user: Any, pk: int) -> WorkOrder:
    """The order, if the user may see planning at all; 404 otherwise."""
    if not has_role(user, *VIEWER_ROLES):
        raise Http404
    try:
        return WorkOrder.objects.select_related(
            "product__unit",
            "plan",
            "bom",
            "routing",
            "created_by",
            "submitted_by",
            "approved_by",
            "released_by",
        ).get(pk=pk)
    except WorkOrder.DoesNotExist:
        raise Http404 from None


def get_plan_for_user(user: Any, pk: int) -> ProductionPlan:
    if not has_role(user, *VIEWER_ROLES):
        raise Http404
    try:
        return ProductionPlan.objects.get(pk=pk)
    except ProductionPlan.DoesNotExist:
        raise Http404 from None


def get_product_for_user(user: Any, pk: int) -> Item:
    if not has_role(user, *VIEWER_ROLES):
        raise Http404
    try:
        return Item.objects.select_related("unit").get(pk=pk)
    except Item.DoesNotExist:
        raise Http404 from None


def get_definition_for_user(user: Any, kind: str, pk: int) -> Bom | Routing:
    if not has_role(user, *VIEWER_ROLES):
        raise Http404
    model = {"bom": Bom, "routing": Routing}.get(kind)
    if model is None:
        raise Http404
    try:
        return model.objects.select_related("product").get(pk=pk)
    except model.DoesNotExist:
        raise Http404 from None


def get_mrp_run_for_user(user: Any, pk: int) -> MrpRun:
    if not has_role(user, *VIEWER_ROLES):
        raise Http404
    try:
        return MrpRun.objects.select_related("created_by").get(pk=pk)
    except MrpRun.DoesNotExist:
        raise Http404 from None


def get_bom_line_for_user(user: Any, pk: int) -> BomLine:
    if not has_role(user, *VIEWER_ROLES):
        raise Http404
    try:
        return BomLine.objects.select_related("bom").get(pk=pk)
    except BomLine.DoesNotExist:
        raise Http404 from None


def get_routing_operation_for_user(user: Any, pk: int) -> RoutingOperation:
    if not has_role(user, *VIEWER_ROLES):
        raise Http404
    try:
        return RoutingOperation.objects.select_related("routing").get(pk=pk)
    except RoutingOperation.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class OrderFilter:
    text: str = ""
    status: str = ""
    product_id: int | None = None
    plan_id: int | None = None
    priority: int | None = None
    due_from: date | None = None
    due_to: date | None = None
    late_only: bool = False
    sort: str = DEFAULT_SORT


def search_work_orders(criteria: OrderFilter) -> QuerySet[WorkOrder]:
    """Orders matching the filter, sorted by one of ``ORDER_SORTS``."""
    orders = WorkOrder.objects.select_related("product__unit", "plan")
    if criteria.text:
        text = criteria.text
        orders = orders.filter(
            Q(number__icontains=text)
            | Q(product__code__icontains=text)
            | Q(product__name__icontains=text)
            | Q(customer_reference__icontains=text)
        )
    if criteria.status == "open":
        orders = orders.exclude(
            status__in=[
                WorkOrderStatus.CLOSED,
                WorkOrderStatus.CANCELLED,
                WorkOrderStatus.COMPLETED,
            ]
        )
    elif criteria.status:
        orders = orders.filter(status=criteria.status)
    if criteria.product_id:
        orders = orders.filter(product_id=criteria.product_id)
    if criteria.plan_id:
        orders = orders.filter(plan_id=criteria.plan_id)
    if criteria.priority:
        orders = orders.filter(priority=criteria.priority)
    if criteria.due_from:
        orders = orders.filter(due_date__gte=criteria.due_from)
    if criteria.due_to:
        orders = orders.filter(due_date__lte=criteria.due_to)
    if criteria.late_only:
        orders = orders.filter(
            due_date__lt=timezone.localdate(),
            status__in=[
                WorkOrderStatus.APPROVED,
                WorkOrderStatus.RELEASED,
                WorkOrderStatus.IN_PROGRESS,
                WorkOrderStatus.SUBMITTED,
                WorkOrderStatus.DRAFT,
            ],
        )
    return orders.order_by(*ORDER_SORTS.get(criteria.sort, ORDER_SORTS[DEFAULT_SORT]))


def review_queue() -> QuerySet[WorkOrder]:
    """Orders waiting for an approver: submitted ones, then approved ones."""
    return (
        WorkOrder.objects.filter(
            status__in=[WorkOrderStatus.SUBMITTED, WorkOrderStatus.APPROVED]
        )
        .select_related("product__unit", "plan", "created_by", "submitted_by")
        .order_by("status", "priority", "due_date", "number")
    )


def products() -> QuerySet[Item]:
    """Items that are made here: finished and semi-finished."""
    return Item.objects.filter(
        kind__in=[ItemKind.FINISHED_GOOD, ItemKind.SEMI_FINISHED], is_active=True
    ).select_related("unit")


def products_with_definitions() -> list[dict[str, Any]]:
    released_boms = dict(
        Bom.objects.filter(status=VersionStatus.RELEASED).values_list(
            "product_id", "version"
        )
    )
    released_routings = dict(
        Routing.objects.filter(status=VersionStatus.RELEASED).values_list(
            "product_id", "version"
        )
    )
    return [
        {
            "product": product,
            "bom_version": released_boms.get(product.pk),
            "routing_version": released_routings.get(product.pk),
        }
        for product in products().order_by("kind", "code")
    ]


def current_plans(today: date | None = None) -> QuerySet[ProductionPlan]:
    """Plans that have not ended, soonest first, with order counts."""
    today = today or timezone.localdate()
    return (
        ProductionPlan.objects.filter(ends_on__gte=today)
        .annotate(
            order_count=Count("work_orders"),
            quantity_total=Sum("work_orders__quantity"),
        )
        .order_by("starts_on", "code")
    )


def all_plans() -> QuerySet[ProductionPlan]:
    """Every plan, newest period first, with order counts and quantities."""
    return ProductionPlan.objects.annotate(
        order_count=Count("work_orders"),
        quantity_total=Sum("work_orders__quantity"),
        good_total=Sum("work_orders__good_quantity"),
    ).order_by("-starts_on", "code")


def board_columns(plan: ProductionPlan | None) -> list[dict[str, Any]]:
    """The plan's orders grouped by status, one column per workflow step."""
    orders = WorkOrder.objects.select_related("product").filter(
        status__in=BOARD_COLUMNS + [WorkOrderStatus.RETURNED]
    )
    orders = orders.filter(plan=plan) if plan else orders.filter(plan__isnull=True)
    grouped: dict[str, list[WorkOrder]] = {status: [] for status in BOARD_COLUMNS}
    for order in orders.order_by("priority", "due_date", "number")[:600]:
        column = (
            WorkOrderStatus.DRAFT
            if order.status == WorkOrderStatus.RETURNED
            else order.status
        )
        grouped[column].append(order)
    return [
        {
            "status": status,
            "label": WorkOrderStatus(status).label,
            "orders": grouped[status],
        }
        for status in BOARD_COLUMNS
    ]
