"""Polling real simulated PLCs over Modbus TCP on 127.0.0.1."""

import logging
import threading
import time

import pytest
from django.db.models import Sum
from pymodbus.constants import ExcCodes

from equipment import polling
from equipment.models import (
    Alarm,
    AlarmCode,
    MachineState,
    MaintenanceOrder,
    MeasuredValue,
    PollerSnapshot,
    ProductionCount,
    StateInterval,
)
from equipment.simulator import SimulatedMachine, SimulatedPlc, free_port, running_plcs
from tests.factories.equipment import make_plc_device


@pytest.fixture(autouse=True)
def _fresh_configs():
    polling.forget_configs()
    yield
    polling.forget_configs()


def simulated(cycle_seconds=0.05, **options):
    machine = SimulatedMachine(cycle_seconds=cycle_seconds, automatic=False, **options)
    return SimulatedPlc(machine, port=free_port())


def produced(machine):
    totals = ProductionCount.objects.filter(machine=machine).aggregate(
        good=Sum("good"), scrap=Sum("scrap")
    )
    return (totals["good"] or 0) + (totals["scrap"] or 0)


def states(machine):
    return list(
        StateInterval.objects.filter(machine=machine)
        .order_by("started_at")
        .values_list("state", flat=True)
    )


def test_state_intervals_and_counts_follow_the_plc(db):
    # given a running simulated machine and its PLC device
    plc = simulated(scrap_rate=0)
    plc.machine.run()
    device = make_plc_device(port=plc.port)

    with running_plcs([plc]):
        # when it is polled, runs a while, is polled, stops and is polled
        polling.poll_once(device_ids=[device.pk])
        first = plc.machine.good
        time.sleep(0.4)
        polling.poll_once(device_ids=[device.pk])
        plc.machine.stop()
        polling.poll_once(device_ids=[device.pk])
        last = plc.machine.good

    # then one closed running interval is followed by an open stopped one
    intervals = StateInterval.objects.filter(machine=device.machine).order_by(
        "started_at"
    )
    assert [interval.state for interval in intervals] == ["running", "stopped"]
    assert intervals[0].ended_at == intervals[1].started_at
    assert intervals[1].ended_at is None
    # and every part made after the first poll (the baseline) is counted once
    assert last - first > 0
    assert produced(device.machine) == last - first


def test_measured_values_are_stored_on_change_only(db):
    # given a stopped machine whose temperature does not move
    plc = simulated()
    device = make_plc_device(port=plc.port)

    with running_plcs([plc]):
        # when it is polled three times
        for _ in range(3):
            polling.poll_once(device_ids=[device.pk])

    # then each measured value was stored once, not once per poll
    tags = MeasuredValue.objects.values_list("tag__name", flat=True)
    assert sorted(tags) == sorted(
        ["operating_seconds", "spindle_speed", "temperature", "temperature_float"]
        + ["cycle_time", "running_bit"]
    )
    temperature = MeasuredValue.objects.get(tag__name="temperature")
    assert temperature.value == pytest.approx(24.0)


def test_counter_wrap_counts_the_parts_across_the_limit(db):
    # given a good counter three parts before its 32-bit limit
    plc = simulated(scrap_rate=0)
    plc.machine.set_counters(good=2**32 - 3, scrap=0)
    device = make_plc_device(port=plc.port)

    with running_plcs([plc]):
        polling.poll_once(device_ids=[device.pk])
        # when the machine makes a few parts and the counter wraps
        plc.machine.run()
        time.sleep(0.35)
        plc.machine.stop()
        polling.poll_once(device_ids=[device.pk])

    # then the parts across the wrap are counted, none negative
    made = (plc.machine.good - (2**32 - 3)) % 2**32
    assert plc.machine.good < 10
    assert produced(device.machine) == made


def test_plc_restart_never_counts_negative_production(db):
    # given a machine with 500 parts on its counter, polled once
    plc = simulated(scrap_rate=0)
    plc.machine.set_counters(good=500, scrap=0)
    device = make_plc_device(port=plc.port)

    with running_plcs([plc]):
        polling.poll_once(device_ids=[device.pk])
        # when the PLC restarts (counters to zero) and makes 7 parts
        plc.machine.restart()
        plc.machine.set_counters(good=7, scrap=0)
        polling.poll_once(device_ids=[device.pk])

    # then the 7 parts since the restart count, nothing negative
    assert produced(device.machine) == 7
    assert PollerSnapshot.objects.get(device=device).good_raw == 7


def test_communication_loss_after_failed_polls_and_recovery(db):
    # given a polled, running machine
    plc = simulated()
    plc.machine.run()
    device = make_plc_device(port=plc.port)

    with running_plcs([plc]) as runner:
        polling.poll_once(device_ids=[device.pk])
        # when its PLC goes silent for three polls
        runner.stop(plc)
        for _ in range(2):
            polling.poll_once(device_ids=[device.pk])
        before_loss = states(device.machine)
        polling.poll_once(device_ids=[device.pk])
        lost = states(device.machine)
        # and comes back
        runner.start(plc)
        polling.poll_once(device_ids=[device.pk])

    # then the machine shows communication lost after the third failure only,
    # and running again once the PLC answers
    assert before_loss == ["running"]
    assert lost == ["running", "communication_lost"]
    assert states(device.machine) == ["running", "communication_lost", "running"]
    assert PollerSnapshot.objects.get(device=device).failures == 0


