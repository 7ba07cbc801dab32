"""The demo quality data load once and give every page something to show."""

import pytest

from equipment import demo as equipment_demo
from materials import demo as materials_demo
from mes import demo as mes_demo
from quality import demo
from quality.models import (
    InspectionOrder,
    LotHold,
    Measurement,
    Nonconformance,
    QualityStandard,
)

pytestmark = pytest.mark.django_db


def test_demo_loads_once_with_history_and_a_failed_receipt():
    # given the demo users, plant and stock
    mes_demo.load()
    equipment_demo.load()
    materials_demo.load()

    # when the quality demo is loaded twice
    demo.load()
    counts = [
        model.objects.count()
        for model in (QualityStandard, Measurement, InspectionOrder, Nonconformance)
    ]
    demo.load()

    # then the second run changes nothing
    assert counts == [
        model.objects.count()
        for model in (QualityStandard, Measurement, InspectionOrder, Nonconformance)
    ]

    # and the suspect O-ring lot failed its inspection and is held by quality
    report = Nonconformance.objects.get(lot__code=demo.SUSPECT_LOT)
    assert report.inspection_order.status == "failed"
    assert LotHold.objects.get(lot__code=demo.SUSPECT_LOT).nonconformance == report
    bore = QualityStandard.objects.get(code="QS-PH100-T").characteristics.get(
        name="Bore diameter"
    )
    assert bore.control_limits["subgroup_size"] == 5
