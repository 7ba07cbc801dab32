from decimal import Decimal
from itertools import count

from materials import services
from materials.models import (
    Item,
    ItemKind,
    Location,
    LocationKind,
    Lot,
    Supplier,
    UnitOfMeasure,
)

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


def make_supplier(**fields: object) -> Supplier:
    number = next(_sequence)
    values = {"code": f"SUP-{number}", "name": f"Supplier {number}"} | fields
    return Supplier.objects.create(**values)


def make_location(
    kind: str = LocationKind.BIN, parent: Location | None = None, **fields: object
) -> Location:
    number = next(_sequence)
    values = {"code": f"LOC-{number}", "name": f"Location {number}"} | fields
    return Location.objects.create(kind=kind, parent=parent, **values)


def make_lot(
    item: Item | None = None,
    quantity: Decimal | int | str = 10,
    location: Location | None = None,
    actor: object = None,
    **options: object,
) -> Lot:
    """A lot received into stock through the receiving service."""
    lot = services.receive(
        item or make_item(),
        quantity,
        location or make_location(),
        actor,
        **options,  # type: ignore[arg-type]
    )
    assert lot is not None
    return lot
