"""Downtime: opened by long stops, micro-stops apart, reasons and manual entry."""

import time
from collections import defaultdict
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from equipment import polling, services
from equipment.models import DowntimeEvent, DowntimeKind, DowntimeReason
from equipment.services import EquipmentError
from equipment.simulator import SimulatedMachine, SimulatedPlc, free_port, running_plcs
from mes import events
from mes.events import Event, subscribe
from mes.models import AuditEntry
from tests.factories.equipment import make_machine, make_plc_device


@pytest.fixture(autouse=True)
def _short_threshold(settings):
    settings.DOWNTIME_THRESHOLD_SECONDS = 0.3
    polling.forget_configs()


def breakdown():
    parent, _created = DowntimeReason.objects.get_or_create(
        code="UNPLANNED", defaults={"name": "Unplanned", "category": "other"}
    )
    return DowntimeReason.objects.create(
        parent=parent, code="BRK-SPINDLE", name="Spindle", category="breakdown"
    )


@pytest.fixture
def published(monkeypatch):
    """Machine down and up events published during the test.

    Other apps' subscribers are set aside: this test is about what the
    equipment app publishes, not what dispatch does with it.
    """
    monkeypatch.setattr(events, "_handlers", defaultdict(list))
    seen = {"down": [], "up": []}

    def on_down(**data):
        seen["down"].append(data)

    def on_up(**data):
        seen["up"].append(data)

    subscribe(Event.MACHINE_DOWN, on_down)
    subscribe(Event.MACHINE_UP, on_up)
    return seen


def test_long_stop_opens_downtime_and_restart_closes_it(
    db, published, django_capture_on_commit_callbacks
):
    # given a running machine that is polled and then stops
    plc = SimulatedPlc(SimulatedMachine(automatic=False), port=free_port())
    plc.machine.run()
    device = make_plc_device(port=plc.port)

    with running_plcs([plc]), django_capture_on_commit_callbacks(execute=True):
        polling.poll_once(device_ids=[device.pk])
        plc.machine.stop()
        polling.poll_once(device_ids=[device.pk])
        stop_seen = DowntimeEvent.objects.count()
        # when the stop lasts beyond the threshold and the machine restarts
        time.sleep(0.4)
        polling.poll_once(device_ids=[device.pk])
        opened = DowntimeEvent.objects.get()
        plc.machine.run()
        polling.poll_once(device_ids=[device.pk])

    # then one downtime event spans the stop and machine down/up were told
    assert stop_seen == 0
    opened.refresh_from_db()
    assert opened.kind == DowntimeKind.DOWNTIME
    assert opened.ended_at is not None
    assert opened.reason is None
    assert published["down"] == [{"machine_id": device.machine_id, "reason": "stopped"}]
    assert published["up"] == [{"machine_id": device.machine_id}]
    assert list(services_unclassified()) == [opened]


def services_unclassified():
    from equipment.queries import unclassified_downtime

    return unclassified_downtime()


def test_short_stop_is_a_micro_stop_not_downtime(db):
    # given a running machine
    plc = SimulatedPlc(SimulatedMachine(automatic=False), port=free_port())
    plc.machine.run()
    device = make_plc_device(port=plc.port)

    with running_plcs([plc]):
        polling.poll_once(device_ids=[device.pk])
        # when it stops shorter than the threshold
        plc.machine.idle()
        polling.poll_once(device_ids=[device.pk])
        plc.machine.run()
        polling.poll_once(device_ids=[device.pk])

    # then a micro-stop is counted and no downtime waits for a reason
    event = DowntimeEvent.objects.get()
    assert event.kind == DowntimeKind.MICRO_STOP
    assert list(services_unclassified()) == []


def test_operator_classifies_a_stop_and_it_is_audited(operator):
    # given an unclassified stop
    machine = make_machine()
    now = timezone.now()
    event = DowntimeEvent.objects.create(
        machine=machine, started_at=now - timedelta(minutes=30), ended_at=now
    )
    reason = breakdown()

    # when the operator gives the reason
    services.classify_downtime(event, reason, actor=operator, note="bearing noise")

    # then the stop has its reason, who and when, in the audit trail
    event.refresh_from_db()
    assert event.reason == reason
    assert event.classified_by == operator
    assert AuditEntry.objects.filter(actor=operator).count() == 1


