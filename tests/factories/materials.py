from itertools import count

from materials.models import Item, ItemKind, UnitOfMeasure

_sequence = count(1)


def make_unit(code: str = "pcs", **fields: object) -> UnitOfMeasure:
    unit, _created = UnitOfMeasure.objects.get_or_create(
        code=code, defaults={"name": fields.pop("name", code)} | fields
    )
    return unit


def make_item(kind: str = ItemKind.RAW_MATERIAL, **fields: object) -> Item:
    number = next(_sequence)
    values = {
        "code": f"ITEM-{number}",
        "name": f"Item {number}",
        "unit": fields.pop("unit", None) or make_unit(),
    } | fields
    return Item.objects.create(kind=kind, **values)
