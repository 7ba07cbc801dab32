"""Demo product definitions and orders for the pump housing plant.

BOMs and routings for the pump housings PH-100, PH-150 and PH-200 and their
parts, a production plan for the current week and work orders in every
state of the workflow, entered, reviewed and released through the services
so their history reads like a real one. Safe to run again: definitions are
looked up by product and version, orders by their demo number.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from equipment.models import Machine, WorkCenter
from materials.models import Item
from planning import mrp, services
from planning.models import (
    Bom,
    BomLine,
    MrpRun,
    PlanPeriod,
    ProductionPlan,
    ProductionPlanTarget,
    Routing,
    RoutingOperation,
    RoutingOperationMachine,
    VersionStatus,
    WorkOrder,
)

SIZES = ["100", "150", "200"]
# Run minutes per unit grow with the housing size.
RUN_FACTOR = {"100": Decimal("1.0"), "150": Decimal("1.25"), "200": Decimal("1.6")}


def _bom_lines(size: str) -> dict[str, list[tuple[str, str, str, int | None]]]:
    """Product code -> (component, quantity, scrap %, consumed at operation)."""
    bolt, washer = (
        ("BOLT-M12", "WASHER-12") if size == "200" else ("BOLT-M10", "WASHER-10")
    )
    return {
        f"PH-{size}-T": [(f"CAST-{size}", "1", "3", 10), ("COOLANT", "0.02", "0", 10)],
        f"PH-{size}-M": [(f"PH-{size}-T", "1", "2", 10)],
        f"CV-{size}": [(f"CVC-{size}", "1", "2", 10)],
        f"PH-{size}": [
            (f"PH-{size}-M", "1", "0", 10),
            (f"CV-{size}", "1", "0", 10),
            (f"ORING-{size}", "1", "5", 10),
            (bolt, "6", "2", 10),
            (washer, "6", "2", 10),
            ("PLUG-G14", "1", "0", 10),
            ("PLATE-ID", "1", "0", 10),
            ("PAINT-RAL5015", "0.05", "10", 10),
            ("BOX-S", "1", "0", 20),
        ],
    }


# name, work center, machines with run minutes per unit, setup, inspection
STEP = tuple[str, str, list[tuple[str, str]], str, bool, str]


def _routing_steps(size: str) -> dict[str, list[STEP]]:
    def run(minutes: str) -> str:
        return str(Decimal(minutes) * RUN_FACTOR[size])

    return {
        f"PH-{size}-T": [
            (
                "Turning",
                "CNC-T",
                [("T01", run("4")), ("T02", run("4")), ("T03", run("5"))],
                "45",
                True,
                "Clamp on the flange; check bore diameter on the first part.",
            ),
        ],
        f"PH-{size}-M": [
            (
                "Milling and drilling",
                "CNC-M",
                [("M01", run("7")), ("M02", run("7"))],
                "60",
                False,
                "Use fixture F-{size}; deburr the drain thread.".replace(
                    "{size}", size
                ),
            ),
            ("Washing", "WASH", [("W01", run("1"))], "10", False, ""),
        ],
        f"CV-{size}": [
            ("Cover turning", "CNC-T", [("T03", run("3"))], "30", False, ""),
            ("Cover milling", "CNC-M", [("M02", run("3"))], "30", False, ""),
        ],
        f"PH-{size}": [
            (
                "Assembly",
                "ASM",
                [("A01", run("5"))],
                "15",
                False,
                "Torque cover bolts crosswise to 45 Nm.",
            ),
            ("Leak test", "ASM", [("A02", run("2"))], "10", True, "Test at 6 bar."),
        ],
    }


def load() -> str:
    planner = User.objects.filter(username="planner").first()
    supervisor = User.objects.filter(username="supervisor").first()
    items = {item.code: item for item in Item.objects.all()}
    if planner is None or supervisor is None or "PH-100" not in items:
        return "skipped: demo users or items missing"

    definitions = 0
    for size in SIZES:
        for product, lines in _bom_lines(size).items():
            definitions += _bom(items, product, lines, supervisor)
        for product, steps in _routing_steps(size).items():
            definitions += _routing(items, product, steps, size, supervisor)
    _draft_second_version(items, planner)

    plan = _plan(items, planner)
    created = _orders(items, plan, planner, supervisor)
    # A first MRP run, so the requirements page has something to show.
    if not MrpRun.objects.exists():
        mrp.execute(MrpRun.objects.create(created_by=planner))
    return (
        f"{definitions} BOM and routing versions, plan {plan.code}, "
        f"{created} new work orders"
    )


def _bom(items: dict[str, Item], product: str, lines: list[Any], actor: Any) -> int:
    bom, created = Bom.objects.get_or_create(
        product=items[product],
        version=1,
        defaults={"status": VersionStatus.RELEASED, "released_by": actor},
    )
    if created:
        bom.released_at = timezone.now()
        bom.save(update_fields=["released_at"])
        for position, (component, quantity, scrap, operation) in enumerate(lines):
            BomLine.objects.create(
                bom=bom,
                position=(position + 1) * 10,
                component=items[component],
                quantity=Decimal(quantity),
                scrap_percent=Decimal(scrap),
                operation_sequence=operation,
            )
    return int(created)


def _routing(
    items: dict[str, Item], product: str, steps: list[STEP], size: str, actor: Any
) -> int:
    routing, created = Routing.objects.get_or_create(
        product=items[product],
        version=1,
        defaults={
            "status": VersionStatus.RELEASED,
            "released_by": actor,
            "product_family": f"PH-{size}",
        },
    )
    if not created:
        return 0
    routing.released_at = timezone.now()
    routing.save(update_fields=["released_at"])
    work_centers = {center.code: center for center in WorkCenter.objects.all()}
    machines = {machine.code: machine for machine in Machine.objects.all()}
    for number, (name, center, choices, setup, inspect, text) in enumerate(steps):
        fastest = min(Decimal(minutes) for _code, minutes in choices)
        operation = RoutingOperation.objects.create(
            routing=routing,
            sequence=(number + 1) * 10,
            name=name,
            work_center=work_centers[center],
            setup_minutes=Decimal(setup),
            run_minutes_per_unit=fastest,
            requires_inspection=inspect,
            instructions=text,
        )
        for code, minutes in choices:
            RoutingOperationMachine.objects.create(
                operation=operation,
                machine=machines[code],
                run_minutes_per_unit=(
                    None if Decimal(minutes) == fastest else Decimal(minutes)
                ),
            )
    return 1


def _draft_second_version(items: dict[str, Item], planner: Any) -> None:
    """PH-200's BOM version 2 waits for review: a versioning example."""
    product = items["PH-200"]
    if Bom.objects.filter(product=product, version=2).exists():
        return
    first = Bom.objects.get(product=product, version=1)
    second = services.new_version(first, planner)
    second.note = "Paint consumption lowered after the new spray nozzle."
    second.save(update_fields=["note"])
    second.lines.filter(component__code="PAINT-RAL5015").update(
        quantity=Decimal("0.04")
    )
    services.submit_version(second, planner)