def test_slow_plc_times_out_without_delaying_the_others(db):
    # given a PLC that answers after 3 s (timeout 0.3 s) and a healthy one
    slow, healthy = simulated(), simulated()
    slow.faults.reply_delay_seconds = 3.0
    healthy.machine.run()
    slow_device = make_plc_device(port=slow.port, timeout_seconds="0.3")
    healthy_device = make_plc_device(port=healthy.port)

    with running_plcs([slow, healthy]):
        # when both are polled in one cycle
        began = time.monotonic()
        readings = polling.poll_once(device_ids=[slow_device.pk, healthy_device.pk])
        took = time.monotonic() - began

    # then the cycle did not wait for the slow PLC and the healthy one read
    by_device = {reading.device_id: reading for reading in readings}
    assert took < 2.0
    assert by_device[slow_device.pk].error
    assert not by_device[healthy_device.pk].error
    assert states(healthy_device.machine) == ["running"]


def test_modbus_exception_replies_are_flagged_and_logged_once(db, caplog):
    # given a PLC that answers every request with "device busy"
    plc = simulated()
    plc.faults.exception_code = ExcCodes.DEVICE_BUSY
    device = make_plc_device(port=plc.port)

    with running_plcs([plc]), caplog.at_level(logging.WARNING, "equipment.polling"):
        # when it is polled five times
        for _ in range(5):
            polling.poll_once(device_ids=[device.pk])

    # then the problem is on the snapshot, logged once, and nothing counted
    snapshot = PollerSnapshot.objects.get(device=device)
    assert "exception code 6" in snapshot.last_error
    assert len([r for r in caplog.records if "exception code" in r.message]) == 1
    assert produced(device.machine) == 0
    assert states(device.machine) == ["communication_lost"]


def test_reply_for_another_unit_is_refused(db):
    # given a PLC whose replies claim to come from unit 9
    plc = simulated()
    plc.faults.answer_as_unit = 9
    device = make_plc_device(port=plc.port)

    with running_plcs([plc]):
        # when it is polled
        [reading] = polling.poll_once(device_ids=[device.pk])

    # then the reading is an error and nothing was stored from it
    assert reading.error
    assert reading.values == {}
    assert produced(device.machine) == 0


def test_nan_and_out_of_range_values_are_flagged_not_stored(db):
    # given a temperature tag limited to 0..30 degrees on a running machine
    # whose simulated temperature is 24 and a float tag reading NaN
    plc = simulated()
    device = make_plc_device(port=plc.port)
    device.tags.filter(name="temperature").update(maximum=20)
    plc.machine.last_cycle_seconds = float("nan")

    with running_plcs([plc]):
        # when it is polled twice
        polling.poll_once(device_ids=[device.pk])
        polling.poll_once(device_ids=[device.pk])

    # then both problems are reported and neither value is in the history
    snapshot = PollerSnapshot.objects.get(device=device)
    assert any("outside the configured range" in p for p in snapshot.problems)
    assert any("not a number" in p for p in snapshot.problems)
    stored = set(MeasuredValue.objects.values_list("tag__name", flat=True))
    assert "temperature" not in stored
    assert "cycle_time" not in stored
    assert states(device.machine) == [MachineState.STOPPED]


@pytest.mark.django_db(transaction=True)
def test_group_loop_survives_dropped_connections_and_keeps_its_interval():
    # given a stopped machine polled by the group loop every 0.2 s
    plc = simulated(scrap_rate=0)
    device = make_plc_device(
        port=plc.port, polling_group="flaky", poll_interval_seconds="0.2"
    )
    stats = polling.PollStats()

    with running_plcs([plc]) as runner:
        worker = threading.Thread(
            target=polling.run_polling_group,
            kwargs={"group": "flaky", "seconds": 4, "stats": stats},
        )
        worker.start()
        deadline = time.monotonic() + 5
        while not PollerSnapshot.objects.filter(device=device).exists():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # when it runs and the network drops every connection twice
        plc.machine.run()
        for _ in range(2):
            time.sleep(0.8)
            runner.drop_connections(plc)
        time.sleep(0.5)
        plc.machine.stop()
        worker.join()

    # then polling went on (a failed poll at most per drop), the machine was
    # never shown as communication lost, and every part was counted once
    assert len(stats.lateness) >= 8
    assert stats.failures <= 2
    assert "communication_lost" not in states(device.machine)
    assert produced(device.machine) == plc.machine.good > 0


def test_alarm_that_raises_a_fault_report_opens_one_repair_order(db):
    # given alarm 412 asks for a repair and a running machine
    AlarmCode.objects.create(
        code=412,
        text="Tool breakage",
        raises_fault_report=True,
        failure_category="tooling",
    )
    plc = simulated()
    plc.machine.run()
    device = make_plc_device(port=plc.port)

    with running_plcs([plc]):
        polling.poll_once(device_ids=[device.pk])
        # when the machine stops with alarm 412, twice
        for _ in range(2):
            plc.machine.stop(alarm_code=412)
            polling.poll_once(device_ids=[device.pk])
            plc.machine.run()
            polling.poll_once(device_ids=[device.pk])

    # then the alarms are recorded and one repair order is open for them
    assert Alarm.objects.filter(machine=device.machine, code=412).count() == 2
    order = MaintenanceOrder.objects.get(machine=device.machine)
    assert order.kind == "repair"
    assert order.failure_category == "tooling"
    assert "Tool breakage" in order.fault_report.description


def test_unknown_alarm_code_is_flagged_once_and_still_recorded(db, caplog):
    # given a machine stopping with a code nobody defined
    plc = simulated()
    device = make_plc_device(port=plc.port)
    plc.machine.stop(alarm_code=999)

    with running_plcs([plc]), caplog.at_level(logging.WARNING, "equipment.polling"):
        for _ in range(3):
            polling.poll_once(device_ids=[device.pk])

    # then the alarm is kept, the machine is in alarm, the problem logged once
    assert Alarm.objects.get(machine=device.machine).code == 999
    assert states(device.machine) == ["alarm"]
    assert len([r for r in caplog.records if "Unknown alarm code" in r.message]) == 1
