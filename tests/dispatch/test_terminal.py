"""The operator terminal: sign-on, start, pause, report, lots, complete, help."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dispatch import execution
from dispatch.models import (
    ExceptionKind,
    ExecutionReport,
    ProductionException,
    WorkLog,
)
from dispatch.services import DispatchError
from equipment.models import ProductionCount
from equipment.services import report_fault
from materials import services as materials_services
from materials.models import LotStatus
from planning.models import OperationStatus, WorkOrderStatus
from tests.factories.dispatch import (
    issue_materials,
    make_badge,
    make_lot_for,
    make_released_order,
    operations_of,
    publish_schedule,
)
from tests.factories.materials import make_lot


@pytest.fixture
def order(db):
    order = make_released_order()
    issue_materials(order)
    return order


@pytest.fixture
def first(order):
    return operations_of(order)[0]


@pytest.fixture
def machine(first):
    return first.eligible_machines.first().machine


@pytest.fixture
def signed_on(client, operator, machine):
    """A tablet logged in as the operator, who signed on at the machine."""
    make_badge(operator, "B-OLGA", "2468")
    client.force_login(operator)
    client.post(
        reverse("dispatch:terminal-machine", args=[machine.pk]), {"scan": "B-OLGA"}
    )
    return client


def job_url(name, machine, operation):
    return reverse(f"dispatch:terminal-{name}", args=[machine.pk, operation.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_an_operator_signs_on_by_badge_and_sees_the_queue(signed_on, machine, first):
    publish_schedule()

    page = signed_on.get(reverse("dispatch:terminal-machine", args=[machine.pk]))

    assert page.context["operator"].username == "olga.operator"
    assert first.reference in page.content.decode()


def test_sign_on_by_user_name_and_pin(client, operator, machine):
    make_badge(operator, "B-1", "2468")
    client.force_login(operator)

    client.post(
        reverse("dispatch:terminal-sign-on", args=[machine.pk]),
        {"username": "olga.operator", "pin": "2468"},
    )

    page = client.get(reverse("dispatch:terminal-machine", args=[machine.pk]))
    assert page.context["operator"] == operator


def test_a_wrong_pin_or_badge_signs_nobody_on(client, operator, machine):
    make_badge(operator, "B-1", "2468")
    client.force_login(operator)

    client.post(
        reverse("dispatch:terminal-sign-on", args=[machine.pk]),
        {"username": "olga.operator", "pin": "1111"},
    )
    response = client.post(
        reverse("dispatch:terminal-machine", args=[machine.pk]),
        {"scan": "NOPE"},
        follow=True,
    )

    assert response.context["operator"] is None
    assert "not valid" in messages_of(response)[-1]


def test_actions_need_a_signed_on_operator(client, operator, machine, first):
    client.force_login(operator)

    client.post(job_url("start", machine, first))

    assert not WorkLog.objects.exists()


def test_start_report_and_complete_an_operation(signed_on, operator, machine, order):
    first, second = operations_of(order)

    # when the operator starts, reports and completes the first operation
    signed_on.post(job_url("start", machine, first))
    page = signed_on.get(job_url("job", machine, first))
    key = page.context["report_form"]["request_key"].value()
    signed_on.post(
        job_url("report", machine, first),
        {"good": "9", "scrap": "1", "scrap_reason": "surface", "request_key": key},
    )
    signed_on.post(job_url("complete", machine, first))

    # then the work order progresses, time is logged for the operator
    first.refresh_from_db()
    order.refresh_from_db()
    assert first.status == OperationStatus.COMPLETED
    assert first.good_quantity == Decimal("9")
    assert first.scrap_quantity == Decimal("1")
    assert order.status == WorkOrderStatus.IN_PROGRESS
    log = WorkLog.objects.get(operation=first)
    assert log.operator == operator and log.ended_at is not None
    assert ProductionCount.objects.filter(machine=machine).exists()


def test_a_double_tap_reports_once(signed_on, machine, first):
    signed_on.post(job_url("start", machine, first))
    data = {"good": "3", "scrap": "0", "request_key": "tap-1"}

    signed_on.post(job_url("report", machine, first), data)
    response = signed_on.post(job_url("report", machine, first), data, follow=True)

    first.refresh_from_db()
    assert first.good_quantity == Decimal("3")
    assert ExecutionReport.objects.count() == 1
    assert "already recorded" in messages_of(response)[-1]


def test_double_taps_on_start_and_complete_change_nothing_twice(
    operator, machine, first
):
    execution.start_operation(first, machine, operator)
    execution.start_operation(first, machine, operator)
    assert WorkLog.objects.count() == 1

    assert execution.complete_operation(first, machine, operator) is True
    assert execution.complete_operation(first, machine, operator) is False


def test_a_report_on_an_operation_not_started_is_refused(operator, machine, first):
    with pytest.raises(DispatchError, match="not started"):
        execution.report_quantities(first, machine, operator, 1, 0, "", "k1")

    assert not ExecutionReport.objects.exists()


def test_more_good_parts_than_are_left_are_refused(operator, machine, first):
    execution.start_operation(first, machine, operator)

    with pytest.raises(DispatchError, match="left to make"):
        execution.report_quantities(first, machine, operator, 11, 0, "", "k1")

    first.refresh_from_db()
    assert first.good_quantity == 0


@pytest.mark.parametrize(
    ("good", "scrap", "reason", "message"),
    [
        ("-1", "0", "", "whole number"),
        ("1.5", "0", "", "whole number"),
        ("abc", "0", "", "whole number"),
        ("0", "0", "", "above zero"),
        ("0", "2", "", "scrap reason"),
    ],
)
def test_bad_quantities_are_refused(
    operator, machine, first, good, scrap, reason, message
):
    execution.start_operation(first, machine, operator)

    with pytest.raises(DispatchError, match=message):
        execution.report_quantities(first, machine, operator, good, scrap, reason, "k")

    assert not ExecutionReport.objects.exists()


def test_start_is_refused_when_the_machine_is_down(operator, machine, first):
    report_fault(machine, "Spindle broken", operator, machine_stopped=True)

    with pytest.raises(DispatchError, match="cannot start work"):
        execution.start_operation(first, machine, operator)

    assert not WorkLog.objects.exists()


def test_start_is_refused_without_issued_materials(operator, db):
    order = make_released_order()
    first = operations_of(order)[0]
    machine = first.eligible_machines.first().machine

    with pytest.raises(DispatchError, match="not issued"):
        execution.start_operation(first, machine, operator)

    assert not WorkLog.objects.exists()


def test_start_is_refused_for_an_order_that_is_not_released(operator, machine, first):
    first.work_order.status = WorkOrderStatus.COMPLETED
    first.work_order.save()

    with pytest.raises(DispatchError, match="only released orders"):
        execution.start_operation(first, machine, operator)


def test_a_busy_machine_refuses_a_second_operation(operator, machine, first, db):
    execution.start_operation(first, machine, operator)
    other_order = make_released_order()
    issue_materials(other_order)
    other = operations_of(other_order)[0]
    other.eligible_machines.create(
        machine=machine, run_minutes_per_unit=1, duration_minutes=10
    )

    with pytest.raises(DispatchError, match="busy"):
        execution.start_operation(other, machine, operator)


def test_pause_needs_a_reason_and_a_running_operation(operator, machine, first):
    with pytest.raises(DispatchError, match="not running"):
        execution.pause_operation(first, machine, operator, "break")
    execution.start_operation(first, machine, operator)
    with pytest.raises(DispatchError, match="why"):
        execution.pause_operation(first, machine, operator, "")

    execution.pause_operation(first, machine, operator, "material")

    log = WorkLog.objects.get()
    assert log.pause_reason == "material" and log.ended_at is not None


def test_scanning_a_lot_consumes_it_for_the_operation(signed_on, machine, first, order):
    lot = make_lot_for(order)
    signed_on.post(job_url("start", machine, first))

    response = signed_on.post(
        job_url("job", machine, first), {"scan": lot.code}, follow=True
    )

    assert "Consumed" in messages_of(response)[-1]
    need = order.materials.get()
    assert materials_services.lot_on_hand(lot) == Decimal(100) - need.quantity


def test_a_lot_of_the_wrong_item_is_refused(operator, machine, first):
    stranger = make_lot()

    with pytest.raises(DispatchError, match="does not use"):
        execution.consume_lot(first, machine, operator, stranger.code)

    assert materials_services.lot_on_hand(stranger) == 10


def test_a_lot_on_hold_is_refused(operator, machine, first, order):
    lot = make_lot_for(order)
    materials_services.hold_lot(lot, operator, "Suspect")

    with pytest.raises(DispatchError, match="on hold"):
        execution.consume_lot(first, machine, operator, lot.code)

    lot.refresh_from_db()
    assert lot.status == LotStatus.ON_HOLD


def test_an_expired_lot_is_refused(operator, machine, first, order):
    need = order.materials.get()
    lot = make_lot(need.item, 50, expires_on=timezone.localdate() - timedelta(days=1))

    with pytest.raises(DispatchError, match="expired"):
        execution.consume_lot(first, machine, operator, lot.code)


def test_an_unknown_lot_code_is_refused(operator, machine, first):
    with pytest.raises(DispatchError, match="No lot"):
        execution.consume_lot(first, machine, operator, "NO-SUCH-LOT")


def test_the_help_call_alerts_the_supervisor_once(
    signed_on, machine, supervisor, client
):
    url = reverse("dispatch:terminal-help", args=[machine.pk])

    signed_on.post(url)
    signed_on.post(url)

    exception = ProductionException.objects.get()
    assert exception.kind == ExceptionKind.HELP_CALL
    assert machine.code in exception.message


def test_the_job_screen_shows_the_work_instruction(signed_on, machine, first):
    page = signed_on.get(job_url("job", machine, first))

    assert "Instruction for step 1" in page.content.decode()
