"""The live board, the machine tile and the machine detail page."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from equipment import polling, queries
from equipment.models import Alarm, ProductionCount, StateInterval
from equipment.simulator import SimulatedMachine, SimulatedPlc, free_port, running_plcs
from mes.roles import Role
from tests.browser import log_in
from tests.factories import make_user
from tests.factories.equipment import make_machine, make_plc_device


def test_board_htmx_refresh_returns_only_the_tiles(client, supervisor):
    # given a running machine
    machine = make_machine(code="T77")
    StateInterval.objects.create(
        machine=machine, state="running", started_at=timezone.now()
    )
    client.force_login(supervisor)

    # when the board is loaded, and then refreshed by htmx
    page = client.get(reverse("equipment:board"))
    fragment = client.get(reverse("equipment:board"), headers={"HX-Request": "true"})

    # then the page polls itself and the fragment holds just the tiles
    assert 'hx-trigger="every 5s"' in page.text
    assert "<html" not in fragment.text
    assert 'data-machine="T77"' in fragment.text
    assert 'data-state="running"' in fragment.text


@pytest.mark.django_db
def test_tile_partial_takes_a_current_job():
    # given a machine and its status
    machine = make_machine(code="M55")
    status = queries.machine_states([machine.pk])[machine.pk]

    # when dispatch renders the tile with its running job
    html = render_to_string(
        "equipment/partials/machine_tile.html",
        {"machine": machine, "status": status, "oee": 0.5, "current_job": "WO-7/20"},
    )

    # then the job and the figures are on the tile
    assert "WO-7/20" in html
    assert "50 %" in html
    assert 'data-state="unknown"' in html


def test_machine_detail_shows_timeline_counts_and_alarms(
    client, maintenance_technician
):
    # given a machine that ran an hour, stopped with alarm 412, made 30 parts
    machine = make_machine()
    now = timezone.now()
    StateInterval.objects.create(
        machine=machine,
        state="running",
        started_at=now - timedelta(hours=1),
        ended_at=now - timedelta(minutes=5),
    )
    StateInterval.objects.create(
        machine=machine, state="alarm", started_at=now - timedelta(minutes=5)
    )
    Alarm.objects.create(
        machine=machine, code=412, started_at=now - timedelta(minutes=5)
    )
    ProductionCount.objects.create(
        machine=machine, period_start=now.replace(second=0, microsecond=0), good=30
    )
    client.force_login(maintenance_technician)

    # when the detail page is opened
    response = client.get(reverse("equipment:machine-detail", args=[machine.pk]))

    # then the timeline, the counts and the alarm are shown
    assert response.status_code == 200
    assert 'class="timeline-running"' in response.text
    assert 'class="timeline-alarm"' in response.text
    assert "412" in response.text
    assert response.context["counts"]["good"] == 30


@pytest.mark.browser
def test_board_follows_the_machine_without_reloading(
    live_server, page, transactional_db
):
    # given a supervisor and a running machine polled from its simulated PLC
    make_user("sam.supervisor", Role.SUPERVISOR, first_name="Sam")
    plc = SimulatedPlc(SimulatedMachine(automatic=False), port=free_port())
    plc.machine.run()
    device = make_plc_device(machine=make_machine(code="T42"), port=plc.port)
    polling.forget_configs()

    with running_plcs([plc]):
        polling.poll_once(device_ids=[device.pk])
        log_in(page, live_server.url, "sam.supervisor")
        page.goto(f"{live_server.url}/equipment/board/")
        tile = page.locator('[data-machine="T42"]')
        expect(tile).to_have_attribute("data-state", "running")

        # when the machine stops with an alarm and the poller sees it
        plc.machine.stop(alarm_code=412)
        polling.poll_once(device_ids=[device.pk])

        # then the tile turns to alarm by itself within a refresh or two
        expect(tile).to_have_attribute("data-state", "alarm", timeout=12_000)
        expect(tile).to_contain_text("Alarm")
