"""Adjusting a released order: a reason, an audit entry, dispatch told."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mes import events
from mes.events import Event
from mes.models import AuditEntry
from planning import services
from planning.models import PlanningError, WorkOrderStatus
from planning.services import Adjustment
from tests.factories.planning import make_work_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(supervisor):
    order = make_work_order(status=WorkOrderStatus.APPROVED, quantity=Decimal("10"))
    services.release_work_order(order, supervisor)
    return order


def test_adjusting_quantity_rescales_operations_and_is_audited(
    released, planner, django_capture_on_commit_callbacks
):
    # given a released order and a listener on the dispatch side
    received = []
    events.subscribe(Event.WORK_ORDER_ADJUSTED, lambda **data: received.append(data))
    due = timezone.localdate() + timedelta(days=20)

    # when the planner adjusts quantity, due date and priority with a reason
    with django_capture_on_commit_callbacks(execute=True):
        services.adjust_work_order(
            released,
            planner,
            "Customer doubled the call-off",
            Adjustment(quantity=Decimal("20"), due_date=due, priority=1),
        )

    # then the order, its operations and materials follow
    released.refresh_from_db()
    assert (released.quantity, released.due_date, released.priority) == (
        Decimal("20"),
        due,
        1,
    )
    assert {op.quantity for op in released.operations.all()} == {Decimal("20")}
    material = released.materials.get()
    assert material.quantity == Decimal("40")
    machine = released.operations.first().eligible_machines.first()
    assert machine.duration_minutes == Decimal("70")

    # and the change is recorded with its reason, and dispatch is told
    entry = AuditEntry.objects.for_object(released).filter(action="change").get()
    assert entry.reason == "Customer doubled the call-off"
    assert [Decimal(value) for value in entry.changes["quantity"]] == [10, 20]
    assert received[-1] == {
        "work_order_id": released.pk,
        "fields": ["due_date", "priority", "quantity"],
    }


@pytest.mark.parametrize(
    ("reason", "adjustment"),
    [
        ("", Adjustment(quantity=Decimal("5"))),
        ("Less", Adjustment(quantity=Decimal("0"))),
        ("Late", Adjustment(due_date=timezone.localdate() - timedelta(days=1))),
        ("Same", Adjustment(quantity=Decimal("10"))),
    ],
)
def test_bad_adjustments_change_nothing(released, planner, reason, adjustment):
    # when an adjustment without reason or with bad values is tried
    with pytest.raises(PlanningError):
        services.adjust_work_order(released, planner, reason, adjustment)

    # then nothing changed
    released.refresh_from_db()
    assert released.quantity == Decimal("10")
    assert not AuditEntry.objects.for_object(released).filter(action="change")


def test_drafts_are_not_adjusted_but_edited(planner):
    order = make_work_order(status=WorkOrderStatus.DRAFT)
    with pytest.raises(PlanningError):
        services.adjust_work_order(
            order, planner, "Why not", Adjustment(quantity=Decimal("3"))
        )


def test_quantity_cannot_drop_below_what_was_made(released, planner, operator):
    # given 10 good parts made on the last operation
    last = released.operations.order_by("-sequence").first()
    services.record_operation_progress(last, Decimal("10"), Decimal("0"), operator)

    # when the quantity is adjusted to 5, then the message names the 10 made
    with pytest.raises(PlanningError) as error:
        services.adjust_work_order(
            released, planner, "Smaller lot", Adjustment(quantity=Decimal("5"))
        )
    assert "10 already made" in error.value.messages[0]
