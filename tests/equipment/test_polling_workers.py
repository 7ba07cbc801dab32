"""Polling in real Celery workers: restarts and several workers."""

import os
import signal
import time

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum

from equipment import polling
from equipment.models import PollerSnapshot, ProductionCount
from equipment.simulator import SimulatedMachine, SimulatedPlc, free_port, running_plcs
from equipment.tasks import poll_group_task, start_polling_task
from tests.factories.equipment import make_plc_device
from tests.workers import running_worker

pytestmark = pytest.mark.django_db(transaction=True)


def produced(devices):
    totals = ProductionCount.objects.filter(
        machine__in=[device.machine for device in devices]
    ).aggregate(good=Sum("good"), scrap=Sum("scrap"))
    return (totals["good"] or 0) + (totals["scrap"] or 0)


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_killed_and_restarted_worker_neither_loses_nor_doubles_counts():
    # given a stopped machine with 1,000 parts on its counter, polled by a
    # worker every 0.2 s
    plc = SimulatedPlc(
        SimulatedMachine(cycle_seconds=0.02, scrap_rate=0, automatic=False),
        port=free_port(),
    )
    plc.machine.set_counters(good=1000, scrap=0)
    device = make_plc_device(
        port=plc.port, polling_group="restart", poll_interval_seconds="0.2"
    )

    with running_plcs([plc]):
        with running_worker(queues="plc-restart", name="poller-a") as worker:
            poll_group_task.apply_async(args=["restart", 60], queue="plc-restart")
            wait_for(
                lambda: PollerSnapshot.objects.filter(
                    device=device, good_raw=1000
                ).exists()
            )
            # when the machine runs and the worker is killed mid-run
            plc.machine.run()
            time.sleep(1.5)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
        counted_before_restart = produced([device])
        time.sleep(0.5)
        plc.machine.stop()
        # (the dead worker's lease would run out after 30 s; skip the wait)
        cache.delete(polling.GroupLock("restart").key)

        # and a new worker polls the group again
        with running_worker(queues="plc-restart", name="poller-b"):
            result = poll_group_task.apply_async(
                args=["restart", 2], queue="plc-restart"
            )
            outcome = result.get(timeout=30)

    # then every part the PLC counted since the baseline is in the database
    # exactly once: the parts made while no worker ran are not lost
    assert outcome["polls"] > 0
    assert 0 < counted_before_restart < plc.machine.good - 1000
    assert produced([device]) == plc.machine.good - 1000


def test_two_workers_share_the_groups_without_polling_any_twice():
    # given four running machines in two polling groups
    plcs = [
        SimulatedPlc(
            SimulatedMachine(cycle_seconds=0.05, scrap_rate=0, automatic=False),
            port=free_port(),
        )
        for _ in range(4)
    ]
    for plc in plcs:
        plc.machine.run()
    devices = [
        make_plc_device(
            port=plc.port,
            polling_group="north" if index < 2 else "south",
            poll_interval_seconds="0.25",
        )
        for index, plc in enumerate(plcs)
    ]

    with (
        running_plcs(plcs),
        running_worker(queues="plc-north", name="w1", concurrency=2),
        running_worker(queues="plc-south", name="w2", concurrency=2),
    ):
        # when each group's run is sent twice at once (a second beat kick,
        # a redelivered message), each worker running both copies
        results = [
            poll_group_task.apply_async(args=[group, 3], queue=f"plc-{group}")
            for group in ("north", "south", "north", "south")
        ]
        outcomes = [result.get(timeout=40) for result in results]
        for plc in plcs:
            plc.machine.stop()

    # then each group was polled by one poller only, the duplicates returned
    # at once, and the two workers shared the devices
    active = [outcome for outcome in outcomes if outcome["polls"]]
    assert sorted(outcome["group"] for outcome in active) == ["north", "south"]
    assert len({outcome["poller"].rsplit("-", 2)[1] for outcome in active}) == 2
    for outcome in active:
        # about 2 devices x 3 s / 0.25 s = 24; twice that if doubled
        assert 8 <= outcome["polls"] <= 30
    snapshots = PollerSnapshot.objects.filter(device__in=devices)
    by_group = {}
    for snapshot in snapshots.select_related("device"):
        by_group.setdefault(snapshot.device.polling_group, set()).add(snapshot.poller)
    assert all(len(pollers) == 1 for pollers in by_group.values())
    assert produced(devices) > 0


def test_beat_kick_starts_only_groups_nobody_polls():
    # given three devices in two groups, one of which has a live poller
    for group in ("east", "east", "west"):
        make_plc_device(polling_group=group)
    lock = polling.GroupLock("west")
    assert lock.acquire()

    # when beat's kick runs twice
    try:
        started = start_polling_task()
        again = start_polling_task()
    finally:
        lock.release()
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("plc-east")

    # then only the free group is sent to its queue, and the second kick,
    # with that message still waiting, adds nothing
    assert started == ["east"]
    assert again == []
