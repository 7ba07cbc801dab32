"""Demo materials of the pump housing plant: castings to tested housings.

Units, items, suppliers and the location tree (main warehouse with zones and
bins, a quarantine area, line-side locations), lots on hand with a small
genealogy (castings turned, machined and assembled into housings), a lot on
hold, and an approved purchase plan that is partly received. Safe to run
again: nothing is added twice.
"""

import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from materials import services
from materials.models import (
    Item,
    ItemKind,
    Location,
    LocationKind,
    Lot,
    PurchasePlan,
    Supplier,
    UnitOfMeasure,
)

UNITS = [
    ("pcs", "Pieces", 0),
    ("kg", "Kilograms", 3),
    ("m", "Metres", 2),
    ("l", "Litres", 2),
]

# code, name, kind, unit, lot-controlled
ITEMS = [
    ("PH-100", "Pump housing PH-100, tested", ItemKind.FINISHED_GOOD, "pcs", True),
    ("PH-150", "Pump housing PH-150, tested", ItemKind.FINISHED_GOOD, "pcs", True),
    ("PH-200", "Pump housing PH-200, tested", ItemKind.FINISHED_GOOD, "pcs", True),
    ("PH-100-M", "Housing PH-100, machined", ItemKind.SEMI_FINISHED, "pcs", True),
    ("PH-150-M", "Housing PH-150, machined", ItemKind.SEMI_FINISHED, "pcs", True),
    ("PH-200-M", "Housing PH-200, machined", ItemKind.SEMI_FINISHED, "pcs", True),
    ("PH-100-T", "Housing PH-100, turned", ItemKind.SEMI_FINISHED, "pcs", True),
    ("PH-150-T", "Housing PH-150, turned", ItemKind.SEMI_FINISHED, "pcs", True),
    ("PH-200-T", "Housing PH-200, turned", ItemKind.SEMI_FINISHED, "pcs", True),
    ("CV-100", "Cover PH-100, machined", ItemKind.SEMI_FINISHED, "pcs", True),
    ("CV-150", "Cover PH-150, machined", ItemKind.SEMI_FINISHED, "pcs", True),
    ("CV-200", "Cover PH-200, machined", ItemKind.SEMI_FINISHED, "pcs", True),
    ("CAST-100", "Housing casting GG25, size 100", ItemKind.RAW_MATERIAL, "pcs", True),
    ("CAST-150", "Housing casting GG25, size 150", ItemKind.RAW_MATERIAL, "pcs", True),
    ("CAST-200", "Housing casting GG25, size 200", ItemKind.RAW_MATERIAL, "pcs", True),
    ("CVC-100", "Cover casting, size 100", ItemKind.RAW_MATERIAL, "pcs", True),
    ("CVC-150", "Cover casting, size 150", ItemKind.RAW_MATERIAL, "pcs", True),
    ("CVC-200", "Cover casting, size 200", ItemKind.RAW_MATERIAL, "pcs", True),
    ("BAR-S45", "Steel bar C45, 40 mm", ItemKind.RAW_MATERIAL, "m", True),
    ("ORING-100", "O-ring NBR 100 x 3", ItemKind.PURCHASED_PART, "pcs", True),
    ("ORING-150", "O-ring NBR 150 x 3", ItemKind.PURCHASED_PART, "pcs", True),
    ("ORING-200", "O-ring NBR 200 x 4", ItemKind.PURCHASED_PART, "pcs", True),
    ("BOLT-M10", "Hex bolt M10 x 30, 8.8", ItemKind.PURCHASED_PART, "pcs", False),
    ("BOLT-M12", "Hex bolt M12 x 35, 8.8", ItemKind.PURCHASED_PART, "pcs", False),
    ("WASHER-10", "Washer 10.5 DIN 125", ItemKind.PURCHASED_PART, "pcs", False),
    ("WASHER-12", "Washer 13 DIN 125", ItemKind.PURCHASED_PART, "pcs", False),
    ("PLUG-G14", "Drain plug G1/4", ItemKind.PURCHASED_PART, "pcs", True),
    ("PLATE-ID", "Name plate, aluminium", ItemKind.PURCHASED_PART, "pcs", False),
    ("PAINT-RAL5015", "Paint RAL 5015", ItemKind.RAW_MATERIAL, "l", True),
    ("COOLANT", "Cutting coolant concentrate", ItemKind.RAW_MATERIAL, "l", True),
    ("INSERT-CNMG", "Turning insert CNMG 120408", ItemKind.SPARE_PART, "pcs", False),
    ("MILL-D16", "End mill D16 carbide", ItemKind.SPARE_PART, "pcs", False),
    ("FILTER-W01", "Washer filter cartridge", ItemKind.SPARE_PART, "pcs", False),
    ("BELT-T01", "Spindle drive belt", ItemKind.SPARE_PART, "pcs", False),
    ("GREASE", "Lubricating grease NLGI 2", ItemKind.SPARE_PART, "kg", False),
    ("BOX-S", "Shipping box, small", ItemKind.PURCHASED_PART, "pcs", False),
]

