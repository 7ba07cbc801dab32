"""Material requirements planning (物料需求计划): explode, net, time-phase.

Demand comes from approved, released and running work orders. Each order's
components are needed on its start date (due date minus the production
lead time of its product): released orders use the material requirements
fixed at release, approved ones the product's released BOM, both scaled to
the quantity still to make and including the scrap allowance.

Items are processed in low-level-code order, so an item's gross
requirements are complete before it is netted. Gross requirements of an
item are covered in date order by usable stock on hand, then by receipts
due by the need date: open purchase plan lines (approved plans) and open
work orders of semi-finished items. What remains is the net requirement: an
item with a released BOM gets a planned make order, exploded one level
further on its start date; any other item gets a purchase suggestion to be
ordered its purchase lead time ahead. Every net requirement is pegged to the
work order whose demand caused it, at every level, which gives the
shortages per order.

Lead times: purchased items use ``Item.lead_time_days``. Made items take
their released routing's setup plus run time for the quantity, in working
days of ``MINUTES_PER_WORKING_DAY`` (one 8-hour shift), at least one day;
without a routing, ``Item.lead_time_days``.

Each run keeps its rows for the page; only the ``KEEP_RUNS`` newest runs
are kept.

Limitations: lot-for-lot sizing only (no minimum or multiple quantities, no
safety stock); a receipt due after a need date does not cover it, and
MRP gives no "expedite" message for it; stock already issued to a running
order is not told apart from its remaining requirement.
"""

import logging
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from materials import queries as materials_queries
from materials import services as materials_services
from materials.models import Item
from planning import services
from planning.models import (
    DONE_STATUSES,
    PLANNED_STATUSES,
    ZERO,
    BomLine,
    MrpAction,
    MrpRequirement,
    MrpRun,
    MrpRunStatus,
    MrpShortage,
    PlanningError,
    RoutingOperation,
    VersionStatus,
    WorkOrder,
    WorkOrderMaterial,
)
from planning.services import find_cycle

logger = logging.getLogger(__name__)

MINUTES_PER_WORKING_DAY = Decimal(480)
# Finished runs kept with their rows; older ones are deleted after a run.
KEEP_RUNS = 10
HUNDRED = Decimal(100)
QUANTUM = Decimal("0.0001")
NULL = "\\N"

Progress = Callable[[int, str], None]


# The engine: plain data in, plain data out ---------------------------------


@dataclass(frozen=True)
class Component:
    item_id: int
    quantity_per_unit: Decimal  # scrap allowance included


@dataclass(frozen=True)
class RoutingTimes:
    setup_minutes: Decimal
    run_minutes_per_unit: Decimal


@dataclass(frozen=True)
class Demand:
    """The remaining quantity of a work order, with its components."""

    work_order_id: int
    item_id: int
    quantity: Decimal
    due_date: date
    # Component id mapped to the quantity for the remaining order quantity;
    # None explodes through the product's released BOM.
    materials: dict[int, Decimal] | None = None


@dataclass(frozen=True)
class Receipt:
    item_id: int
    due_date: date
    quantity: Decimal


@dataclass
class PlanInput:
    boms: dict[int, list[Component]]
    routings: dict[int, RoutingTimes]
    purchase_lead_days: dict[int, int]
    suppliers: dict[int, int | None]
    on_hand: dict[int, Decimal]
    receipts: list[Receipt]
    demands: list[Demand]


@dataclass
class PeriodRow:
    """One item on one date: what is needed, arrives, remains, is short."""

    item_id: int
    need_date: date
    gross: Decimal = ZERO
    receipts: Decimal = ZERO
    projected: Decimal = ZERO
    net: Decimal = ZERO
    action: str = MrpAction.BUY
    release_date: date | None = None
    supplier_id: int | None = None


@dataclass
class PlanResult:
    rows: list[PeriodRow] = field(default_factory=list)
    # (work order id, item id) -> [quantity, earliest need date, action]
    shortages: dict[tuple[int, int], list[Any]] = field(default_factory=dict)
    item_count: int = 0


