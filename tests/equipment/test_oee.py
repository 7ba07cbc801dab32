"""OEE, MTBF and MTTR on hand-computed cases, the report and its exports."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from equipment import oee
from equipment.models import (
    DowntimeEvent,
    DowntimeReason,
    FaultReport,
    MaintenanceOrder,
    ProductionCount,
    StateInterval,
)
from tests.factories.equipment import (
    make_area,
    make_machine,
    make_plc_device,
    make_shift_pattern,
    make_site,
    make_work_center,
)

DAY = datetime(2026, 12, 7, tzinfo=UTC)  # a Monday


def at(hour, minute=0):
    return DAY + timedelta(hours=hour, minutes=minute)


def machine_on_utc_day_shift(**fields):
    site = make_site(time_zone="UTC")
    pattern = make_shift_pattern([("Day", "1234567", "08:00", "16:00")])
    work_center = make_work_center(area=make_area(site=site), shift_pattern=pattern)
    return make_machine(
        work_center=work_center, ideal_cycle_seconds=Decimal("60"), **fields
    )


def test_oee_of_a_plc_machine_on_a_hand_computed_shift(db):
    # given an 8 hour shift (08-16); the machine ran 07-09 and 10-15.5,
    # made 300 good and 20 scrap parts at an ideal cycle of 60 s
    machine = machine_on_utc_day_shift()
    make_plc_device(machine=machine)
    StateInterval.objects.create(
        machine=machine, state="running", started_at=at(7), ended_at=at(9)
    )
    StateInterval.objects.create(
        machine=machine, state="stopped", started_at=at(9), ended_at=at(10)
    )
    StateInterval.objects.create(
        machine=machine, state="running", started_at=at(10), ended_at=at(15, 30)
    )
    ProductionCount.objects.create(
        machine=machine, period_start=at(11), good=300, scrap=20
    )

    # when OEE for the day is computed
    figures = oee.machine_oee([machine], DAY, DAY + timedelta(days=1))[machine.pk]

    # then availability = 6.5 h / 8 h, performance = 320 min / 390 min,
    # quality = 300 / 320
    assert figures.planned_seconds == 8 * 3600
    assert figures.run_seconds == 6.5 * 3600
    assert figures.availability == pytest.approx(0.8125)
    assert figures.performance == pytest.approx(320 / 390)
    assert figures.quality == pytest.approx(300 / 320)
    assert figures.oee == pytest.approx(0.8125 * 320 / 390 * 300 / 320)
    losses = dict(figures.losses())
    assert losses["Availability loss"] == 1.5 * 3600
    assert losses["Quality loss"] == 20 * 60


def test_oee_of_a_machine_without_plc_uses_manual_downtime(db):
    # given a manual machine with a 2 hour stop and 240 good parts reported
    machine = machine_on_utc_day_shift()
    DowntimeEvent.objects.create(
        machine=machine, started_at=at(12), ended_at=at(14), source="manual"
    )
    ProductionCount.objects.create(
        machine=machine, period_start=at(9), good=240, scrap=0, source="manual"
    )

    # when OEE is computed
    figures = oee.machine_oee([machine], DAY, DAY + timedelta(days=1))[machine.pk]

    # then run time is 6 of 8 hours and performance 240 min / 360 min
    assert figures.availability == pytest.approx(0.75)
    assert figures.performance == pytest.approx(240 / 360)
    assert figures.quality == 1


def test_mtbf_and_mttr_on_a_hand_computed_case(db):
    # given 8 planned hours and two stopping faults repaired in 30 and 90 min
    machine = machine_on_utc_day_shift()
    for start, minutes, category in (
        (at(9), 30, "mechanical"),
        (at(13), 90, "electrical"),
    ):
        report = FaultReport.objects.create(
            machine=machine,
            description="x",
            reported_at=start,
            failure_category=category,
        )
        MaintenanceOrder.objects.create(
            number=f"MO-T{minutes}",
            machine=machine,
            kind="repair",
            status="completed",
            fault_report=report,
            due_at=start,
            finished_at=start + timedelta(minutes=minutes),
        )

    # when reliability over the day is computed
    [row] = oee.reliability([machine], DAY, DAY + timedelta(days=1))
    by_category = oee.reliability(
        [machine], DAY, DAY + timedelta(days=1), by_category=True
    )

    # then MTTR = 120 min / 2 = 1 h and MTBF = (8 h - 2 h) / 2 = 3 h
    assert row.failures == 2
    assert row.mttr_hours == pytest.approx(1.0)
    assert row.mtbf_hours == pytest.approx(3.0)
    assert [(r.category, r.mttr_hours) for r in by_category] == [
        ("electrical", 1.5),
        ("mechanical", 0.5),
    ]


def test_downtime_pareto_orders_reasons_by_time(db):
    # given three stops: two unclassified (1 h, 20 min) and... one of 30 min
    machine = machine_on_utc_day_shift()
    DowntimeEvent.objects.create(machine=machine, started_at=at(8), ended_at=at(9))
    DowntimeEvent.objects.create(
        machine=machine, started_at=at(10), ended_at=at(10, 20)
    )
    DowntimeEvent.objects.create(
        machine=machine, started_at=at(11), ended_at=at(11, 30), kind="micro_stop"
    )

    # when the Pareto is built
    bars = oee.downtime_pareto([machine.pk], DAY, DAY + timedelta(days=1))

    # then micro-stops are left out and the unclassified bar holds 80 minutes
    assert [(bar.label, bar.seconds, bar.events) for bar in bars] == [
        ("Unclassified", 80 * 60, 2)
    ]
    assert bars[0].cumulative == 1


def test_oee_page_and_exports(client, supervisor):
    # given a machine with counts today
    machine = machine_on_utc_day_shift(code="X01")
    ProductionCount.objects.create(
        machine=machine,
        period_start=timezone.now().replace(second=0, microsecond=0),
        good=12,
        scrap=1,
    )
    client.force_login(supervisor)

    # when the report and both exports are asked
    page = client.get(reverse("equipment:oee"), {"days": 7})
    as_csv = client.get(reverse("equipment:oee-export"), {"days": 7})
    as_excel = client.get(
        reverse("equipment:oee-export"), {"days": 7, "format": "xlsx"}
    )

    # then the page shows the machine and the files hold its counts
    assert "X01" in page.text
    assert "Downtime Pareto" in page.text
    rows = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert rows[0][0] == "Machine"
    assert [row[4:6] for row in rows if row[0] == "X01"] == [["12", "1"]]
    sheet = load_workbook(io.BytesIO(as_excel.content)).active
    values = [row for row in sheet.iter_rows(values_only=True) if row[0] == "X01"]
    assert values[0][4:6] == (12, 1)


def test_oee_per_shift_sums_each_shift_over_the_days(db):
    # given early and late shifts; on two days the machine ran 6 h of the
    # early shift and 2 h of the late one, no parts counted
    site = make_site(time_zone="UTC")
    pattern = make_shift_pattern(
        [("Early", "1234567", "06:00", "14:00"), ("Late", "1234567", "14:00", "22:00")]
    )
    work_center = make_work_center(area=make_area(site=site), shift_pattern=pattern)
    machine = make_machine(work_center=work_center, ideal_cycle_seconds=Decimal(60))
    make_plc_device(machine=machine)
    for day in (0, 1):
        StateInterval.objects.create(
            machine=machine,
            state="running",
            started_at=at(6) + timedelta(days=day),
            ended_at=at(12) + timedelta(days=day),
        )
        StateInterval.objects.create(
            machine=machine,
            state="running",
            started_at=at(14) + timedelta(days=day),
            ended_at=at(16) + timedelta(days=day),
        )

    # when OEE per shift is asked for the two days
    shifts = dict(oee.oee_by_shift([machine], DAY, DAY + timedelta(days=2)))

    # then availability is 12/16 h early and 4/16 h late
    assert shifts["Early"].availability == pytest.approx(0.75)
    assert shifts["Late"].availability == pytest.approx(0.25)


def test_report_lists_mtbf_and_mttr_by_failure_category(client, supervisor):
    # given a stopping electrical fault reported an hour ago, repaired
    machine = machine_on_utc_day_shift(code="Y01")
    reported = timezone.now() - timedelta(hours=1)
    report = FaultReport.objects.create(
        machine=machine,
        description="Drive tripped",
        reported_at=reported,
        failure_category="electrical",
    )
    MaintenanceOrder.objects.create(
        number="MO-T99",
        machine=machine,
        kind="repair",
        status="completed",
        fault_report=report,
        due_at=reported,
        finished_at=reported + timedelta(minutes=30),
    )
    client.force_login(supervisor)

    # when the report is opened
    response = client.get(reverse("equipment:oee"))

    # then the category table names the electrical failure and its MTTR
    rows = response.context["reliability_by_category"]
    assert [(row.machine.code, row.category_label, row.mttr_hours) for row in rows] == [
        ("Y01", "Electrical", 0.5)
    ]
    assert "By failure category" in response.text


def test_stops_with_a_planned_reason_leave_planned_production_time(db):
    # given the 8 hour shift with a 1 hour stop for planned maintenance, and
    # the machine running the other 7 hours
    machine = machine_on_utc_day_shift()
    make_plc_device(machine=machine)
    planned = DowntimeReason.objects.create(
        code="PM-T", name="Planned maintenance", category="maintenance", is_planned=True
    )
    DowntimeEvent.objects.create(
        machine=machine, started_at=at(12), ended_at=at(13), reason=planned
    )
    StateInterval.objects.create(
        machine=machine, state="running", started_at=at(8), ended_at=at(12)
    )
    StateInterval.objects.create(
        machine=machine, state="running", started_at=at(13), ended_at=at(16)
    )

    # when OEE is computed
    figures = oee.machine_oee([machine], DAY, DAY + timedelta(days=1))[machine.pk]

    # then planned time is 7 hours and availability full
    assert figures.planned_seconds == 7 * 3600
    assert figures.availability == 1
