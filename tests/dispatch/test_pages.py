"""The desk pages: board, Gantt chart, dispatch lists, operation detail."""

import pytest
from django.urls import reverse

from dispatch import execution, services
from dispatch.models import OperationLock
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
        assert "asks for help" in text
    assert "<html" not in fragment.content.decode()


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