SUPPLIERS = [
    ("SUP-FOUNDRY", "Hebei Jiuzhou Foundry Co.", "Mr. Zhao", "sales@jiuzhou.example"),
    ("SUP-SEALS", "Ningbo Sealing Parts Ltd.", "Ms. Chen", "order@nbseals.example"),
    ("SUP-FASTEN", "Wuxi Fastener Trading", "Mr. Li", "li@wxfasten.example"),
    ("SUP-PAINT", "Shanghai Coatings Co.", "Ms. Wang", "wang@shcoat.example"),
]

# code, name, kind, parent code, quarantine area
LOCATIONS = [
    ("WH1", "Main warehouse", LocationKind.WAREHOUSE, None, False),
    ("WH1-RAW", "Raw materials zone", LocationKind.ZONE, "WH1", False),
    ("WH1-RAW-01", "Rack R1, bin 01", LocationKind.BIN, "WH1-RAW", False),
    ("WH1-RAW-02", "Rack R1, bin 02", LocationKind.BIN, "WH1-RAW", False),
    ("WH1-PRT", "Purchased parts zone", LocationKind.ZONE, "WH1", False),
    ("WH1-PRT-01", "Shelf P1, bin 01", LocationKind.BIN, "WH1-PRT", False),
    ("WH1-PRT-02", "Shelf P1, bin 02", LocationKind.BIN, "WH1-PRT", False),
    ("WH1-WIP", "Work in progress zone", LocationKind.ZONE, "WH1", False),
    ("WH1-WIP-01", "WIP rack, bin 01", LocationKind.BIN, "WH1-WIP", False),
    ("WH1-FG", "Finished goods zone", LocationKind.ZONE, "WH1", False),
    ("WH1-FG-01", "Finished goods, bin 01", LocationKind.BIN, "WH1-FG", False),
    ("WH1-QC", "Quarantine area", LocationKind.ZONE, "WH1", True),
    ("LS-TURN", "Line side, turning", LocationKind.LINE_SIDE, None, False),
    ("LS-MILL", "Line side, machining", LocationKind.LINE_SIDE, None, False),
    ("LS-ASSY", "Line side, assembly and test", LocationKind.LINE_SIDE, None, False),
]

