"""Demo items of the pump housing plant: castings to tested housings."""

from materials.models import Item, ItemKind, UnitOfMeasure

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
    return f"{len(units)} units, {len(ITEMS)} items"
