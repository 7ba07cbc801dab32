"""Factories of planning records: products with released definitions, orders."""

from datetime import timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from materials.models import Item, ItemKind
from planning.models import (
    Bom,
    BomLine,
    ProductionPlan,
    Routing,
    RoutingOperation,
    RoutingOperationMachine,
    VersionStatus,
    WorkOrder,
    WorkOrderStatus,
)
from tests.factories.equipment import make_machine, make_work_center
from tests.factories.materials import make_item

_sequence = count(1)


def make_bom(
    product: Item,
    components: list[tuple[Item, str | Decimal]] | None = None,
    *,
    status: str = VersionStatus.RELEASED,
    version: int = 1,
    scrap_percent: str | Decimal = "0",
) -> Bom:
    """A BOM version of the product with (component, quantity per unit) lines."""
    bom = Bom.objects.create(product=product, version=version, status=status)
    for position, (component, quantity) in enumerate(components or [], start=1):
        BomLine.objects.create(
            bom=bom,
            position=position * 10,
            component=component,
            quantity=Decimal(str(quantity)),
            scrap_percent=Decimal(str(scrap_percent)),
        )
    return bom


def make_routing(
    product: Item,
    steps: int = 2,
    *,
    status: str = VersionStatus.RELEASED,
    version: int = 1,
    setup_minutes: str = "30",
    run_minutes: str = "2",
    machines_per_step: int = 2,
) -> Routing:
    """A routing with ``steps`` operations, each on its own work center."""
    routing = Routing.objects.create(
        product=product, version=version, status=status, product_family="family-a"
    )
    for number in range(1, steps + 1):
        work_center = make_work_center()
        operation = RoutingOperation.objects.create(
            routing=routing,
            sequence=number * 10,
            name=f"Operation {number * 10}",
            work_center=work_center,
            setup_minutes=Decimal(setup_minutes),
            run_minutes_per_unit=Decimal(run_minutes),
            requires_inspection=number == steps,
            instructions=f"Instruction for step {number}",
        )
        for index in range(machines_per_step):
            RoutingOperationMachine.objects.create(
                operation=operation,
                machine=make_machine(work_center),
                run_minutes_per_unit=(None if index == 0 else Decimal(run_minutes) * 2),
            )
    return routing


def make_product(**fields: object) -> Item:
    """A finished good with a released one-line BOM and a two-step routing."""
    product = make_item(ItemKind.FINISHED_GOOD, **fields)
    make_bom(product, [(make_item(), "2")])
    make_routing(product)
    return product


def make_plan(**fields: object) -> ProductionPlan:
    number = next(_sequence)
    today = timezone.localdate()
    values = {
        "code": f"PLAN-{number}",
        "name": f"Plan {number}",
        "starts_on": today,
        "ends_on": today + timedelta(days=6),
    } | fields
    return ProductionPlan.objects.create(**values)


def make_work_order(
    product: Item | None = None,
    status: str = WorkOrderStatus.DRAFT,
    **fields: object,
) -> WorkOrder:
    """A work order in ``status`` set directly, bypassing the workflow."""
    number = next(_sequence)
    values = {
        "number": f"WO-T{number:05d}",
        "product": product or make_product(),
        "quantity": Decimal("10"),
        "due_date": timezone.localdate() + timedelta(days=14),
        "status": status,
    } | fields
    return WorkOrder.objects.create(**values)