# item code: default location, supplier, inspection, shelf life, lead time,
# reorder point, reorder quantity
ITEM_SETTINGS = {
    "CAST-100": ("WH1-RAW-01", "SUP-FOUNDRY", True, None, 21, 60, 200),
    "CAST-150": ("WH1-RAW-01", "SUP-FOUNDRY", True, None, 21, 40, 150),
    "CAST-200": ("WH1-RAW-02", "SUP-FOUNDRY", True, None, 21, 40, 150),
    "CVC-100": ("WH1-RAW-02", "SUP-FOUNDRY", True, None, 21, 40, 150),
    "ORING-100": ("WH1-PRT-01", "SUP-SEALS", False, 720, 7, 200, 1000),
    "ORING-150": ("WH1-PRT-01", "SUP-SEALS", False, 720, 7, 200, 1000),
    "ORING-200": ("WH1-PRT-01", "SUP-SEALS", False, 720, 7, 200, 1000),
    "BOLT-M10": ("WH1-PRT-02", "SUP-FASTEN", False, None, 5, 1000, 5000),
    "BOLT-M12": ("WH1-PRT-02", "SUP-FASTEN", False, None, 5, 1000, 5000),
    "PLUG-G14": ("WH1-PRT-02", "SUP-FASTEN", False, None, 5, 100, 500),
    "PAINT-RAL5015": ("WH1-PRT-02", "SUP-PAINT", False, 180, 10, 40, 100),
    "PH-100": ("WH1-FG-01", None, False, None, 0, 0, 0),
    "PH-100-T": ("WH1-WIP-01", None, False, None, 0, 0, 0),
    "PH-100-M": ("WH1-WIP-01", None, False, None, 0, 0, 0),
}

FIRST_DEMO_LOT = "R-CAST100-2611-01"


def load() -> str:
    units = {
        code: UnitOfMeasure.objects.get_or_create(
            code=code, defaults={"name": name, "decimals": decimals}
        )[0]
        for code, name, decimals in UNITS
    }
    for code, name, kind, unit, lot_controlled in ITEMS:
        Item.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "unit": units[unit],
                "is_lot_controlled": lot_controlled,
            },
        )
    suppliers = _suppliers()
    locations = _locations()
    _item_settings(locations, suppliers)
    if Lot.objects.filter(code=FIRST_DEMO_LOT).exists():
        return (
            f"{len(units)} units, {len(ITEMS)} items, {len(suppliers)} suppliers, "
            f"{len(locations)} locations; stock already loaded"
        )
    lots = _stock(locations, suppliers)
    _purchase_plan(locations)
    return (
        f"{len(units)} units, {len(ITEMS)} items, {len(suppliers)} suppliers, "
        f"{len(locations)} locations, {lots} lots, 1 purchase plan"
    )


def _suppliers() -> dict[str, Supplier]:
    return {
        code: Supplier.objects.get_or_create(
            code=code, defaults={"name": name, "contact": contact, "email": email}
        )[0]
        for code, name, contact, email in SUPPLIERS
    }


def _locations() -> dict[str, Location]:
    locations: dict[str, Location] = {}
    for code, name, kind, parent, quarantine in LOCATIONS:
        locations[code] = Location.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "parent": locations.get(parent) if parent else None,
                "is_quarantine_area": quarantine,
            },
        )[0]
    return locations