def _plan(items: dict[str, Item], planner: Any) -> ProductionPlan:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    year, week, _day = monday.isocalendar()
    plan, created = ProductionPlan.objects.get_or_create(
        code=f"W{year}-{week:02d}",
        defaults={
            "name": f"Week {week} pump housings",
            "period": PlanPeriod.WEEK,
            "starts_on": monday,
            "ends_on": monday + timedelta(days=6),
            "created_by": planner,
        },
    )
    if created:
        for code, quantity in [("PH-100", 200), ("PH-150", 120), ("PH-200", 80)]:
            ProductionPlanTarget.objects.create(
                plan=plan, product=items[code], quantity=quantity
            )
    return plan


# number, product, quantity, days until due, priority, customer, final state
ORDERS = [
    ("WO-DEMO-01", "PH-100", 80, 3, 2, "SO-24017 Kaiquan", "completed"),
    ("WO-DEMO-02", "PH-100", 120, 5, 3, "SO-24021 Shimge", "in_progress"),
    ("WO-DEMO-03", "PH-150", 60, 4, 1, "SO-24022 Grundfos", "released"),
    ("WO-DEMO-04", "PH-200", 40, 6, 3, "SO-24030 Wilo", "released"),
    ("WO-DEMO-05", "PH-150", 60, 9, 3, "SO-24033 Leo", "approved"),
    ("WO-DEMO-06", "PH-200", 40, 12, 4, "SO-24035 Kaiquan", "submitted"),
    ("WO-DEMO-07", "PH-100", 200, 10, 3, "SO-24036 Shimge", "returned"),
    ("WO-DEMO-08", "PH-150", 30, 14, 3, "", "draft"),
    ("WO-DEMO-09", "PH-200", 25, 2, 1, "SO-24011 Wilo", "closed"),
    ("WO-DEMO-10", "PH-100", 50, 8, 3, "SO-24018 Leo", "cancelled"),
    ("WO-DEMO-11", "PH-100-M", 100, 6, 3, "stock replenishment", "approved"),
    ("WO-DEMO-12", "PH-150", 30, 1, 2, "SO-24009 Grundfos", "late"),
]


