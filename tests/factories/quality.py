from decimal import Decimal
from itertools import count

from django.utils import timezone

from quality.models import (
    Characteristic,
    CharacteristicKind,
    DefectCode,
    InspectionPlan,
    InspectionTrigger,
    LotHold,
    Nonconformance,
    QualityStandard,
    SamplingMethod,
    StandardStatus,
)
from tests.factories import make_user
from tests.factories.materials import make_item, make_lot

_sequence = count(1)


def make_defect_code(**fields: object) -> DefectCode:
    number = next(_sequence)
    values = {"code": f"D{number}", "name": f"Defect {number}"} | fields
    return DefectCode.objects.create(**values)


def make_standard(
    status: str = StandardStatus.DRAFT, **fields: object
) -> QualityStandard:
    number = next(_sequence)
    values = {
        "code": f"QS-{number}",
        "name": f"Standard {number}",
        "item": fields.pop("item", None) or make_item(),
        "created_by": fields.pop("created_by", None) or make_user(),
        "status": status,
    } | fields
    if status == StandardStatus.RELEASED:
        values.setdefault("released_at", timezone.now())
    return QualityStandard.objects.create(**values)


def make_characteristic(standard: QualityStandard | None = None, **fields: object):
    number = next(_sequence)
    values = {
        "name": f"Diameter {number}",
        "kind": CharacteristicKind.VARIABLE,
        "unit": "mm",
        "decimals": 3,
        "nominal": Decimal("10.000"),
        "lower_limit": Decimal("9.950"),
        "upper_limit": Decimal("10.050"),
        "physical_minimum": Decimal("0"),
        "physical_maximum": Decimal("100"),
        "sequence": number,
    } | fields
    return Characteristic.objects.create(
        standard=standard or make_standard(StandardStatus.RELEASED), **values
    )


def make_attribute(standard: QualityStandard | None = None, **fields: object):
    characteristic = make_characteristic(
        standard,
        kind=CharacteristicKind.ATTRIBUTE,
        name=fields.pop("name", "Surface"),
        unit="",
        nominal=None,
        lower_limit=None,
        upper_limit=None,
        **fields,
    )
    characteristic.defect_codes.add(make_defect_code())
    return characteristic


def make_plan(standard: QualityStandard | None = None, **fields: object):
    number = next(_sequence)
    standard = standard or make_characteristic().standard
    values = {
        "code": f"IP-{number}",
        "name": f"Plan {number}",
        "trigger": InspectionTrigger.RECEIPT,
        "sampling": SamplingMethod.FIXED,
        "sample_size": 3,
    } | fields
    return InspectionPlan.objects.create(standard=standard, **values)


def make_inspection_order(plan: InspectionPlan | None = None, lot=None, **fields):
    from quality import inspections

    plan = plan or make_plan()
    lot = lot if lot is not None else make_lot(plan.standard.item, 100)
    order = inspections.create_order(
        plan,
        fields.pop("trigger_key", f"test:{next(_sequence)}"),
        lot=lot,
        lot_size=100,
    )
    assert order is not None
    return order


def make_nonconformance(**fields: object) -> Nonconformance:
    lot = fields.pop("lot", None) or make_lot(quantity=20)
    values = {
        "number": f"NC-T{next(_sequence)}",
        "item": lot.item,
        "lot": lot,
        "quantity": Decimal("5"),
        "description": "Burr on the flange",
        "found_by": fields.pop("found_by", None) or make_user(),
    } | fields
    return Nonconformance.objects.create(**values)


def make_hold(lot=None, **fields: object) -> LotHold:
    from materials import services

    lot = lot or make_lot(quantity=10)
    services.hold_lot(lot, None, "test hold")
    return LotHold.objects.create(lot=lot, reason="test hold", **fields)


def make_operation(product=None, name: str = "Turning", **fields):
    """A released work order's operation, as dispatch runs it."""
    from planning.models import OperationStatus, WorkOrderOperation, WorkOrderStatus
    from tests.factories.equipment import make_work_center
    from tests.factories.planning import make_work_order

    order = make_work_order(product, status=WorkOrderStatus.IN_PROGRESS)
    values = {
        "sequence": 10,
        "name": name,
        "work_center": make_work_center(),
        "run_minutes_per_unit": Decimal("1"),
        "quantity": Decimal("100"),
        "status": OperationStatus.IN_PROGRESS,
    } | fields
    return WorkOrderOperation.objects.create(work_order=order, **values)
