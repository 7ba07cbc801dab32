from decimal import Decimal
from itertools import count

from django.utils import timezone

from quality.models import (
    Characteristic,
    CharacteristicKind,
    DefectCode,
    InspectionPlan,
    InspectionTrigger,
    QualityStandard,
    SamplingMethod,
    StandardStatus,
)
from tests.factories import make_user
from tests.factories.materials import make_item

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
