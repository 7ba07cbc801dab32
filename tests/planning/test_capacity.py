"""Capacity check: backward-scheduled load against the calendar's hours."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from materials.models import ItemKind
from planning import capacity, services
from planning.models import Routing, RoutingOperation, VersionStatus, WorkOrderStatus
from tests.factories.equipment import make_machine, make_shift_pattern, make_work_center
from tests.factories.materials import make_item
from tests.factories.planning import make_bom, make_work_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def cell():
    """A work center with one machine on a Monday-Friday 08:00-16:00 shift."""
    work_center = make_work_center(code="CELL", shift_pattern=make_shift_pattern())
    make_machine(work_center)
    product = make_item(ItemKind.FINISHED_GOOD)
    make_bom(product, [(make_item(), "1")])
    routing = Routing.objects.create(product=product, status=VersionStatus.RELEASED)
    RoutingOperation.objects.create(
        routing=routing,
        sequence=10,
        name="Machine",
        work_center=work_center,
        setup_minutes=Decimal("60"),
        run_minutes_per_unit=Decimal("6"),
    )
    return work_center, product


def _next_wednesday():
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    return monday, monday + timedelta(days=2)


def test_weekly_load_against_shift_hours(cell):
    # given an approved order of 100: 60 + 600 minutes, due next Wednesday
    work_center, product = cell
    monday, wednesday = _next_wednesday()
    make_work_order(
        product, WorkOrderStatus.APPROVED, quantity=Decimal("100"), due_date=wednesday
    )

    # when capacity is checked for that week
    (row,) = [
        row
        for row in capacity.capacity_check(monday, 1, capacity.WEEK)
        if row.work_center == work_center
    ]

    # then 11 hours of load meet 40 hours of a five-day 8-hour shift
    bucket = row.buckets[0]
    assert (bucket.load_hours, bucket.available_hours) == (
        Decimal("11.0"),
        Decimal("40.0"),
    )
    assert bucket.utilisation == 28
    assert not row.is_overloaded


def test_daily_buckets_spread_the_operation_back_from_the_due_date(cell):
    work_center, product = cell
    monday, wednesday = _next_wednesday()
    make_work_order(
        product, WorkOrderStatus.APPROVED, quantity=Decimal("100"), due_date=wednesday
    )

    rows = capacity.capacity_check(monday, 3, capacity.DAY)
    (row,) = [row for row in rows if row.work_center == work_center]

    # two working days of 330 minutes: Tuesday and Wednesday
    assert [bucket.load_minutes for bucket in row.buckets] == [
        Decimal("0"),
        Decimal("330"),
        Decimal("330"),
    ]


def test_overload_is_flagged_and_released_orders_count_what_remains(
    cell, supervisor, operator
):
    # given a released order and three approved ones of 100 due next Wednesday
    work_center, product = cell
    monday, wednesday = _next_wednesday()
    order = make_work_order(
        product, WorkOrderStatus.APPROVED, quantity=Decimal("100"), due_date=wednesday
    )
    services.release_work_order(order, supervisor)
    for _number in range(3):
        make_work_order(
            product,
            WorkOrderStatus.APPROVED,
            quantity=Decimal("100"),
            due_date=wednesday,
        )

    # then the week is overloaded: 44 hours against 40
    (row,) = [
        r for r in capacity.capacity_check(monday, 1) if r.work_center == work_center
    ]
    assert row.buckets[0].load_hours == Decimal("44.0")
    assert row.is_overloaded

    # when 60 good parts are reported, only run time for 40 is left (4 h)
    operation = order.operations.get()
    services.record_operation_progress(operation, Decimal("60"), Decimal("0"), operator)
    (row,) = [
        r for r in capacity.capacity_check(monday, 1) if r.work_center == work_center
    ]
    assert row.buckets[0].load_hours == Decimal("37.0")
    assert not row.is_overloaded


def test_load_skips_days_without_shifts(cell):
    # given an order of 500 (3060 minutes, 7 working days) due next Wednesday
    work_center, product = cell
    monday, wednesday = _next_wednesday()
    make_work_order(
        product, WorkOrderStatus.APPROVED, quantity=Decimal("500"), due_date=wednesday
    )

    # then no load lands on the weekend before it
    rows = capacity.capacity_check(monday - timedelta(days=7), 10, capacity.DAY)
    (row,) = [row for row in rows if row.work_center == work_center]
    loaded = [
        bucket.starts_on.isoweekday() for bucket in row.buckets if bucket.load_minutes
    ]
    assert loaded == [2, 3, 4, 5, 1, 2, 3]


def test_capacity_page_marks_overloads(client, planner, cell):
    work_center, product = cell
    monday, wednesday = _next_wednesday()
    for _number in range(5):
        make_work_order(
            product,
            WorkOrderStatus.APPROVED,
            quantity=Decimal("100"),
            due_date=wednesday,
        )
    client.force_login(planner)

    page = client.get(reverse("planning:capacity"), {"start": monday.isoformat()})

    assert page.status_code == 200
    assert b"overloaded" in page.content
    assert b"CELL" in page.content
