"""Plan against actual: attainment, on-time rate, late, at risk, lead time."""

import csv
import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from planning import performance
from planning.models import ProductionPlanTarget, WorkOrderStatus
from tests.factories.planning import make_plan, make_product, make_work_order

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _at(day, hour=12):
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def plan():
    """A plan with orders on time, late, at risk, done late and cancelled."""
    plan = make_plan(
        starts_on=TODAY - timedelta(days=10), ends_on=TODAY + timedelta(days=5)
    )
    product = make_product(code="PH-100")
    ProductionPlanTarget.objects.create(plan=plan, product=product, quantity=800)
    common = {"plan": plan}
    # done on time: released 2 days before completion, due later
    make_work_order(
        product,
        WorkOrderStatus.COMPLETED,
        quantity=Decimal("100"),
        good_quantity=Decimal("100"),
        due_date=TODAY - timedelta(days=1),
        released_at=_at(TODAY - timedelta(days=5)),
        completed_at=_at(TODAY - timedelta(days=3)),
        **common,
    )
    # running and late
    make_work_order(
        product,
        WorkOrderStatus.IN_PROGRESS,
        quantity=Decimal("50"),
        good_quantity=Decimal("20"),
        scrap_quantity=Decimal("5"),
        due_date=TODAY - timedelta(days=1),
        **common,
    )
    # approved, due tomorrow with about five days of work left
    make_work_order(
        product,
        WorkOrderStatus.APPROVED,
        quantity=Decimal("500"),
        due_date=TODAY + timedelta(days=1),
        **common,
    )
    # closed late: completed two days after its due date, 4 days lead time
    make_work_order(
        product,
        WorkOrderStatus.CLOSED,
        quantity=Decimal("40"),
        good_quantity=Decimal("40"),
        due_date=TODAY - timedelta(days=4),
        released_at=_at(TODAY - timedelta(days=6)),
        completed_at=_at(TODAY - timedelta(days=2)),
        **common,
    )
    make_work_order(
        product, WorkOrderStatus.CANCELLED, quantity=Decimal("999"), **common
    )
    return plan


def test_figures_of_a_plan(plan):
    figures = performance.figures_for(
        performance.orders_in_scope(plan=plan), plan=plan, today=TODAY
    )

    assert (figures.planned, figures.made, figures.scrapped) == (
        Decimal("690"),
        Decimal("160"),
        Decimal("5"),
    )
    assert figures.attainment == Decimal("23.2")
    assert (figures.completed_count, figures.on_time_count) == (2, 1)
    assert figures.on_time_rate == Decimal("50.0")
    assert (figures.late_count, figures.at_risk_count) == (1, 1)
    assert figures.lead_time_days == Decimal("3.0")
    assert figures.cancelled_count == 1
    (product,) = figures.products
    assert (product.code, product.target) == ("PH-100", Decimal("800"))


def test_figures_for_a_period_use_the_due_dates(plan):
    orders = performance.orders_in_scope(
        due_from=TODAY - timedelta(days=2), due_to=TODAY + timedelta(days=2)
    )
    figures = performance.figures_for(orders, today=TODAY)

    # the on-time, the late running and the approved order are due in it
    assert figures.order_count == 3
    assert figures.planned == Decimal("650")


def test_page_shows_figures_and_exports_csv_and_excel(client, planner, plan):
    client.force_login(planner)
    query = {"plan": plan.pk}

    page = client.get(reverse("planning:performance"), query).content.decode()
    assert "23.2%" in page and "50.0%" in page
    assert "<svg" in page

    response = client.get(reverse("planning:performance-export", args=["csv"]), query)
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "Number"
    assert len(rows) == 1 + 4

    response = client.get(reverse("planning:performance-export", args=["xlsx"]), query)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Summary", "Orders"]
    assert workbook["Orders"].max_row == 1 + 4

    assert (
        client.get(reverse("planning:performance-export", args=["pdf"])).status_code
        == 404
    )


def test_plan_page_shows_its_figures(client, planner, plan):
    client.force_login(planner)
    page = client.get(reverse("planning:plan-detail", args=[plan.pk])).content
    assert b"23.2%" in page
