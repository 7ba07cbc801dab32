"""In headless Chromium: a planner enters and submits an order, a supervisor
approves and releases it from the review queue."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mes.roles import Role
from planning.models import WorkOrder, WorkOrderStatus
from tests.browser import log_in
from tests.factories import make_user
from tests.factories.planning import make_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_planner_submits_and_supervisor_approves_and_releases(live_server, browser):
    # given a product with released definitions, a planner and a supervisor
    product = make_product(code="PH-100", name="Pump housing PH-100")
    make_user("pat", Role.PLANNER)
    make_user("sam", Role.SUPERVISOR)
    due = (timezone.localdate() + timedelta(days=7)).isoformat()

    # when the planner enters an order through the form and submits it
    planner_page = browser.new_context().new_page()
    log_in(planner_page, live_server.url, "pat")
    planner_page.goto(f"{live_server.url}/planning/orders/new/")
    planner_page.select_option("#id_product", str(product.pk))
    planner_page.fill("#id_quantity", "40")
    planner_page.fill("#id_due_date", due)
    planner_page.fill("#id_customer_reference", "SO-4711")
    planner_page.click("button[type=submit].primary")
    expect(planner_page.locator(".badge.status-draft")).to_be_visible()
    planner_page.click("button[data-action=submit]")
    expect(planner_page.locator(".badge.status-submitted")).to_be_visible()
    expect(planner_page.locator("button[data-action=approve]")).to_have_count(0)
    order = WorkOrder.objects.get()

    # and the supervisor approves and releases it on the review queue (htmx)
    supervisor_page = browser.new_context().new_page()
    log_in(supervisor_page, live_server.url, "sam")
    supervisor_page.goto(f"{live_server.url}/planning/review/")
    row = supervisor_page.locator(f"#order-row-{order.pk}")
    row.locator("button[data-action=approve]").click()
    expect(row.locator(".badge.status-approved")).to_be_visible()
    row.locator("button[data-action=release]").click()
    expect(row.locator(".badge.status-released")).to_be_visible()

    # then the order is released with its operations from the routing
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.RELEASED
    assert order.operations.count() == 2
    supervisor_page.goto(f"{live_server.url}/planning/orders/{order.pk}/")
    expect(supervisor_page.get_by_text("Operation 10")).to_be_visible()