def low_level_codes(boms: dict[int, list[Component]]) -> dict[int, int]:
    """Each item's deepest level in any BOM (0 for top products).

    Raises PlanningError naming the items of a cycle.
    """
    graph = {parent: [c.item_id for c in lines] for parent, lines in boms.items()}
    cycle = find_cycle(graph)
    if cycle:
        codes = dict(Item.objects.filter(pk__in=cycle).values_list("pk", "code"))
        raise PlanningError(
            _("The BOMs make an item part of itself: %(path)s."),
            code="bom_cycle",
            params={"path": " > ".join(codes.get(pk, str(pk)) for pk in cycle)},
        )
    # Longest path from any root, by relaxing in topological order.
    indegree: dict[int, int] = defaultdict(int)
    nodes = set(graph)
    for children in graph.values():
        for child in children:
            indegree[child] += 1
            nodes.add(child)
    level = dict.fromkeys(nodes, 0)
    ready = [node for node in nodes if indegree[node] == 0]
    while ready:
        node = ready.pop()
        for child in graph.get(node, ()):
            level[child] = max(level[child], level[node] + 1)
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return level


def production_lead_days(times: RoutingTimes | None, quantity: Decimal) -> int | None:
    if times is None:
        return None
    minutes = times.setup_minutes + times.run_minutes_per_unit * quantity
    return max(1, math.ceil(minutes / MINUTES_PER_WORKING_DAY))


def plan(data: PlanInput, progress: Progress | None = None) -> PlanResult:
    """Explode, net and time-phase the demands; no database access."""
    report = progress or (lambda percent, stage: None)
    levels = low_level_codes(data.boms)

    def lead_days(item_id: int, quantity: Decimal) -> int:
        days = production_lead_days(data.routings.get(item_id), quantity)
        if days is None:
            return data.purchase_lead_days.get(item_id, 0)
        return days

    # Gross requirements: item -> list of (need date, quantity, work order).
    gross: dict[int, list[tuple[date, Decimal, int]]] = defaultdict(list)
    for demand in data.demands:
        start = demand.due_date - timedelta(
            days=lead_days(demand.item_id, demand.quantity)
        )
        if demand.materials is not None:
            for item_id, quantity in demand.materials.items():
                gross[item_id].append((start, quantity, demand.work_order_id))
        else:
            for line in data.boms.get(demand.item_id, ()):
                quantity = line.quantity_per_unit * demand.quantity
                gross[line.item_id].append((start, quantity, demand.work_order_id))
    report(30, "explode")

    receipts: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for receipt in data.receipts:
        receipts[receipt.item_id].append((receipt.due_date, receipt.quantity))

    result = PlanResult()
    by_level: dict[int, list[int]] = defaultdict(list)
    for item_id, level in levels.items():
        by_level[level].append(item_id)
    for item_id in gross:
        if item_id not in levels:
            by_level[0].append(item_id)
            levels[item_id] = 0

    processed = 0
    total = max(1, len(levels))
    for level in sorted(by_level):
        for item_id in sorted(by_level[level]):
            processed += 1
            if item_id not in gross:
                continue
            _net_item(item_id, gross, receipts, data, lead_days, result)
            if processed % 200 == 0:
                report(30 + int(50 * processed / total), "net")
    result.item_count = len({row.item_id for row in result.rows})
    report(80, "net")
    return result


