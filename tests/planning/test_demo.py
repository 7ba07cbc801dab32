"""The planning demo: definitions for the pump housings and orders in every state."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from mes.models import AuditEntry
from planning import services
from planning.models import (
    Bom,
    MrpRun,
    ProductionPlan,
    Routing,
    WorkOrder,
    WorkOrderStatus,
)

pytestmark = pytest.mark.django_db


def _load():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _counts():
    return {
        "boms": Bom.objects.count(),
        "routings": Routing.objects.count(),
        "plans": ProductionPlan.objects.count(),
        "orders": WorkOrder.objects.count(),
        "audit": AuditEntry.objects.count(),
        "mrp_runs": MrpRun.objects.filter(status="succeeded").count(),
    }


def test_demo_loads_once_and_a_second_run_changes_nothing():
    # given the demo loaded
    _load()
    first = _counts()

    # when it is loaded again, then nothing changes
    _load()
    assert _counts() == first

    # and every pump housing has a released BOM and routing
    for code in ["PH-100", "PH-150", "PH-200"]:
        assert services.released_bom(
            Bom.objects.get(product__code=code, version=1).product
        )
        assert services.released_routing(
            Routing.objects.get(product__code=code).product
        )


def test_demo_orders_cover_the_workflow():
    _load()

    statuses = set(WorkOrder.objects.values_list("status", flat=True))
    assert statuses == set(WorkOrderStatus.values)
    released = WorkOrder.objects.get(number="WO-DEMO-03")
    assert released.operations.count() == 2
    assert released.materials.count() == 9
    running = WorkOrder.objects.get(number="WO-DEMO-02")
    assert running.good_quantity > 0
    assert Bom.objects.filter(product__code="PH-200", status="in_review").exists()
    late = WorkOrder.objects.get(number="WO-DEMO-12")
    assert late.status == WorkOrderStatus.IN_PROGRESS
    assert late.due_date < timezone.localdate()
