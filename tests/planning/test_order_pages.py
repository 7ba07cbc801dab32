"""The order list, entry form, detail page and htmx row actions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from planning.models import WorkOrder, WorkOrderStatus
from tests.factories.planning import make_plan, make_product, make_work_order

pytestmark = pytest.mark.django_db


def test_list_filters_by_status_search_and_sorts(client, planner):
    # given orders of two products in different states
    pump = make_product(code="PUMP-A")
    valve = make_product(code="VALVE-B")
    soon = make_work_order(pump, WorkOrderStatus.DRAFT, customer_reference="SO-77")
    later = make_work_order(
        valve,
        WorkOrderStatus.SUBMITTED,
        due_date=timezone.localdate() + timedelta(days=40),
    )
    client.force_login(planner)
    url = reverse("planning:work-order-list")

    # when filtered by status, then only matching orders show
    page = client.get(url, {"status": "submitted"}).content.decode()
    assert later.number in page and soon.number not in page

    # when searched by customer reference, then that order shows
    page = client.get(url, {"q": "SO-77"}).content.decode()
    assert soon.number in page and later.number not in page

    # when sorted latest due first, the later order comes first
    page = client.get(url, {"sort": "-due_date"}).content.decode()
    assert page.index(later.number) < page.index(soon.number)


def test_list_answers_htmx_with_rows_only(client, planner):
    make_work_order(status=WorkOrderStatus.DRAFT)
    client.force_login(planner)

    response = client.get(
        reverse("planning:work-order-list"),
        {"q": "WO"},
        headers={"HX-Request": "true", "HX-Target": "order-rows"},
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"order-row-" in response.content


def test_planner_enters_an_order_through_the_form(client, planner):
    # given a product and a plan
    product = make_product()
    plan = make_plan()
    client.force_login(planner)
    due = timezone.localdate() + timedelta(days=10)

    # when the planner posts the form
    response = client.post(
        reverse("planning:work-order-create"),
        {
            "product": product.pk,
            "quantity": "25",
            "due_date": due.isoformat(),
            "priority": "2",
            "customer_reference": "SO-1",
            "plan": plan.pk,
        },
    )

    # then a draft exists and the detail page opens
    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "planning:work-order-detail", args=[order.pk]
    )
    assert (order.status, order.quantity, order.plan) == (
        WorkOrderStatus.DRAFT,
        Decimal("25"),
        plan,
    )
    assert order.created_by == planner


@pytest.mark.parametrize(
    ("quantity", "days"), [("0", 5), ("-3", 5), ("abc", 5), ("5", -1)]
)
def test_the_form_refuses_bad_values(client, planner, quantity, days):
    client.force_login(planner)
    due = timezone.localdate() + timedelta(days=days)

    response = client.post(
        reverse("planning:work-order-create"),
        {
            "product": make_product().pk,
            "quantity": quantity,
            "due_date": due.isoformat(),
            "priority": "3",
        },
    )

    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not WorkOrder.objects.exists()


def test_buttons_follow_state_machine_and_role(client, planner, supervisor):
    # given a submitted order entered by the planner
    order = make_work_order(status=WorkOrderStatus.SUBMITTED, created_by=planner)
    url = reverse("planning:work-order-detail", args=[order.pk])

    # the planner sees no approve or release buttons
    client.force_login(planner)
    page = client.get(url).content.decode()
    assert 'data-action="approve"' not in page
    assert 'data-action="submit"' not in page

    # the supervisor sees approve and return, not release
    client.force_login(supervisor)
    page = client.get(url).content.decode()
    assert 'data-action="approve"' in page
    assert 'data-action="return"' in page
    assert 'data-action="release"' not in page


def test_htmx_approve_swaps_the_row(client, supervisor):
    # given a submitted order on the review queue
    order = make_work_order(status=WorkOrderStatus.SUBMITTED)
    client.force_login(supervisor)

    # when approved from the row through htmx
    response = client.post(
        reverse("planning:work-order-approve", args=[order.pk]),
        headers={"HX-Request": "true"},
    )

    # then the answer is the new row with the release button
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<tr")
    assert 'data-action="release"' in body
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.APPROVED


def test_htmx_refusal_shows_the_reason_in_the_row(client, supervisor):
    # given an approved order whose due date has passed
    order = make_work_order(
        status=WorkOrderStatus.APPROVED,
        due_date=timezone.localdate() - timedelta(days=2),
    )
    client.force_login(supervisor)

    # when released from the row
    response = client.post(
        reverse("planning:work-order-release", args=[order.pk]),
        headers={"HX-Request": "true"},
    )

    # then the row says why, and the order is unchanged
    assert b"row-message error" in response.content
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.APPROVED


def test_detail_shows_operations_materials_and_history(client, supervisor, planner):
    # given a released order
    from planning import services

    order = make_work_order(status=WorkOrderStatus.APPROVED)
    services.release_work_order(order, supervisor)
    client.force_login(planner)

    page = client.get(reverse("planning:work-order-detail", args=[order.pk]))

    body = page.content.decode()
    assert "Operation 10" in body and "Operation 20" in body
    assert order.materials.get().item.code in body
    assert "History" in body and "Status changed" in body


def test_adjust_through_the_page_needs_a_reason(client, supervisor, planner):
    from planning import services

    order = make_work_order(status=WorkOrderStatus.APPROVED)
    services.release_work_order(order, supervisor)
    client.force_login(planner)
    url = reverse("planning:work-order-adjust", args=[order.pk])

    client.post(url, {"quantity": "30", "reason": ""})
    order.refresh_from_db()
    assert order.quantity == Decimal("10")

    client.post(url, {"quantity": "30", "reason": "Bigger call-off"})
    order.refresh_from_db()
    assert order.quantity == Decimal("30")


def test_review_queue_lists_submitted_and_approved(client, supervisor):
    waiting = make_work_order(status=WorkOrderStatus.SUBMITTED)
    approved = make_work_order(status=WorkOrderStatus.APPROVED)
    draft = make_work_order(status=WorkOrderStatus.DRAFT)
    client.force_login(supervisor)

    page = client.get(reverse("planning:review-queue")).content.decode()

    assert waiting.number in page and approved.number in page
    assert draft.number not in page


def test_plan_board_groups_orders_of_the_plan(client, planner):
    plan = make_plan()
    order = make_work_order(status=WorkOrderStatus.RELEASED, plan=plan)
    client.force_login(planner)

    page = client.get(reverse("planning:home"), {"plan": plan.pk}).content.decode()

    assert plan.code in page and order.number in page


def test_planner_edits_a_draft_but_not_a_submitted_order(client, planner):
    # given a draft and a submitted order
    draft = make_work_order(status=WorkOrderStatus.DRAFT, created_by=planner)
    submitted = make_work_order(status=WorkOrderStatus.SUBMITTED)
    client.force_login(planner)
    values = {
        "product": draft.product_id,
        "quantity": "33",
        "due_date": draft.due_date.isoformat(),
        "priority": "1",
    }

    # when both are edited
    client.post(reverse("planning:work-order-edit", args=[draft.pk]), values)
    response = client.post(
        reverse("planning:work-order-edit", args=[submitted.pk]),
        values | {"product": submitted.product_id},
    )

    # then only the draft changed, with an audit entry
    draft.refresh_from_db()
    submitted.refresh_from_db()
    assert (draft.quantity, draft.priority) == (Decimal("33"), 1)
    assert submitted.quantity == Decimal("10")
    assert response.status_code == 302
    from mes.models import AuditEntry

    entry = AuditEntry.objects.for_object(draft).get(action="change")
    assert set(entry.changes) == {"quantity", "priority"}


def test_plan_targets_are_set_changed_and_removed(client, planner):
    from planning.models import ProductionPlanTarget

    plan = make_plan()
    product = make_product()
    client.force_login(planner)
    url = reverse("planning:plan-target-set", args=[plan.pk])

    client.post(url, {"product": product.pk, "quantity": "120"})
    assert ProductionPlanTarget.objects.get().quantity == Decimal("120")
    client.post(url, {"product": product.pk, "quantity": "-5"})
    client.post(url, {"product": product.pk, "quantity": "150"})
    assert ProductionPlanTarget.objects.get().quantity == Decimal("150")
    client.post(url, {"product": product.pk, "quantity": "0"})
    assert not ProductionPlanTarget.objects.exists()


def test_plan_list_shows_every_plan_with_its_orders(client, planner):
    old = make_plan(code="W2025-01")
    make_work_order(
        status=WorkOrderStatus.COMPLETED, plan=old, good_quantity=Decimal("10")
    )
    client.force_login(planner)

    page = client.get(reverse("planning:plan-list")).content.decode()

    assert "W2025-01" in page