def _net_item(
    item_id: int,
    gross: dict[int, list[tuple[date, Decimal, int]]],
    receipts: dict[int, list[tuple[date, Decimal]]],
    data: PlanInput,
    lead_days: Callable[[int, Decimal], int],
    result: PlanResult,
) -> None:
    # One line per need date and order: parents of the same order often
    # need the item on the same day, and fewer lines here means fewer below.
    merged: dict[tuple[date, int], Decimal] = {}
    for need_date, quantity, work_order_id in gross.pop(item_id):
        key = (need_date, work_order_id)
        merged[key] = merged.get(key, ZERO) + quantity
    shortages = result.shortages
    incoming = sorted(receipts.get(item_id, ()))
    components = data.boms.get(item_id)
    action = MrpAction.MAKE if components else MrpAction.BUY
    available = data.on_hand.get(item_id, ZERO)
    next_receipt = 0
    rows: dict[date, PeriodRow] = {}

    for (need_date, work_order_id), quantity in sorted(merged.items()):
        row = rows.get(need_date)
        if row is None:
            row = rows[need_date] = PeriodRow(
                item_id,
                need_date,
                action=action,
                supplier_id=data.suppliers.get(item_id),
            )
        while next_receipt < len(incoming) and incoming[next_receipt][0] <= need_date:
            available += incoming[next_receipt][1]
            row.receipts += incoming[next_receipt][1]
            next_receipt += 1
        used = min(available, quantity)
        available -= used
        short = quantity - used
        row.gross += quantity
        row.projected = available
        if short <= 0:
            continue
        row.net += short
        # Peg the shortage to the order whose demand caused it.
        pegged = shortages.get((work_order_id, item_id))
        if pegged is None:
            shortages[(work_order_id, item_id)] = [short, need_date, action]
        else:
            pegged[0] += short
            pegged[1] = min(pegged[1], need_date)
        if components:
            start = need_date - timedelta(days=lead_days(item_id, short))
            for line in components:
                gross[line.item_id].append(
                    (start, short * line.quantity_per_unit, work_order_id)
                )

    for row in rows.values():
        row.release_date = row.need_date - timedelta(
            days=lead_days(item_id, row.net) if row.net else 0
        )
        result.rows.append(row)


# Loading from and saving to the database -----------------------------------


def load_input() -> PlanInput:
    """Read BOMs, routings, stock, receipts and open orders into plain data."""
    boms: dict[int, list[Component]] = defaultdict(list)
    lines = BomLine.objects.filter(bom__status=VersionStatus.RELEASED).values_list(
        "bom__product_id", "component_id", "quantity", "scrap_percent"
    )
    for product_id, component_id, quantity, scrap in lines:
        per_unit = quantity * (1 + scrap / HUNDRED)
        boms[product_id].append(Component(component_id, per_unit))

    routings = {
        row["routing__product_id"]: RoutingTimes(
            row["setup"] or ZERO, row["run"] or ZERO
        )
        for row in RoutingOperation.objects.filter(
            routing__status=VersionStatus.RELEASED
        )
        .values("routing__product_id")
        .annotate(setup=Sum("setup_minutes"), run=Sum("run_minutes_per_unit"))
    }
    items = Item.objects.values_list("pk", "lead_time_days", "preferred_supplier_id")
    purchase_lead_days = {pk: days for pk, days, _supplier in items}
    suppliers = {pk: supplier for pk, _days, supplier in items}

    demands, semi_receipts = _demands()
    receipts = [
        Receipt(receipt.item_id, receipt.needed_by, receipt.quantity)
        for receipt in materials_queries.open_receipts_by_item()
    ]
    return PlanInput(
        boms=dict(boms),
        routings=routings,
        purchase_lead_days=purchase_lead_days,
        suppliers=suppliers,
        on_hand=materials_queries.on_hand_by_item(),
        receipts=receipts + semi_receipts,
        demands=demands,
    )


def _demands() -> tuple[list[Demand], list[Receipt]]:
    orders = WorkOrder.objects.filter(status__in=PLANNED_STATUSES).values_list(
        "pk", "product_id", "quantity", "good_quantity", "due_date", "status"
    )
    fixed: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for order_id, item_id, quantity in WorkOrderMaterial.objects.filter(
        work_order__status__in=PLANNED_STATUSES
    ).values_list("work_order_id", "item_id", "quantity"):
        fixed[order_id][item_id] = fixed[order_id].get(item_id, ZERO) + quantity

    demands: list[Demand] = []
    supply: list[Receipt] = []
    for order_id, item_id, quantity, good, due_date, status in orders:
        remaining = quantity - good
        if remaining <= 0 or status in DONE_STATUSES:
            continue
        materials = None
        if order_id in fixed:
            share = remaining / quantity
            materials = {
                component: needed * share
                for component, needed in fixed[order_id].items()
            }
        demands.append(Demand(order_id, item_id, remaining, due_date, materials))
        # An open order of an item is a receipt of that item on its due date.
        supply.append(Receipt(item_id, due_date, remaining))
    return demands, supply


