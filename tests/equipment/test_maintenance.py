"""Preventive plans falling due, maintenance orders, fault reports."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from equipment import queries, services
from equipment.models import (
    ChecklistItem,
    MachineUsage,
    MaintenanceOrder,
    MaintenancePlan,
    OrderKind,
    OrderStatus,
    StateInterval,
)
from equipment.services import EquipmentError
from mes.models import AuditEntry
from tests.factories.equipment import make_machine


def calendar_plan(machine, days=7, last_done_days_ago=None):
    last = None
    if last_done_days_ago is not None:
        last = timezone.now() - timedelta(days=last_done_days_ago)
    plan = MaintenancePlan.objects.create(
        machine=machine,
        name="Weekly lubrication",
        trigger="calendar",
        interval_days=days,
        last_done_at=last,
    )
    ChecklistItem.objects.create(
        plan=plan, sequence=10, text="Oil level", expected_value="MIN-MAX"
    )
    return plan


def test_calendar_plan_falls_due_once(db):
    # given plans done 8 and 3 days ago, every 7 days
    due = calendar_plan(make_machine(), last_done_days_ago=8)
    calendar_plan(make_machine(), last_done_days_ago=3)

    # when the due check runs twice
    first = services.create_due_orders()
    second = services.create_due_orders()

    # then only the overdue plan got one order, with its checklist
    assert [order.plan for order in first] == [due]
    assert second == []
    order = first[0]
    assert order.kind == OrderKind.PREVENTIVE
    assert order.number == f"MO-{order.pk:06d}"
    assert list(order.checklist_results.values_list("text", flat=True)) == ["Oil level"]


@pytest.mark.parametrize(
    ("trigger", "usage", "expected"),
    [
        ("cycles", {"cycles": 10_400}, True),
        ("cycles", {"cycles": 10_200}, False),
        ("run_hours", {"run_seconds": 250 * 3600}, True),
        ("run_hours", {"run_seconds": 249 * 3600}, False),
    ],
)
def test_usage_plan_falls_due_by_counters(db, trigger, usage, expected):
    # given a plan every 500 cycles or 50 run hours, last done at 9,900 / 200
    machine = make_machine()
    interval, last = (500, 9_900) if trigger == "cycles" else (50, 200)
    MaintenancePlan.objects.create(
        machine=machine,
        name="Usage plan",
        trigger=trigger,
        interval_usage=interval,
        last_done_usage=last,
    )
    MachineUsage.objects.create(machine=machine, **usage)

    # when the due check runs
    created = services.create_due_orders()

    # then an order exists exactly when the usage passed the interval
    assert bool(created) is expected


def test_order_lifecycle_makes_the_machine_unavailable_while_worked(
    maintenance_technician, supervisor
):
    # given a due preventive order
    machine = make_machine()
    plan = calendar_plan(machine)
    [order] = services.create_due_orders()
    assert queries.is_available(machine) == (True, "")

    # when the technician starts it
    services.start_order(order, actor=maintenance_technician)
    unavailable = queries.is_available(machine)
    # and completes it with the checklist, then the supervisor closes it
    result = order.checklist_results.get()
    with pytest.raises(EquipmentError, match="Record a result for every check"):
        services.complete_order(order, maintenance_technician, "Oiled", 20)
    services.complete_order(
        order,
        maintenance_technician,
        "Oiled the guideways",
        20,
        checklist={result.pk: ("OK", True)},
    )
    services.close_order(order, supervisor, feedback="Fine")

    # then it was unavailable while worked, and the plan restarts its clock
    assert unavailable[0] is False
    order.refresh_from_db()
    plan.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    assert order.assigned_to == maintenance_technician
    assert plan.last_done_at == order.finished_at
    assert queries.is_available(machine) == (True, "")
    assert AuditEntry.objects.filter(action="transition").count() == 3


def test_refused_transition_changes_nothing(maintenance_technician):
    # given an open order
    plan = calendar_plan(make_machine())
    [order] = services.create_due_orders()

    # when it is closed before being worked
    with pytest.raises(EquipmentError, match="cannot become Closed"):
        services.close_order(order, maintenance_technician, "no")

    # then it is still open
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN
    assert plan.orders.count() == 1


def test_operator_fault_report_opens_a_repair_order_and_blocks_the_machine(
    operator,
):
    # given a machine
    machine = make_machine()

    # when an operator reports a fault that stopped it
    report = services.report_fault(
        machine, "Coolant pump noisy", actor=operator, failure_category="hydraulic"
    )

    # then a repair order is open and the machine is unavailable from now
    order = MaintenanceOrder.objects.get(fault_report=report)
    assert order.kind == OrderKind.REPAIR
    assert queries.is_available(machine)[0] is False
    now = timezone.now()
    windows = queries.unavailable_windows(
        [machine.pk], now - timedelta(hours=1), now + timedelta(hours=4)
    )
    assert len(windows[machine.pk]) == 1
    assert windows[machine.pk][0][0] == report.reported_at


def test_empty_fault_description_is_refused(operator):
    machine = make_machine()
    with pytest.raises(EquipmentError, match="Describe the fault"):
        services.report_fault(machine, "   ", actor=operator)
    assert not MaintenanceOrder.objects.exists()


def test_technician_works_an_order_on_the_tablet(client, maintenance_technician):
    # given a due preventive order with one check
    calendar_plan(make_machine())
    [order] = services.create_due_orders()
    result = order.checklist_results.get()
    client.force_login(maintenance_technician)
    url = reverse("equipment:order-detail", args=[order.pk])
    assert "Start work" in client.get(url).text

    # when the technician starts, then completes without and with the check
    client.post(reverse("equipment:order-start", args=[order.pk]))
    missing = client.post(
        reverse("equipment:order-complete", args=[order.pk]),
        {"work_done": "Oiled", "minutes_spent": 15},
    )
    done = client.post(
        reverse("equipment:order-complete", args=[order.pk]),
        {
            "work_done": "Oiled",
            "minutes_spent": 15,
            f"found_{result.pk}": "OK",
            f"ok_{result.pk}": "yes",
        },
    )

    # then the incomplete form was refused and the order is completed
    assert missing.status_code == 400
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert order.minutes_spent == 15
    assert order.checklist_results.get().is_ok is True


def test_operator_may_not_start_an_order(client, operator):
    # given an open order
    calendar_plan(make_machine())
    [order] = services.create_due_orders()
    client.force_login(operator)

    # when an operator tries to start it
    response = client.post(reverse("equipment:order-start", args=[order.pk]))

    # then it is refused and nothing changed
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


def test_fault_report_page_opens_a_repair_order(client, operator):
    # given a machine
    machine = make_machine(code="W05")
    client.force_login(operator)

    # when the operator reports a fault on the tablet
    response = client.post(
        reverse("equipment:fault-report-new"),
        {
            "machine": machine.pk,
            "description": "Conveyor belt torn",
            "failure_category": "mechanical",
            "machine_stopped": "on",
        },
        follow=True,
    )

    # then the repair order is named in the confirmation
    order = MaintenanceOrder.objects.get(machine=machine)
    assert order.number in response.text
    assert order.failure_category == "mechanical"


def test_spare_parts_are_consumed_from_stock(maintenance_technician):
    # given a repair order in progress and 5 bearings in stock
    from materials import services as stock
    from materials.models import StockBalance
    from tests.factories.materials import make_item, make_location

    bearing = make_item(code="BRG-6204", is_lot_controlled=False)
    shelf = make_location()
    stock.receive(bearing, 5, shelf, maintenance_technician)
    report = services.report_fault(make_machine(), "Noisy spindle", actor=None)
    order = report.order
    services.start_order(order, maintenance_technician)

    # when it is completed using 2 bearings, after a try with 9
    with pytest.raises(EquipmentError):
        services.complete_order(
            order, maintenance_technician, "Bearing", 30, spare_parts=[(bearing, 9)]
        )
    services.complete_order(
        order,
        maintenance_technician,
        "Replaced the bearing",
        30,
        spare_parts=[(bearing, Decimal(2))],
    )

    # then 3 are left, the order names the part, the failed try changed nothing
    assert StockBalance.objects.get(item=bearing, location=shelf).quantity == 3
    assert [(use.item, use.quantity) for use in order.spare_parts.all()] == [
        (bearing, 2)
    ]


def test_machine_in_alarm_is_not_available(db):
    # given a machine whose PLC reports an alarm
    machine = make_machine()
    StateInterval.objects.create(
        machine=machine, state="alarm", started_at=timezone.now(), alarm_code=101
    )

    # when dispatch asks, then it is down with the reason
    assert queries.is_available(machine) == (False, "Down: the machine is in alarm.")
