"""Exceptions from events, their handling, and rescheduling proposals."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dispatch import execution, services
from dispatch.handlers import (
    on_lot_held,
    on_machine_down,
    on_machine_state_changed,
    on_maintenance_started,
    on_work_order_adjusted,
    on_work_order_cancelled,
)
from dispatch.models import (
    ExceptionKind,
    ExceptionStatus,
    ProductionException,
    RunKind,
    ScheduleRun,
    VersionStatus,
    WorkLog,
)
from equipment.services import report_fault
from mes.events import Event, _deliver
from tests.factories.dispatch import (
    issue_materials,
    make_released_order,
    operations_of,
    publish_schedule,
)
from tests.factories.equipment import make_machine
from tests.factories.materials import make_lot


@pytest.mark.django_db
def test_a_machine_going_down_raises_one_exception_and_a_repair_run():
    # given a published schedule
    order = make_released_order()
    publish_schedule()
    machine = operations_of(order)[0].eligible_machines.first().machine

    # when equipment reports the machine down twice
    _deliver(Event.MACHINE_DOWN, {"machine_id": machine.pk, "reason": "Alarm 12"})
    _deliver(Event.MACHINE_DOWN, {"machine_id": machine.pk, "reason": "Alarm 12"})

    # then one exception is open and one repair run is queued
    exception = ProductionException.objects.get()
    assert exception.kind == ExceptionKind.MACHINE_DOWN
    assert machine.code in exception.message
    assert ScheduleRun.objects.filter(kind=RunKind.REPAIR).count() == 1


@pytest.mark.django_db
def test_every_event_kind_raises_its_exception():
    machine = make_machine()
    order = make_released_order()
    lot = make_lot()

    on_machine_state_changed(machine_id=machine.pk, state="communication_lost")
    on_machine_state_changed(machine_id=machine.pk, state="running")
    on_maintenance_started(machine_id=machine.pk, order_id=7)
    on_lot_held(lot_id=lot.pk)
    on_work_order_adjusted(work_order_id=order.pk, fields=["quantity"])
    on_work_order_cancelled(work_order_id=order.pk)

    kinds = set(ProductionException.objects.values_list("kind", flat=True))
    assert kinds == {
        ExceptionKind.COMMUNICATION_LOST,
        ExceptionKind.MAINTENANCE,
        ExceptionKind.LOT_ON_HOLD,
        ExceptionKind.ORDER_ADJUSTED,
        ExceptionKind.ORDER_CANCELLED,
    }


@pytest.mark.django_db
def test_without_a_published_schedule_no_repair_is_proposed():
    machine = make_machine()

    on_machine_down(machine_id=machine.pk, reason="")

    assert not ScheduleRun.objects.exists()


@pytest.mark.django_db
def test_the_repair_proposal_keeps_unaffected_operations_in_place():
    # given two orders on different machines, published
    orders = [make_released_order(), make_released_order()]
    published = publish_schedule()
    down = published.entries.get(operation=operations_of(orders[0])[0]).machine
    report_fault(down, "Motor failure", None, machine_stopped=True)

    # when the machine goes down and the repair run executes
    on_machine_down(machine_id=down.pk, reason="")
    run = ScheduleRun.objects.get(kind=RunKind.REPAIR)
    proposal = services.execute_run(run.pk)

    # then the proposal is a draft, and the other order's operations stay put
    assert proposal.is_proposal and proposal.status == VersionStatus.DRAFT
    for operation in operations_of(orders[1]):
        before = published.entries.get(operation=operation)
        after = proposal.entries.get(operation=operation)
        assert (after.machine_id, after.start) == (before.machine_id, before.start)
    moved = proposal.entries.get(operation=operations_of(orders[0])[0])
    assert moved.is_affected
    assert moved.machine_id != down.pk or moved.start >= timezone.now() + timedelta(
        minutes=50
    )


@pytest.mark.django_db
def test_acknowledge_then_resolve_with_what_was_done(client, supervisor):
    exception = services.raise_exception(ExceptionKind.HELP_CALL, "Help at M1")
    client.force_login(supervisor)

    client.post(reverse("dispatch:exception-acknowledge", args=[exception.pk]))
    client.post(
        reverse("dispatch:exception-resolve", args=[exception.pk]),
        {"resolution": "Cleared the jam"},
    )

    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.RESOLVED
    assert exception.acknowledged_by == supervisor
    assert exception.resolved_by == supervisor
    assert exception.resolution == "Cleared the jam"


@pytest.mark.django_db
def test_resolving_without_saying_what_was_done_is_refused(client, supervisor):
    exception = services.raise_exception(ExceptionKind.HELP_CALL, "Help at M1")
    client.force_login(supervisor)

    client.post(
        reverse("dispatch:exception-resolve", args=[exception.pk]), {"resolution": " "}
    )

    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.OPEN


@pytest.mark.django_db
def test_an_operation_past_its_planned_end_raises_an_overrun(operator):
    order = make_released_order()
    issue_materials(order)
    first = operations_of(order)[0]
    published = publish_schedule()
    entry = published.entries.get(operation=first)
    execution.start_operation(first, entry.machine, operator)

    raised = execution.raise_overruns(now=entry.end + timedelta(hours=1))

    assert raised == 1
    assert ProductionException.objects.get().kind == ExceptionKind.OVERRUN
    assert WorkLog.objects.filter(ended_at__isnull=True).count() == 1
