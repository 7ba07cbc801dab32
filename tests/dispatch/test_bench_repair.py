"""The repair benchmark: a breakdown, its proposal timed, everything undone."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dispatch.models import ProductionException, ScheduleRun, ScheduleVersion
from equipment.models import Machine
from planning.models import WorkOrderOperation


@pytest.mark.django_db
def test_bench_repair_times_a_proposal_and_leaves_nothing_behind():
    # given an empty plant
    out, err = StringIO(), StringIO()

    # when the benchmark breaks down a machine of 60 operations on 4 machines
    call_command("bench_repair", operations=60, machines=4, stdout=out, stderr=err)

    # then it prints one line: every operation rescheduled, the broken one moved
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert figures["operations"] == 60
    assert figures["machines"] == 4
    assert figures["broken_down"].startswith("REPAIR-M")
    assert figures["affected"] >= 1
    assert 0 < figures["proposal_seconds"] <= figures["time_limit"] + 5
    # and nothing it wrote is kept
    assert not WorkOrderOperation.objects.exists()
    assert not Machine.objects.exists()
    assert not ScheduleVersion.objects.exists()
    assert not ScheduleRun.objects.exists()
    assert not ProductionException.objects.exists()


@pytest.mark.django_db
def test_bench_repair_needs_a_published_schedule_to_repair():
    with pytest.raises(CommandError, match="No schedule is published"):
        call_command("bench_repair", operations=0, stdout=StringIO(), stderr=StringIO())