def execute(run: MrpRun, progress: Progress | None = None) -> MrpRun:
    """Compute the plan for a queued run and store its rows; marks the run."""
    report = progress or _progress_of(run)
    MrpRun.objects.filter(pk=run.pk).update(
        status=MrpRunStatus.RUNNING, started_at=timezone.now(), progress=1
    )
    try:
        report(5, "load")
        data = load_input()
        report(20, "load")
        result = plan(data, report)
        report(85, "save")
        with transaction.atomic():
            _save(run, result)
        report(100, "done")
    except PlanningError as error:
        _fail(run, " ".join(error.messages))
        return MrpRun.objects.get(pk=run.pk)
    except Exception as error:
        logger.exception("MRP run %s failed", run.pk)
        _fail(run, str(error))
        raise
    MrpRun.objects.filter(pk=run.pk).update(
        status=MrpRunStatus.SUCCEEDED,
        progress=100,
        stage="done",
        finished_at=timezone.now(),
        order_count=len(data.demands),
        item_count=result.item_count,
        shortage_count=len(result.shortages),
    )
    prune_runs()
    logger.info(
        "MRP run %s: %s orders, %s items, %s shortages",
        run.pk,
        len(data.demands),
        result.item_count,
        len(result.shortages),
    )
    return MrpRun.objects.get(pk=run.pk)


def prune_runs(keep: int = KEEP_RUNS) -> int:
    """Delete finished runs beyond the ``keep`` newest; returns how many."""
    newest = list(
        MrpRun.objects.order_by("-created_at", "-id")[:keep].values_list(
            "pk", flat=True
        )
    )
    old = MrpRun.objects.exclude(pk__in=newest).filter(
        status__in=[MrpRunStatus.SUCCEEDED, MrpRunStatus.FAILED]
    )
    old_ids = list(old.values_list("pk", flat=True))
    if not old_ids:
        return 0
    # Rows first, in plain bulk deletes: a run may own half a million.
    MrpShortage.objects.filter(run_id__in=old_ids).delete()
    MrpRequirement.objects.filter(run_id__in=old_ids).delete()
    MrpRun.objects.filter(pk__in=old_ids).delete()
    return len(old_ids)


def _progress_of(run: MrpRun) -> Progress:
    def report(percent: int, stage: str) -> None:
        MrpRun.objects.filter(pk=run.pk).update(progress=percent, stage=stage)

    return report


def _fail(run: MrpRun, message: str) -> None:
    MrpRun.objects.filter(pk=run.pk).update(
        status=MrpRunStatus.FAILED,
        error=message[:2000],
        finished_at=timezone.now(),
    )


def _save(run: MrpRun, result: PlanResult) -> None:
    """Write the rows with COPY: a large plant has hundreds of thousands."""
    run_id = run.pk
    requirements = (
        f"{run_id}\t{row.item_id}\t{row.need_date.isoformat()}\t{_q(row.gross)}\t"
        f"{_q(row.receipts)}\t{_q(row.projected)}\t{_q(row.net)}\t{row.action}\t"
        f"{row.release_date.isoformat() if row.release_date else NULL}\t"
        f"{NULL if row.supplier_id is None else row.supplier_id}\t\t\n"
        for row in result.rows
    )
    _copy(
        MrpRequirement,
        [
            "run_id",
            "item_id",
            "need_date",
            "gross_quantity",
            "receipt_quantity",
            "projected_quantity",
            "net_quantity",
            "action",
            "release_date",
            "supplier_id",
            "purchase_plan_number",
            "work_order_number",
        ],
        requirements,
    )
    shortages = (
        f"{run_id}\t{order_id}\t{item_id}\t{need_date.isoformat()}\t"
        f"{_q(quantity)}\t{action}\n"
        for (order_id, item_id), (quantity, need_date, action) in (
            result.shortages.items()
        )
    )
    _copy(
        MrpShortage,
        ["run_id", "work_order_id", "item_id", "need_date", "quantity", "action"],
        shortages,
    )


