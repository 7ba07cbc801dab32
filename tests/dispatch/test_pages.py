"""The desk pages: board, Gantt chart, dispatch lists, operation detail."""

from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from dispatch import execution, queries, services
from dispatch.models import OperationLock
from dispatch.views.terminal import QUEUE_ROW
from mes.lib.fragments import render_rows
from tests.factories.dispatch import (
    issue_materials,
    make_badge,
    make_released_order,
    operations_of,
    publish_schedule,
)


@pytest.fixture
def plant(db, supervisor):
    orders = [make_released_order() for _ in range(3)]
    version = publish_schedule(supervisor)
    return orders, version


def test_the_board_shows_running_work_and_open_exceptions(
    client, supervisor, operator, plant
):
    # given an operation running and a help call
    orders, _version = plant
    issue_materials(orders[0])
    first = operations_of(orders[0])[0]
    machine = first.eligible_machines.first().machine
    execution.start_operation(first, machine, operator)
    execution.call_help(machine, operator, first)
    client.force_login(supervisor)

    # when the supervisor opens the board, and htmx refreshes it
    page = client.get(reverse("dispatch:board"))
    fragment = client.get(reverse("dispatch:board"), headers={"HX-Request": "true"})

    # then both show the running operation and the help call
    for response in (page, fragment):
        text = response.content.decode()
        assert first.reference in text
        assert (operator.get_full_name() or operator.username) in text
        assert "asks for help" in text
    assert "<html" not in fragment.content.decode()


def test_the_board_counts_each_queue_and_the_late_orders(supervisor, plant):
    # given three orders on the published schedule, one of them due the day
    # its last operation ends, one minute too early for it
    orders, version = plant
    late_order = orders[1]
    last = version.entries.filter(operation__work_order=late_order).latest("end")
    local_end = timezone.localtime(last.end)
    late_order.due_date = local_end.date()
    late_order.save(update_fields=["due_date"])
    last.end = local_end.replace(hour=23, minute=59, second=30)
    last.save(update_fields=["end"])
    on_time = version.entries.filter(operation__work_order=orders[0]).latest("end")
    orders[0].due_date = timezone.localtime(on_time.end).date()
    orders[0].save(update_fields=["due_date"])
    on_time.end = timezone.localtime(on_time.end).replace(hour=23, minute=59, second=0)
    on_time.save(update_fields=["end"])

    # when the board is read
    rows = queries.board()

    # then each machine's queue is its open scheduled operations, and only
    # the order ending after 23:59 of its due date counts as late
    queues = {line.machine_id: line.queue for row in rows for line in row.machines}
    expected = Counter(version.entries.values_list("machine_id", flat=True))
    assert {pk: count for pk, count in queues.items() if count} == dict(expected)
    center = last.machine.work_center_id
    assert {row.work_center_id: row.late_orders for row in rows}[center] == 1


def test_the_board_avoids_a_query_per_row(
    client, supervisor, plant, django_assert_max_num_queries
):
    for _ in range(5):
        make_released_order()
    client.force_login(supervisor)

    with django_assert_max_num_queries(20):
        client.get(reverse("dispatch:board"), headers={"HX-Request": "true"})


@pytest.mark.parametrize(
    "query", ["", "?zoom=week", "?group=order&color=status", "?start=2020-01-01"]
)
def test_the_gantt_chart_renders_every_view(client, supervisor, plant, query):
    orders, version = plant
    client.force_login(supervisor)

    page = client.get(reverse("dispatch:gantt") + query)

    assert page.status_code == 200
    if "2020" not in query:
        assert 'class="gantt"' in page.content.decode()
        assert operations_of(orders[0])[0].reference in page.content.decode()


def test_the_dispatch_list_per_machine_and_work_center(client, supervisor, plant):
    orders, version = plant
    first = operations_of(orders[0])[0]
    entry = version.entries.get(operation=first)
    client.force_login(supervisor)

    by_machine = client.get(
        reverse("dispatch:dispatch-list") + f"?machine={entry.machine_id}"
    )
    by_center = client.get(
        reverse("dispatch:dispatch-list")
        + f"?work_center={entry.machine.work_center_id}"
    )

    for page in (by_machine, by_center):
        assert first.reference in page.content.decode()
        assert "Missing" in page.content.decode()


