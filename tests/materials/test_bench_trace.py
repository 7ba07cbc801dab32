"""The trace benchmark: builds its own small genealogy and reports one line."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from materials.management.commands.bench_trace import SCHEMA

# The build runs VACUUM, which needs to be outside a transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def test_bench_trace_prints_one_line_of_figures():
    # given a fresh benchmark schema of a thousand lots
    out, err = StringIO(), StringIO()

    # when the benchmark runs
    call_command(
        "bench_trace", lots=1000, samples=20, rebuild=True, stdout=out, stderr=err
    )

    # then it prints one JSON line with the figures the issue asks for
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert figures["lots"] == 1000
    assert figures["links"] > 1000
    for name in ("backward", "forward", "bulk_forward"):
        assert figures[f"{name}_p50_ms"] > 0
        assert figures[f"{name}_p95_ms"] >= figures[f"{name}_p50_ms"]
    assert figures["bulk_mean_lots_returned"] > figures["mean_lots_returned"] > 1
    call_command("bench_trace", drop=True, stderr=err)
    assert f"Dropped schema {SCHEMA}" in err.getvalue()
