"""Release: operations and materials from the released versions, or a refusal."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from materials.models import ItemKind
from mes import events
from mes.events import Event
from mes.models import AuditEntry
from planning import services
from planning.models import (
    PlanningError,
    VersionStatus,
    WorkOrderStatus,
)
from tests.factories.equipment import make_work_center
from tests.factories.materials import make_item
from tests.factories.planning import (
    make_bom,
    make_product,
    make_routing,
    make_work_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    received = []

    def handler(**data):
        received.append(data)

    events.subscribe(Event.WORK_ORDER_RELEASED, handler)
    yield received
    events.unsubscribe(Event.WORK_ORDER_RELEASED, handler)


def test_release_creates_operations_and_materials_from_the_routing(
    supervisor, published, django_capture_on_commit_callbacks
):
    # given an approved order of a product with a 2-step routing and a BOM
    product = make_item(ItemKind.FINISHED_GOOD)
    casting, bolt = make_item(), make_item()
    bom = make_bom(product, [(casting, "1"), (bolt, "4")], scrap_percent="5")
    routing = make_routing(product, steps=2, setup_minutes="30", run_minutes="2")
    order = make_work_order(product, WorkOrderStatus.APPROVED, quantity=Decimal("100"))

    # when the supervisor releases it
    with django_capture_on_commit_callbacks(execute=True):
        services.release_work_order(order, supervisor)

    # then it keeps the versions, has the routing's operations and machines
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.RELEASED
    assert (order.bom, order.routing) == (bom, routing)
    operations = list(order.operations.order_by("sequence"))
    assert [op.sequence for op in operations] == [10, 20]
    first = operations[0]
    assert first.quantity == Decimal("100")
    assert first.product_family == "family-a"
    assert operations[1].requires_inspection is True
    durations = sorted(m.duration_minutes for m in first.eligible_machines.all())
    assert durations == [Decimal("230"), Decimal("430")]

    # and its materials include the scrap allowance
    materials = {m.item_id: m.quantity for m in order.materials.all()}
    assert materials == {casting.pk: Decimal("105"), bolt.pk: Decimal("420")}

    # and dispatch is told
    assert published == [{"work_order_id": order.pk}]


def test_release_refuses_a_product_without_released_routing(supervisor):
    # given a product whose routing is only a draft
    product = make_item(ItemKind.FINISHED_GOOD)
    make_bom(product, [(make_item(), "1")])
    make_routing(product, status=VersionStatus.DRAFT)
    order = make_work_order(product, WorkOrderStatus.APPROVED)

    # when released, then refused with a clear message and nothing created
    with pytest.raises(PlanningError) as error:
        services.release_work_order(order, supervisor)
    assert error.value.code == "no_routing"
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.APPROVED
    assert not order.operations.exists()


def test_release_refuses_a_product_without_released_bom(supervisor):
    # given a product without any BOM
    product = make_item(ItemKind.FINISHED_GOOD)
    make_routing(product)
    order = make_work_order(product, WorkOrderStatus.APPROVED)

    # when released, then refused
    with pytest.raises(PlanningError) as error:
        services.release_work_order(order, supervisor)
    assert error.value.code == "no_bom"


def test_release_refuses_a_due_date_in_the_past(supervisor):
    # given an approved order whose due date has passed
    order = make_work_order(
        status=WorkOrderStatus.APPROVED,
        due_date=timezone.localdate() - timedelta(days=1),
    )

    # when released, then refused and unchanged
    with pytest.raises(PlanningError) as error:
        services.release_work_order(order, supervisor)
    assert error.value.code == "due_date"
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.APPROVED


def test_released_order_keeps_its_version_when_a_new_one_is_released(
    supervisor, planner
):
    # given a released order on routing version 1
    product = make_product()
    order = make_work_order(product, WorkOrderStatus.APPROVED)
    services.release_work_order(order, supervisor)
    first = services.released_routing(product)

    # when version 2 is drafted, reviewed and released
    second = services.new_version(first, planner)
    services.submit_version(second, planner)
    services.release_version(second, supervisor)

    # then the order still points at version 1, now obsolete
    order.refresh_from_db()
    first.refresh_from_db()
    assert order.routing == first
    assert first.status == VersionStatus.OBSOLETE
    assert services.released_routing(product).version == 2


def test_progress_reports_start_and_roll_up_the_order(supervisor, operator):
    # given a released order
    order = make_work_order(status=WorkOrderStatus.APPROVED, quantity=Decimal("10"))
    services.release_work_order(order, supervisor)
    first, last = order.operations.order_by("sequence")

    # when both operations report output
    services.record_operation_progress(first, Decimal("10"), Decimal("1"), operator)
    services.record_operation_progress(last, Decimal("8"), Decimal("2"), operator)

    # then the order is in progress with the last operation's good quantity
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.IN_PROGRESS
    assert order.good_quantity == Decimal("8")
    assert order.scrap_quantity == Decimal("3")

    # and starting it again changes nothing; completing is idempotent too
    services.start_work_order(order, operator)
    services.complete_work_order(order, supervisor)
    services.complete_work_order(order, supervisor)
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.COMPLETED


def test_a_progress_report_below_zero_is_refused(supervisor, operator):
    order = make_work_order(status=WorkOrderStatus.APPROVED)
    services.release_work_order(order, supervisor)
    operation = order.operations.first()

    with pytest.raises(PlanningError):
        services.record_operation_progress(
            operation, Decimal("-1"), Decimal("0"), operator
        )
    operation.refresh_from_db()
    assert operation.good_quantity == 0


def test_starting_an_operation_starts_the_order_once(supervisor, operator):
    # given a released order
    order = make_work_order(status=WorkOrderStatus.APPROVED)
    services.release_work_order(order, supervisor)
    operation = order.operations.order_by("sequence").first()

    # when an operator starts its first operation twice
    services.start_operation(operation, operator)
    services.start_operation(operation, operator)

    # then the operation and the order are in progress, started once
    operation.refresh_from_db()
    order.refresh_from_db()
    assert operation.status == "in_progress"
    assert order.status == WorkOrderStatus.IN_PROGRESS
    assert (
        AuditEntry.objects.for_object(order)
        .filter(action="transition", changes__status=["released", "in_progress"])
        .count()
        == 1
    )


def test_an_operation_of_an_unreleased_order_cannot_start(operator):
    order = make_work_order(status=WorkOrderStatus.APPROVED)
    operation = order.operations.create(
        sequence=10,
        name="Op",
        work_center=make_work_center(),
        run_minutes_per_unit=Decimal("1"),
        quantity=Decimal("1"),
    )
    with pytest.raises(PlanningError):
        services.start_operation(operation, operator)
    operation.refresh_from_db()
    assert operation.status == "pending"


def test_release_refuses_an_operation_no_machine_can_run(supervisor):
    # given a routing whose operation lists no machine, at a center without any
    product = make_item(ItemKind.FINISHED_GOOD)
    make_bom(product, [(make_item(), "1")])
    make_routing(product, steps=1, machines_per_step=0)
    order = make_work_order(product, WorkOrderStatus.APPROVED)

    # when released, then refused and nothing half-done
    with pytest.raises(PlanningError) as error:
        services.release_work_order(order, supervisor)
    assert error.value.code == "no_machine"
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.APPROVED
    assert not order.operations.exists()
    assert not AuditEntry.objects.for_object(order).exists()