def _item_settings(
    locations: dict[str, Location], suppliers: dict[str, Supplier]
) -> None:
    """Fill the planning fields once, leaving items edited since alone."""
    for code, settings in ITEM_SETTINGS.items():
        location, supplier, inspect, shelf_life, lead, point, quantity = settings
        Item.objects.filter(code=code, default_location__isnull=True).update(
            default_location=locations[location],
            preferred_supplier=suppliers[supplier] if supplier else None,
            requires_incoming_inspection=inspect,
            shelf_life_days=shelf_life,
            lead_time_days=lead,
            reorder_point=Decimal(point),
            reorder_quantity=Decimal(quantity),
        )


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _stock(locations: dict[str, Location], suppliers: dict[str, Supplier]) -> int:
    handler = _user("materials")
    inspector = _user("quality")
    items = {item.code: item for item in Item.objects.select_related("unit")}

    def receive(code: str, quantity: int, location: str, lot_code: str = "") -> Lot:
        item = items[code]
        lot = services.receive(
            item,
            quantity,
            locations[location],
            handler,
            supplier=item.preferred_supplier,
            supplier_lot_code=f"S{lot_code[-7:]}" if lot_code else "",
            lot_code=lot_code or None,
        )
        return lot  # type: ignore[return-value]

    # Castings pass incoming inspection; the newest CAST-200 lot waits for it.
    castings = [
        receive("CAST-100", 40, "WH1-QC", FIRST_DEMO_LOT),
        receive("CAST-100", 40, "WH1-QC", "R-CAST100-2611-02"),
        receive("CAST-150", 30, "WH1-QC", "R-CAST150-2611-01"),
        receive("CAST-200", 20, "WH1-QC", "R-CAST200-2611-01"),
    ]
    for lot in castings:
        services.release_lot(lot, inspector, "Incoming inspection passed")
        services.transfer(
            lot.initial_quantity,
            locations["WH1-QC"],
            lot.item.default_location or locations["WH1-RAW-01"],
            handler,
            lot=lot,
        )
    receive("CAST-200", 20, "WH1-QC", "R-CAST200-2612-01")

    orings = receive("ORING-100", 500, "WH1-PRT-01", "R-ORING100-2611-01")
    receive("ORING-150", 500, "WH1-PRT-01", "R-ORING150-2611-01")
    suspect = receive("ORING-150", 300, "WH1-PRT-01", "R-ORING150-2611-02")
    services.hold_lot(suspect, inspector, "Supplier reported a compound mix-up")
    paint = receive("PAINT-RAL5015", 60, "WH1-PRT-02", "R-PAINT-2611-01")
    for code, quantity in (("BOLT-M10", 4000), ("BOLT-M12", 800), ("WASHER-10", 4000)):
        services.receive(items[code], quantity, locations["WH1-PRT-02"], handler)

    # A small genealogy: castings turned, machined, painted and assembled.
    services.issue_to_order(
        castings[0], 20, "WO-DEMO-1/10", locations["LS-TURN"], handler
    )
    turned = services.record_output(
        items["PH-100-T"],
        20,
        locations["WH1-WIP-01"],
        "WO-DEMO-1/10",
        [(castings[0], 20)],
        handler,
        lot_code="P-PH100T-2611-01",
    )
    machined = services.record_output(
        items["PH-100-M"],
        20,
        locations["WH1-WIP-01"],
        "WO-DEMO-1/20",
        [(turned, 20)],
        handler,
        lot_code="P-PH100M-2611-01",
    )
    services.transfer(
        20, locations["WH1-WIP-01"], locations["LS-ASSY"], handler, lot=machined
    )
    services.issue_to_order(orings, 40, "WO-DEMO-1/30", locations["LS-ASSY"], handler)
    services.issue_to_order(paint, 6, "WO-DEMO-1/30", locations["LS-ASSY"], handler)
    for number in (1, 2):
        services.record_output(
            items["PH-100"],
            10,
            locations["WH1-FG-01"],
            "WO-DEMO-1/30",
            [(machined, 10), (orings, 10), (paint, 3)],
            handler,
            lot_code=f"F-PH100-2611-0{number}",
        )
    return Lot.objects.count()


def _purchase_plan(locations: dict[str, Location]) -> None:
    planner = _user("planner")
    handler = _user("materials")
    if PurchasePlan.objects.exists():
        return
    needed_by = timezone.localdate() + datetime.timedelta(days=14)
    items = {item.code: item for item in Item.objects.all()}
    plan = services.create_purchase_plan(
        planner,
        [
            services.PurchaseSuggestion(
                items["CAST-200"].pk, Decimal(150), needed_by, None, "Shortage"
            ),
            services.PurchaseSuggestion(
                items["ORING-200"].pk, Decimal(1000), needed_by, None, "Shortage"
            ),
        ],
        note="Castings and seals for the PH-200 orders of next month",
    )
    services.submit_purchase_plan(plan, planner)
    services.approve_purchase_plan(plan, handler)
    oring_line = plan.lines.get(item=items["ORING-200"])
    services.receive(
        items["ORING-200"],
        400,
        locations["WH1-PRT-01"],
        handler,
        purchase_plan_line=oring_line,
        lot_code="R-ORING200-2612-01",
    )
