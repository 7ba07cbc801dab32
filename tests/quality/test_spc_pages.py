"""SPC pages: baselines, the control chart of a characteristic, Cpk table."""

from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from quality import services
from quality.models import Measurement, QualityError
from tests.factories.quality import make_characteristic

pytestmark = pytest.mark.django_db


def record_history(characteristic, values, start=None):
    start = start or timezone.now() - timedelta(days=10)
    size = characteristic.subgroup_size
    Measurement.objects.bulk_create(
        Measurement(
            characteristic=characteristic,
            subgroup=index // size + 1,
            value=float(value),
            taken_at=start + timedelta(minutes=index),
        )
        for index, value in enumerate(values)
    )
    return start


def test_control_limits_from_a_chosen_baseline(quality_inspector):
    # given three subgroups of five (means 12, 11, 13; ranges 4, 2, 2)
    characteristic = make_characteristic()
    values = [10, 12, 11, 13, 14, 11, 11, 12, 10, 11, 13, 12, 14, 12, 14]
    start = record_history(characteristic, values)

    # when the baseline covers them
    services.set_control_limits(
        characteristic, quality_inspector, start, start + timedelta(hours=1)
    )

    # then the limits are kept with the characteristic
    characteristic.refresh_from_db()
    assert characteristic.control_limits["center"] == pytest.approx(12.0)
    assert characteristic.control_limits["upper"] == pytest.approx(13.53867, abs=1e-5)


def test_a_baseline_without_enough_values_is_refused(quality_inspector):
    characteristic = make_characteristic()
    start = record_history(characteristic, [10, 11, 12])
    with pytest.raises(QualityError, match="at least 10 are needed"):
        services.set_control_limits(
            characteristic, quality_inspector, start, start + timedelta(hours=1)
        )
    characteristic.refresh_from_db()
    assert characteristic.control_limits == {}


def test_chart_page_draws_limits_and_flags_a_shift(client, quality_inspector):
    # given a stable history followed by a shift
    characteristic = make_characteristic()
    generator = np.random.default_rng(3)
    values = np.concatenate(
        [generator.normal(10.0, 0.01, 200), generator.normal(10.04, 0.01, 50)]
    )
    record_history(characteristic, np.round(values, 3))
    client.force_login(quality_inspector)

    # when the chart page is opened
    response = client.get(
        reverse("quality:characteristic-chart", args=[characteristic.pk])
    )

    # then the SVG chart shows flagged points and a rule is named
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page
    assert "spc-flagged" in page
    assert "One point beyond 3 sigma" in page
    assert "Cpk" in page

    overview = client.get(reverse("quality:spc-overview"))
    assert characteristic.name in overview.content.decode()


def test_pass_fail_checks_get_an_np_chart(client, quality_inspector):
    # given three decided inspections of 5 units with 0, 1 and 4 defects
    from quality import inspections
    from tests.factories import DEFAULT_PASSWORD
    from tests.factories.materials import make_lot
    from tests.factories.quality import make_attribute, make_plan, make_standard

    standard = make_standard("released")
    characteristic = make_attribute(standard)
    plan = make_plan(standard, sample_size=5, holds_lot_on_failure=False)
    defect = characteristic.defect_codes.get()
    for number, failing in enumerate((0, 1, 4)):
        lot = make_lot(standard.item, 50)
        order = inspections.create_order(plan, f"t{number}", lot=lot, lot_size=50)
        data = {
            field.name: str(defect.pk) if field.sample_number <= failing else "ok"
            for field in inspections.entry_fields(order)
        }
        inspections.sign_order(order, quality_inspector, data, DEFAULT_PASSWORD)
    client.force_login(quality_inspector)

    # when its chart is opened
    response = client.get(
        reverse("quality:characteristic-chart", args=[characteristic.pk])
    )

    # then an np chart with centre 5/3 is drawn
    page = response.content.decode()
    assert "np chart" in page
    assert "<svg" in page
    assert "1.7" in page


def test_bench_spc_prints_one_json_line():
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "bench_spc", characteristics=3, samples=50, chart_requests=1, stdout=out
    )

    figures = json.loads(out.getvalue())
    assert figures["characteristics"] == 3
    assert figures["values_analysed"] == 150
    assert {"analysis_seconds", "chart_ms", "build_seconds"} <= set(figures)
    assert not Measurement.objects.exists()


def test_the_cpk_table_is_cached_until_new_limits(
    quality_inspector, django_capture_on_commit_callbacks
):
    from quality import queries

    characteristic = make_characteristic()
    start = record_history(characteristic, np.linspace(9.99, 10.01, 100))
    first = queries.capability_summary()
    Measurement.objects.all().delete()
    assert queries.capability_summary() == first

    record_history(characteristic, [10.0, 10.01] * 30, start)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_control_limits(
            characteristic, quality_inspector, start, start + timedelta(days=1)
        )
    assert queries.capability_summary()[0].count == 60
