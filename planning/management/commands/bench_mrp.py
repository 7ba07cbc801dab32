import json
import random
import resource
import sys
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from equipment.models import Area, Site, WorkCenter
from materials.models import Item, ItemKind, UnitOfMeasure
from planning import mrp
from planning.models import (
    Bom,
    BomLine,
    MrpRequirement,
    MrpRun,
    Routing,
    RoutingOperation,
    VersionStatus,
    WorkOrder,
    WorkOrderStatus,
)

# Items per level of the synthetic plant: finished goods, three levels of
# semi-finished parts, purchased parts. Lines may skip to purchased parts,
# so BOMs are 3 to 5 levels deep, and components are shared widely.
LEVEL_SIZES = [60, 120, 240, 240, 200]
LINES_PER_ITEM = (2, 4)


class Command(BaseCommand):
    help = (
        "Measure MRP on a synthetic plant: 3- to 5-level BOMs with shared "
        "components and N approved work orders. Everything it creates is "
        "rolled back. Orders already in the database are planned too, so run "
        "it on an empty database for clean figures. Prints one JSON line; "
        "targets: 1,000 orders in under 5 s, 10,000 in under 60 s."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--orders", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        figures: dict[str, Any] = {}
        with transaction.atomic():
            started = time.perf_counter()
            plant = _build_plant(options["orders"], random.Random(options["seed"]))
            figures["setup_seconds"] = round(time.perf_counter() - started, 2)

            run = MrpRun.objects.create()
            started = time.perf_counter()
            run = mrp.execute(run, _progress)
            figures["seconds"] = round(time.perf_counter() - started, 2)
            sys.stderr.write("\n")
            figures |= {
                "orders": run.order_count,
                "items": plant["items"],
                "bom_lines": plant["bom_lines"],
                "requirements": MrpRequirement.objects.filter(run=run).count(),
                "shortages": run.shortage_count,
                "status": run.status,
            }
            transaction.set_rollback(True)
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        figures["peak_mb"] = round(peak_kb / 1024, 1)
        ordered = ["orders", "items", "bom_lines", "seconds", "peak_mb"]
        line = {key: figures[key] for key in ordered} | {
            key: value for key, value in figures.items() if key not in ordered
        }
        self.stdout.write(json.dumps(line))


def _progress(percent: int, stage: str) -> None:
    sys.stderr.write(f"\rbench_mrp: {percent:3d}% {stage:<10}")
    sys.stderr.flush()


def _build_plant(order_count: int, chance: random.Random) -> dict[str, int]:
    unit, _created = UnitOfMeasure.objects.get_or_create(
        code="pcs", defaults={"name": "Pieces"}
    )
    site = Site.objects.create(code="BENCH", name="Bench site")
    area = Area.objects.create(site=site, code="BENCH", name="Bench area")
    work_center = WorkCenter.objects.create(
        area=area, code="BENCH-WC", name="Bench work center"
    )

    kinds = [ItemKind.FINISHED_GOOD] + [ItemKind.SEMI_FINISHED] * 3
    kinds.append(ItemKind.PURCHASED_PART)
    levels: list[list[Item]] = []
    for depth, size in enumerate(LEVEL_SIZES):
        items = [
            Item(
                code=f"BENCH-{depth}-{number:04d}",
                name=f"Bench item {depth}-{number}",
                kind=kinds[depth],
                unit=unit,
                lead_time_days=chance.randint(2, 20),
            )
            for number in range(size)
        ]
        levels.append(Item.objects.bulk_create(items))

    boms: list[Bom] = []
    routings: list[Routing] = []
    for depth in range(len(levels) - 1):
        for item in levels[depth]:
            boms.append(Bom(product=item, status=VersionStatus.RELEASED))
            routings.append(Routing(product=item, status=VersionStatus.RELEASED))
    boms = Bom.objects.bulk_create(boms)
    routings = Routing.objects.bulk_create(routings)
    RoutingOperation.objects.bulk_create(
        RoutingOperation(
            routing=routing,
            sequence=10,
            name="Make",
            work_center=work_center,
            setup_minutes=Decimal(chance.randint(10, 90)),
            run_minutes_per_unit=Decimal(chance.randint(1, 30)),
        )
        for routing in routings
    )

    depth_of = {item.pk: depth for depth, items in enumerate(levels) for item in items}
    lines = []
    for bom in boms:
        depth = depth_of[bom.product_id]
        count = chance.randint(*LINES_PER_ITEM)
        for position in range(count):
            # One line in four skips straight to purchased parts.
            below = len(levels) - 1 if chance.random() < 0.25 else depth + 1
            lines.append(
                BomLine(
                    bom=bom,
                    position=(position + 1) * 10,
                    component=chance.choice(levels[below]),
                    quantity=Decimal(chance.randint(1, 4)),
                    scrap_percent=Decimal(chance.choice([0, 0, 2, 5])),
                )
            )
    BomLine.objects.bulk_create(lines)

    today = timezone.localdate()
    WorkOrder.objects.bulk_create(
        WorkOrder(
            number=f"BENCH-{number:06d}",
            product=chance.choice(levels[0]),
            quantity=Decimal(chance.randint(1, 100)),
            due_date=today + timedelta(days=chance.randint(5, 120)),
            status=WorkOrderStatus.APPROVED,
        )
        for number in range(order_count)
    )
    return {"items": sum(LEVEL_SIZES), "bom_lines": len(lines)}
