"""Material requirements on hand-built plants with known answers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from materials import services as materials_services
from materials.models import ItemKind, PurchasePlan
from planning import mrp, services
from planning.models import (
    MrpAction,
    MrpRequirement,
    MrpRun,
    MrpRunStatus,
    MrpShortage,
    PlanningError,
    Routing,
    RoutingOperation,
    VersionStatus,
    WorkOrder,
    WorkOrderStatus,
)
from tests.factories import make_user
from tests.factories.equipment import make_work_center
from tests.factories.materials import make_item, make_lot
from tests.factories.planning import make_bom, make_work_order

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DUE = TODAY + timedelta(days=30)


def _routing(product, run_minutes):
    routing = Routing.objects.create(product=product, status=VersionStatus.RELEASED)
    RoutingOperation.objects.create(
        routing=routing,
        sequence=10,
        name="Make",
        work_center=make_work_center(),
        run_minutes_per_unit=Decimal(run_minutes),
    )


@pytest.fixture
def plant():
    """A made of 2 S (semi) and 1 P1 (+10 % scrap); S made of 3 P1 and 1 P2."""
    product = make_item(ItemKind.FINISHED_GOOD, code="A")
    semi = make_item(ItemKind.SEMI_FINISHED, code="S", lead_time_days=2)
    p1 = make_item(ItemKind.PURCHASED_PART, code="P1", lead_time_days=7)
    p2 = make_item(ItemKind.PURCHASED_PART, code="P2", lead_time_days=3)
    make_bom(product, [(semi, "2")])
    product.boms.get().lines.create(
        position=20, component=p1, quantity=Decimal("1"), scrap_percent=Decimal("10")
    )
    make_bom(semi, [(p1, "3"), (p2, "1")])
    # 10 units at 48 minutes each: one working day for A.
    _routing(product, "48")
    return {"A": product, "S": semi, "P1": p1, "P2": p2}


def _run():
    run = mrp.execute(MrpRun.objects.create())
    assert run.status == MrpRunStatus.SUCCEEDED, run.error
    return run


def _net(run, item):
    return {
        row.need_date: (row.net_quantity, row.release_date)
        for row in MrpRequirement.objects.filter(run=run, item=item)
        if row.net_quantity
    }


def _approved_purchase_receipt(item, quantity, needed_by):
    author, approver = make_user(), make_user()
    plan = materials_services.create_purchase_plan(
        author,
        [materials_services.PurchaseSuggestion(item.pk, quantity, needed_by)],
    )
    materials_services.submit_purchase_plan(plan, author)
    materials_services.approve_purchase_plan(plan, approver)


def test_multi_level_explosion_with_scrap_stock_receipts_and_lead_times(plant):
    # given 5 S and 4 P2 on hand, 20 P1 arriving 5 days before the due date
    make_lot(plant["S"], 5)
    make_lot(plant["P2"], 4)
    _approved_purchase_receipt(plant["P1"], Decimal("20"), DUE - timedelta(days=5))
    order = make_work_order(
        plant["A"], WorkOrderStatus.APPROVED, quantity=Decimal("10"), due_date=DUE
    )

    # when MRP runs
    run = _run()

    # then A starts a day before its due date and needs 20 S, of which 15 net,
    # to be made from 2 days ahead (S's lead time)
    start_a = DUE - timedelta(days=1)
    start_s = start_a - timedelta(days=2)
    assert _net(run, plant["S"]) == {start_a: (Decimal("15"), start_s)}

    # and P1: 45 for S first (20 arrive in time), then 11 for A (10 + 10 %)
    assert _net(run, plant["P1"]) == {
        start_s: (Decimal("25"), start_s - timedelta(days=7)),
        start_a: (Decimal("11"), start_a - timedelta(days=7)),
    }
    # and P2: 15 for S, 4 on hand
    assert _net(run, plant["P2"]) == {
        start_s: (Decimal("11"), start_s - timedelta(days=3))
    }

    # and every shortage is pegged to the order, at every level
    shortages = {
        (row.item.code, row.action): row.quantity
        for row in MrpShortage.objects.filter(run=run, work_order=order)
    }
    assert shortages == {
        ("S", MrpAction.MAKE): Decimal("15"),
        ("P1", MrpAction.BUY): Decimal("36"),
        ("P2", MrpAction.BUY): Decimal("11"),
    }
    assert (run.order_count, run.shortage_count) == (1, 3)


def test_shared_components_go_to_the_earlier_need_first(plant):
    # given two orders of A and enough P1 on hand for one of them only
    make_lot(plant["P1"], 11)
    make_lot(plant["S"], 40)
    early = make_work_order(plant["A"], WorkOrderStatus.APPROVED, due_date=DUE)
    late = make_work_order(
        plant["A"], WorkOrderStatus.RELEASED, due_date=DUE + timedelta(days=5)
    )
    late.materials.create(
        item=plant["P1"],
        quantity_per_unit=Decimal("1"),
        scrap_percent=Decimal("10"),
        quantity=Decimal("11"),
    )

    # when MRP runs
    run = _run()

    # then the early order is covered, the late one short of its 11 P1
    short = MrpShortage.objects.filter(run=run)
    assert [(row.work_order_id, row.item.code, row.quantity) for row in short] == [
        (late.pk, "P1", Decimal("11"))
    ]
    assert early.pk not in {row.work_order_id for row in short}


def test_open_work_orders_of_semi_finished_items_count_as_receipts(plant):
    # given an order of A and a released order making the 20 S it needs
    make_work_order(plant["A"], WorkOrderStatus.APPROVED, due_date=DUE)
    semi_order = make_work_order(
        plant["S"],
        WorkOrderStatus.APPROVED,
        quantity=Decimal("20"),
        due_date=DUE - timedelta(days=3),
    )

    # when MRP runs
    run = _run()

    # then S is not short, but the S order's own components are
    assert _net(run, plant["S"]) == {}
    shortages = {
        (row.work_order_id, row.item.code): row.quantity
        for row in MrpShortage.objects.filter(run=run)
    }
    assert shortages[(semi_order.pk, "P1")] == Decimal("60")
    assert shortages[(semi_order.pk, "P2")] == Decimal("20")


def test_released_orders_use_their_fixed_materials_for_what_remains(plant):
    # given a released order of 10 with 4 made, fixed at 2 P2 per unit
    order = make_work_order(
        plant["A"],
        WorkOrderStatus.IN_PROGRESS,
        quantity=Decimal("10"),
        good_quantity=Decimal("4"),
    )
    order.materials.create(
        item=plant["P2"],
        quantity_per_unit=Decimal("2"),
        quantity=Decimal("20"),
    )

    # when MRP runs
    run = _run()

    # then only the remaining 6 units' 12 P2 are needed, nothing else
    shortages = {row.item.code: row.quantity for row in MrpShortage.objects.all()}
    assert shortages == {"P2": Decimal("12")}
    assert run.order_count == 1


def test_drafts_and_submitted_orders_are_not_planned(plant):
    make_work_order(plant["A"], WorkOrderStatus.DRAFT)
    make_work_order(plant["A"], WorkOrderStatus.SUBMITTED)

    run = _run()

    assert run.order_count == 0
    assert not MrpRequirement.objects.filter(run=run).exists()


def test_a_bom_cycle_fails_the_run_with_a_clear_message(plant):
    # given a (corrupt) released BOM of P2 containing A
    make_bom(plant["P2"], [(plant["A"], "1")])
    make_work_order(plant["A"], WorkOrderStatus.APPROVED)

    # when MRP runs, then it fails naming the items, and stores nothing
    run = mrp.execute(MrpRun.objects.create())
    assert run.status == MrpRunStatus.FAILED
    assert "A" in run.error and "P2" in run.error
    assert not MrpRequirement.objects.filter(run=run).exists()


def test_suggestions_become_purchase_plan_lines_once(plant, planner):
    # given a run suggesting to buy P1 and P2
    make_work_order(plant["A"], WorkOrderStatus.APPROVED, due_date=DUE)
    run = _run()
    rows = list(
        MrpRequirement.objects.filter(run=run, action=MrpAction.BUY, net_quantity__gt=0)
    )
    assert {row.item.code for row in rows} == {"P1", "P2"}

    # when the planner turns them into a purchase plan
    plan = mrp.create_purchase_plan_from(run, [row.pk for row in rows], planner)

    # then the plan has one line per suggestion with its quantity and date
    lines = {
        (line.item.code, line.quantity, line.needed_by) for line in plan.lines.all()
    }
    assert lines == {(row.item.code, row.net_quantity, row.need_date) for row in rows}
    assert plan.status == "draft"

    # and a second click does not buy again
    with pytest.raises(PlanningError):
        mrp.create_purchase_plan_from(run, [row.pk for row in rows], planner)
    assert PurchasePlan.objects.count() == 1


def test_an_unfinished_run_is_not_started_twice(
    planner, django_capture_on_commit_callbacks
):
    first = MrpRun.objects.create(status=MrpRunStatus.RUNNING)

    run = services.start_mrp_run(planner)

    assert run == first
    assert MrpRun.objects.count() == 1


def test_the_command_runs_mrp_and_prints_a_summary(plant, capsys):
    make_work_order(plant["A"], WorkOrderStatus.APPROVED, due_date=DUE)

    call_command("run_mrp")

    output = capsys.readouterr()
    assert "1 orders" in output.out
    assert "100%" in output.err
    assert MrpRun.objects.get().status == MrpRunStatus.SUCCEEDED


def test_a_lost_run_is_given_up_and_a_new_one_queued(planner):
    # given a run queued an hour ago whose worker never answered
    lost = MrpRun.objects.create(status=MrpRunStatus.QUEUED)
    MrpRun.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )

    # when a planner starts MRP
    run = services.start_mrp_run(planner)

    # then the lost run failed and a new one waits for the worker
    lost.refresh_from_db()
    assert lost.status == MrpRunStatus.FAILED
    assert run != lost and run.status == MrpRunStatus.QUEUED


def test_the_order_page_shows_its_shortages_of_the_latest_run(client, plant, planner):
    order = make_work_order(
        plant["A"], WorkOrderStatus.APPROVED, quantity=Decimal("10"), due_date=DUE
    )
    _run()
    client.force_login(planner)

    page = client.get(reverse("planning:work-order-detail", args=[order.pk]))

    body = page.content.decode()
    assert "Shortages in MRP run" in body
    assert "P1" in body and "71" in body


def test_only_the_newest_runs_are_kept(plant):
    make_work_order(plant["A"], WorkOrderStatus.APPROVED, due_date=DUE)
    first = _run()

    for _number in range(mrp.KEEP_RUNS):
        _run()

    assert MrpRun.objects.count() == mrp.KEEP_RUNS
    assert not MrpRun.objects.filter(pk=first.pk).exists()
    assert not MrpShortage.objects.filter(run_id=first.pk).exists()


def test_make_suggestions_become_draft_work_orders_once(client, plant, planner):
    # given a run that must make 20 S for an order of A
    make_work_order(plant["A"], WorkOrderStatus.APPROVED, due_date=DUE)
    run = _run()
    (row,) = MrpRequirement.objects.filter(
        run=run, action=MrpAction.MAKE, net_quantity__gt=0
    )
    client.force_login(planner)
    url = reverse("planning:mrp-work-orders", args=[run.pk])

    # when the planner turns it into an order, twice
    client.post(url, {"row": row.pk})
    client.post(url, {"row": row.pk})

    # then one draft order of 20 S is due when S is needed
    order = WorkOrder.objects.get(product=plant["S"])
    assert (order.status, order.quantity, order.due_date) == (
        WorkOrderStatus.DRAFT,
        Decimal("20"),
        row.need_date,
    )
    row.refresh_from_db()
    assert row.work_order_number == order.number


def test_the_page_turns_chosen_suggestions_into_a_purchase_plan(client, plant, planner):
    # given a run with purchase suggestions shown on its page
    make_work_order(plant["A"], WorkOrderStatus.APPROVED, due_date=DUE)
    run = _run()
    client.force_login(planner)
    page = client.get(reverse("planning:mrp-run", args=[run.pk])).content.decode()
    assert "Purchase suggestions" in page and "P1" in page
    rows = MrpRequirement.objects.filter(
        run=run, action=MrpAction.BUY, net_quantity__gt=0
    ).order_by("pk")

    # when the planner posts the first one
    response = client.post(
        reverse("planning:mrp-purchase-plan", args=[run.pk]), {"row": rows[0].pk}
    )

    # then a draft purchase plan holds that one line
    assert response.status_code == 302
    plan = PurchasePlan.objects.get()
    assert plan.lines.count() == 1
    assert rows[0].item.code in client.get(response["Location"]).content.decode()


def test_posting_no_suggestion_changes_nothing(client, plant, planner):
    make_work_order(plant["A"], WorkOrderStatus.APPROVED, due_date=DUE)
    run = _run()
    client.force_login(planner)

    client.post(reverse("planning:mrp-purchase-plan", args=[run.pk]), {})

    assert not PurchasePlan.objects.exists()


def test_the_scheduled_task_queues_one_run(django_capture_on_commit_callbacks):
    from planning.tasks import scheduled_mrp_task

    first = scheduled_mrp_task()
    second = scheduled_mrp_task()

    assert first == second
    assert MrpRun.objects.get().status == MrpRunStatus.QUEUED