def test_a_dispatch_list_tells_which_components_are_missing(plant):
    # given an order whose components were never issued
    orders, version = plant
    order = orders[0]
    steps = operations_of(order)
    codes = sorted(need.item.code for need in order.materials.select_related("item"))

    # when its operations are listed, before and after the issue
    before = {job.operation_id: job for job in queries.dispatch_list()}
    issue_materials(order)
    after = {job.operation_id: job for job in queries.dispatch_list()}

    # then only the first step waited for them, and nothing waits after
    assert codes
    assert before[steps[0].pk].missing == tuple(codes)
    assert not before[steps[0].pk].materials_ready
    assert all(before[step.pk].materials_ready for step in steps[1:])
    assert all(after[step.pk].materials_ready for step in steps)
    first = after[steps[0].pk]
    assert first.reference == steps[0].reference
    assert first.remaining_quantity == steps[0].quantity
    assert first.start == version.entries.get(operation=steps[0]).start


def test_queue_rows_are_rendered_again_only_when_what_they_show_changes(plant):
    # given the rows of a queue, rendered once
    jobs = queries.dispatch_list()
    first = render_rows(QUEUE_ROW, jobs, job_url_prefix="/terminal/")

    # when the queue refreshes unchanged, after a report, and in Chinese
    again = render_rows(QUEUE_ROW, jobs, job_url_prefix="/terminal/")
    reported = replace(jobs[0], remaining_quantity=Decimal("7.5"))
    changed = render_rows(QUEUE_ROW, [reported], job_url_prefix="/terminal/")
    with translation.override("zh-hans"):
        chinese = render_rows(QUEUE_ROW, jobs, job_url_prefix="/terminal/")

    # then unchanged rows are the ones rendered before, the others new
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert "7.5" in changed[0]
    assert changed[0] != first[0]
    assert "缺少" in chinese[0] and "Missing" not in chinese[0]
    assert "Missing" in first[0]


def test_the_operator_queue_avoids_a_query_per_row(
    client, operator, plant, django_assert_max_num_queries
):
    orders, version = plant
    entry = version.entries.first()
    make_badge(operator, "B-Q")
    client.force_login(operator)
    url = reverse("dispatch:terminal-machine", args=[entry.machine_id])
    client.post(url, {"scan": "B-Q"})

    with django_assert_max_num_queries(15):
        page = client.get(url, headers={"HX-Request": "true"})

    assert entry.operation.reference in page.content.decode()


def test_a_supervisor_locks_an_operation_from_its_page(client, supervisor, plant):
    orders, version = plant
    first = operations_of(orders[0])[0]
    entry = version.entries.get(operation=first)
    client.force_login(supervisor)

    page = client.get(reverse("dispatch:operation-detail", args=[first.pk]))
    client.post(
        reverse("dispatch:operation-lock", args=[first.pk]),
        {"machine": entry.machine_id, "keep_start": "on"},
    )

    assert page.status_code == 200
    lock = OperationLock.objects.get()
    assert (lock.machine_id, lock.start) == (entry.machine_id, entry.start)


def test_a_planner_sees_but_cannot_lock(client, planner, plant):
    orders, version = plant
    first = operations_of(orders[0])[0]
    client.force_login(planner)

    page = client.get(reverse("dispatch:operation-detail", args=[first.pk]))
    response = client.post(
        reverse("dispatch:operation-lock", args=[first.pk]),
        {"machine": version.entries.get(operation=first).machine_id},
    )

    assert page.status_code == 200 and "Lock or move" not in page.content.decode()
    assert response.status_code == 403
    assert not OperationLock.objects.exists()


def test_the_run_page_shows_live_figures(client, supervisor, plant):
    run = services.request_run(supervisor, time_limit=5)
    client.force_login(supervisor)

    page = client.get(
        reverse("dispatch:run-detail", args=[run.pk]), headers={"HX-Request": "true"}
    )

    assert page.status_code == 200
    assert "hx-trigger" in page.content.decode()
