"""Quality reports, their export, and SPC alerts from new measurements."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from quality import alerts, inspections, nonconformances, reports
from quality.models import Measurement, SpcAlert
from tests.factories import DEFAULT_PASSWORD
from tests.factories.materials import make_item, make_location, make_lot, make_supplier
from tests.factories.quality import (
    make_attribute,
    make_characteristic,
    make_nonconformance,
    make_plan,
    make_standard,
)

pytestmark = pytest.mark.django_db


def inspected(quality_inspector, failing_samples, supplier=None, defect=False):
    """A decided receipt inspection of 5 samples with some failing."""
    item = make_item()
    standard = make_standard("released", item=item)
    characteristic = (
        make_attribute(standard) if defect else make_characteristic(standard)
    )
    plan = make_plan(standard, sample_size=5, holds_lot_on_failure=False)
    lot = make_lot(item, 100, make_location(), supplier=supplier)
    order = inspections.create_order(plan, "lot", lot=lot, lot_size=100)
    code = characteristic.defect_codes.first()
    data = {}
    for field in inspections.entry_fields(order):
        failing = field.sample_number in failing_samples
        if defect:
            data[field.name] = str(code.pk) if failing else "ok"
        else:
            data[field.name] = "10.200" if failing else "10.000"
    inspections.sign_order(order, quality_inspector, data, DEFAULT_PASSWORD)
    return order


def test_first_pass_yield_counts_conforming_units(quality_inspector):
    order = inspected(quality_inspector, {2})

    table = reports.first_pass_yield()

    assert table.rows == [[order.item.code, "", "", 1, 5, 1, 80.0]]


def test_defect_pareto_sorts_and_accumulates(quality_inspector):
    inspected(quality_inspector, {1, 2, 3}, defect=True)
    inspected(quality_inspector, {1})

    table = reports.defect_pareto()

    assert [row[1] for row in table.rows] == [3, 1]
    assert table.rows[0][3] == 75.0
    assert table.rows[1][3] == 100.0
    assert table.rows[1][0].startswith("Out of tolerance")


def test_supplier_quality_from_receipt_inspections(quality_inspector):
    supplier = make_supplier()
    inspected(quality_inspector, set(), supplier=supplier)
    inspected(quality_inspector, {1, 2}, supplier=supplier)

    (row,) = reports.supplier_quality().rows

    assert row[1:] == [2, 1, 50.0, 10, 2, 200000]


def test_cost_of_poor_quality_by_disposition(quality_inspector):
    report = make_nonconformance(quantity=Decimal("4"), unit_cost=Decimal("12.50"))
    nonconformances.disposition(report, quality_inspector, "scrap")

    table = reports.cost_of_poor_quality()

    assert table.rows[0] == [report.item.code, "Scrap", Decimal("4"), Decimal("50.00")]
    assert table.rows[-1][-1] == Decimal("50.00")


def test_reports_export_as_csv_and_excel(client, quality_inspector):
    inspected(quality_inspector, {2})
    client.force_login(quality_inspector)
    url = reverse("quality:report-export", args=["first-pass-yield"])

    response = client.get(url, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Item"
    assert rows[1][-1] == "80.0"

    response = client.get(url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=7).value == 80.0

    page = client.get(reverse("quality:report", args=["defect-pareto"]))
    assert page.status_code == 200
    assert client.get(reverse("quality:report", args=["nope"])).status_code == 404


def test_a_broken_run_rule_raises_one_alert(quality_inspector):
    # given stable history with kept limits, then a point far above
    characteristic = make_characteristic(subgroup_size=1)
    generator = np.random.default_rng(5)
    start = timezone.now() - timedelta(days=1)
    values = list(generator.normal(10.0, 0.005, 30)) + [10.045]
    Measurement.objects.bulk_create(
        Measurement(
            characteristic=characteristic,
            subgroup=index + 1,
            value=float(value),
            taken_at=start + timedelta(minutes=index),
        )
        for index, value in enumerate(values)
    )

    # when the characteristic is checked (twice)
    raised = alerts.check_characteristics([characteristic.pk])
    alerts.check_characteristics([characteristic.pk])

    # then rule 1 raised one alert on the last subgroup
    assert [(alert.rule, alert.subgroup) for alert in raised if alert.rule == 1] == [
        (1, 31)
    ]
    assert SpcAlert.objects.filter(rule=1).count() == 1


def test_alerts_are_acknowledged_once(client, supervisor):
    characteristic = make_characteristic()
    alert = SpcAlert.objects.create(
        characteristic=characteristic, rule=2, subgroup=9, value=10.0
    )
    client.force_login(supervisor)
    home = client.get(reverse("quality:home"))
    assert "Rule" in home.content.decode()

    client.post(reverse("quality:alert-acknowledge", args=[alert.pk]))

    alert.refresh_from_db()
    assert alert.acknowledged_by == supervisor


def test_report_periods_filter_and_ignore_bad_dates(client, quality_inspector):
    inspected(quality_inspector, {2})
    client.force_login(quality_inspector)
    url = reverse("quality:report", args=["first-pass-yield"])
    today = timezone.localdate()

    assert "80.0" in client.get(url, {"from": today.isoformat()}).content.decode()
    later = (today + timedelta(days=2)).isoformat()
    assert "80.0" not in client.get(url, {"from": later}).content.decode()
    assert client.get(url, {"from": "2026-13-45", "to": "nonsense"}).status_code == 200