def test_manual_downtime_for_a_machine_without_plc(supervisor):
    # given a machine without PLC and a recorded stop from 10:00 to 10:30
    machine = make_machine()
    reason = breakdown()
    end = timezone.now() - timedelta(hours=1)
    start = end - timedelta(minutes=30)
    services.record_manual_downtime(machine, start, end, reason, actor=supervisor)

    # when an overlapping and a backwards stop are entered
    with pytest.raises(EquipmentError, match="already has a stop"):
        services.record_manual_downtime(
            machine, start + timedelta(minutes=10), end, reason, actor=supervisor
        )
    with pytest.raises(EquipmentError, match="must end after it starts"):
        services.record_manual_downtime(machine, end, start, reason, actor=supervisor)

    # then only the first one exists
    assert DowntimeEvent.objects.filter(machine=machine).count() == 1


def test_manual_counts_are_added_per_minute_and_bad_counts_refused(operator):
    # given a machine without PLC
    machine = make_machine()
    at = timezone.now()

    # when two reports land in the same minute and a negative one is tried
    services.record_manual_count(machine, 10, 1, at, actor=operator)
    services.record_manual_count(machine, 5, 0, at, actor=operator)
    with pytest.raises(EquipmentError):
        services.record_manual_count(machine, -3, 0, at, actor=operator)

    # then the minute holds the sum
    count = machine.production_counts.get()
    assert (count.good, count.scrap, count.source) == (15, 1, "manual")


def test_operator_gives_a_reason_on_the_tablet_page(client, operator):
    # given an unclassified stop shown on the downtime page
    machine = make_machine(code="T09")
    now = timezone.now()
    event = DowntimeEvent.objects.create(
        machine=machine, started_at=now - timedelta(minutes=10), ended_at=now
    )
    reason = breakdown()
    client.force_login(operator)
    page = client.get(reverse("equipment:downtime"))
    assert f'id="stop-{event.pk}"' in page.text
    assert "Spindle" in page.text

    # when the operator taps the reason
    response = client.post(
        reverse("equipment:downtime-classify", args=[event.pk]),
        {"reason": reason.pk},
    )

    # then the stop is classified and gone from the list
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.reason == reason
    assert f'id="stop-{event.pk}"' not in client.get(reverse("equipment:downtime")).text


def test_unknown_reason_is_refused_and_changes_nothing(client, operator):
    # given an unclassified stop
    event = DowntimeEvent.objects.create(
        machine=make_machine(), started_at=timezone.now()
    )
    client.force_login(operator)

    # when a reason that does not exist is posted
    response = client.post(
        reverse("equipment:downtime-classify", args=[event.pk]),
        {"reason": 999999},
        follow=True,
    )

    # then a clear message is shown and the stop keeps no reason
    assert "Choose a reason from the list." in response.text
    event.refresh_from_db()
    assert event.reason is None


def test_manual_downtime_form_shows_errors_and_records(client, supervisor):
    # given a machine without PLC
    machine = make_machine()
    reason = breakdown()
    client.force_login(supervisor)
    url = reverse("equipment:downtime-new")

    # when a backwards stop is entered, then a correct one
    bad = client.post(
        url,
        {
            "machine": machine.pk,
            "started_at": "2026-12-01T10:30",
            "ended_at": "2026-12-01T10:00",
            "reason": reason.pk,
        },
    )
    good = client.post(
        url,
        {
            "machine": machine.pk,
            "started_at": "2026-12-01T10:00",
            "ended_at": "2026-12-01T10:30",
            "reason": reason.pk,
        },
    )

    # then the first is refused with a message and the second recorded
    assert "The stop must end after it starts." in bad.text
    assert good.status_code == 302
    event = DowntimeEvent.objects.get(machine=machine)
    assert event.duration_seconds == 1800
    assert event.source == "manual"