def _orders(
    items: dict[str, Item], plan: ProductionPlan, planner: Any, supervisor: Any
) -> int:
    today = timezone.localdate()
    created = 0
    for number, product, quantity, days, priority, customer, state in ORDERS:
        if WorkOrder.objects.filter(number=number).exists():
            continue
        order = services.create_work_order(
            planner,
            number=number,
            product=items[product],
            quantity=Decimal(quantity),
            due_date=today + timedelta(days=days),
            priority=priority,
            customer_reference=customer,
            plan=plan if items[product].kind == "finished" else None,
        )
        _advance(order, state, planner, supervisor)
        _backdate(order, state, today)
        created += 1
    return created


def _backdate(order: WorkOrder, state: str, today: Any) -> None:
    """Give finished and late demo orders a past, which no workflow step can.

    Finished orders were released days ago, so plan-against-actual shows a
    lead time; the late order's due date has passed while it is running.
    """
    now = timezone.now()
    if state in ("completed", "closed"):
        WorkOrder.objects.filter(pk=order.pk).update(
            released_at=now - timedelta(days=4, hours=3),
            started_at=now - timedelta(days=3),
            completed_at=now - timedelta(days=1, hours=2),
        )
    if state == "late":
        WorkOrder.objects.filter(pk=order.pk).update(
            due_date=today - timedelta(days=2),
            released_at=now - timedelta(days=6),
        )


def _advance(order: WorkOrder, state: str, planner: Any, supervisor: Any) -> None:
    """Walk the order through the workflow up to ``state``."""
    if state == "draft":
        return
    if state == "cancelled":
        services.cancel_work_order(order, planner, "Customer moved the call-off.")
        return
    services.submit_work_order(order, planner)
    if state == "submitted":
        return
    if state == "returned":
        services.return_work_order(
            order, supervisor, "Split into two lots of 100: casting supply."
        )
        return
    services.approve_work_order(order, supervisor)
    if state == "approved":
        return
    services.release_work_order(order, supervisor)
    if state == "released":
        return
    if state == "late":
        _report(order, supervisor, complete=False)
        return
    _report(order, supervisor, complete=state in ("completed", "closed"))
    if state in ("completed", "closed"):
        services.complete_work_order(order, supervisor)
    if state == "closed":
        services.close_work_order(order, supervisor)


def _report(order: WorkOrder, actor: Any, complete: bool) -> None:
    """Report output: all of it for finished orders, part for running ones."""
    share = Decimal("1") if complete else Decimal("0.4")
    for operation in order.operations.order_by("sequence"):
        good = (order.quantity * share).quantize(Decimal("1"))
        scrap = Decimal("1") if operation.sequence == 10 else Decimal("0")
        services.record_operation_progress(operation, good, scrap, actor)
        if complete:
            services.complete_operation(operation, actor)
        share = share * Decimal("0.5") if not complete else share