def _q(value: Decimal) -> Decimal:
    return value.quantize(QUANTUM)


def _copy(model: Any, columns: list[str], lines: Iterable[str]) -> None:
    """COPY text lines (tab-separated, ``\\N`` for NULL) into the model's table.

    The values are numbers, ISO dates and choice codes, which need no
    escaping in COPY's text format.
    """
    table = model._meta.db_table
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    chunk: list[str] = []
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for line in lines:
            chunk.append(line)
            if len(chunk) == 5000:
                copy.write("".join(chunk))
                chunk.clear()
        if chunk:
            copy.write("".join(chunk))


# Turning suggestions into purchase plans ------------------------------------


def create_purchase_plan_from(
    run: MrpRun, requirement_ids: list[int], actor: Any
) -> Any:
    """Turn chosen purchase suggestions of a run into a draft purchase plan.

    Suggestions already on a purchase plan are refused, so a click twice
    does not buy twice.
    """
    with transaction.atomic():
        rows = list(
            MrpRequirement.objects.select_for_update()
            .filter(
                run=run,
                pk__in=requirement_ids,
                action=MrpAction.BUY,
                net_quantity__gt=0,
                purchase_plan_number="",
            )
            .order_by("pk")
        )
        if not rows:
            raise PlanningError(
                _("Choose at least one purchase suggestion not yet on a plan."),
                code="no_suggestions",
            )
        suggestions = [
            materials_services.PurchaseSuggestion(
                item_id=row.item_id,
                quantity=row.net_quantity,
                needed_by=row.need_date,
                supplier_id=row.supplier_id,
                note=_("MRP run %(run)s") % {"run": run.pk},
            )
            for row in rows
        ]
        purchase_plan = materials_services.create_purchase_plan(
            actor, suggestions, note=_("From MRP run %(run)s") % {"run": run.pk}
        )
        MrpRequirement.objects.filter(pk__in=[row.pk for row in rows]).update(
            purchase_plan_number=purchase_plan.number
        )
    return purchase_plan


def create_work_orders_from(
    run: MrpRun, requirement_ids: list[int], actor: Any
) -> list[WorkOrder]:
    """Turn chosen make suggestions of a run into draft work orders.

    Each order is due on the suggestion's need date (today at the earliest)
    and goes through review like any other. Suggestions already turned
    into orders are refused, so a click twice does not make twice.
    """
    today = timezone.localdate()
    with transaction.atomic():
        rows = list(
            MrpRequirement.objects.select_for_update()
            .filter(
                run=run,
                pk__in=requirement_ids,
                action=MrpAction.MAKE,
                net_quantity__gt=0,
                work_order_number="",
            )
            .select_related("item")
            .order_by("pk")
        )
        if not rows:
            raise PlanningError(
                _("Choose at least one production suggestion not yet ordered."),
                code="no_suggestions",
            )
        orders = []
        for row in rows:
            order = services.create_work_order(
                actor,
                product=row.item,
                quantity=row.net_quantity,
                due_date=max(row.need_date, today),
                note=_("From MRP run %(run)s") % {"run": run.pk},
            )
            row.work_order_number = order.number
            row.save(update_fields=["work_order_number"])
            orders.append(order)
    return orders


def latest_run() -> MrpRun | None:
    return MrpRun.objects.filter(status=MrpRunStatus.SUCCEEDED).first()


def run_exists_in_progress() -> bool:
    return MrpRun.objects.filter(
        status__in=[MrpRunStatus.QUEUED, MrpRunStatus.RUNNING]
    ).exists()
