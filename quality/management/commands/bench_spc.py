"""Benchmark of SPC analysis on a large synthetic measurement history."""

import json
import statistics
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from materials.models import Item, ItemKind, UnitOfMeasure
from mes.roles import Role
from quality import queries
from quality.models import Characteristic, QualityStandard, StandardStatus

SUBGROUP_SIZE = 5
CHUNK_CHARACTERISTICS = 50
POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)

# One row of a binary COPY into quality_measurement
# (characteristic_id, subgroup, value, taken_at).
_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("length_1", ">i4"),
        ("characteristic", ">i8"),
        ("length_2", ">i4"),
        ("subgroup", ">i4"),
        ("length_3", ">i4"),
        ("value", ">f8"),
        ("length_4", ">i4"),
        ("taken_at", ">i8"),
    ]
)
_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_TRAILER = (-1).to_bytes(2, "big", signed=True)


class _Rollback(Exception):
    """Leaves the benchmark's transaction, so no synthetic row stays behind."""


class Command(BaseCommand):
    help = (
        "Build a synthetic measurement history of N characteristics with M "
        "values each (subgroups of five), then time the SPC analysis of all "
        "of them (reading the history, control limits, run rules, Cp / Cpk) "
        "and the rendering of one control chart page. Run it to check the "
        "SPC figures after changes; everything is rolled back at the end. "
        "Prints one JSON line."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--characteristics", type=int, default=100)
        parser.add_argument("--samples", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--chart-requests", type=int, default=5)

    def handle(self, *args: object, **options: Any) -> None:
        count, samples = options["characteristics"], options["samples"]
        if count < 1 or samples < 2 * SUBGROUP_SIZE:
            raise CommandError(
                f"Use at least 1 characteristic and {2 * SUBGROUP_SIZE} samples."
            )
        figures: dict[str, Any] = {"characteristics": count, "samples": samples}
        try:
            with transaction.atomic():
                self._run(figures, options)
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write(json.dumps(figures))

    def _run(self, figures: dict[str, Any], options: dict[str, Any]) -> None:
        count, samples = options["characteristics"], options["samples"]
        started = time.perf_counter()
        characteristics = self._characteristics(count)
        self._fill(characteristics, samples, np.random.default_rng(options["seed"]))
        figures["build_seconds"] = round(time.perf_counter() - started, 2)

        started = time.perf_counter()
        history = queries.load_measurements(item.pk for item in characteristics)
        loaded = time.perf_counter()
        results = queries.analyse_loaded(characteristics, history)
        finished = time.perf_counter()
        figures["load_seconds"] = round(loaded - started, 2)
        figures["analysis_seconds"] = round(finished - started, 2)
        figures["values_analysed"] = int(sum(result.count for result in results))
        figures["flagged_points"] = int(sum(r.violation_count for r in results))
        cpks = [
            r.analysis.capability.cpk
            for r in results
            if r.analysis and r.analysis.capability.cpk is not None
        ]
        figures["median_cpk"] = round(statistics.median(cpks), 3) if cpks else None

        figures["chart_ms"] = self._chart_ms(
            characteristics[0], options["chart_requests"]
        )

    def _characteristics(self, count: int) -> list[Characteristic]:
        from django.contrib.auth.models import Group, User

        user = User.objects.create_user("bench-spc-inspector")
        group, _created = Group.objects.get_or_create(name=Role.QUALITY)
        user.groups.add(group)
        self._user = user
        unit, _created = UnitOfMeasure.objects.get_or_create(
            code="pcs", defaults={"name": "Pieces"}
        )
        item = Item.objects.create(
            code="BENCH-SPC",
            name="SPC benchmark",
            kind=ItemKind.SEMI_FINISHED,
            unit=unit,
        )
        standard = QualityStandard.objects.create(
            code="BENCH-SPC",
            name="SPC benchmark",
            item=item,
            status=StandardStatus.RELEASED,
            created_by=user,
        )
        return Characteristic.objects.bulk_create(
            Characteristic(
                standard=standard,
                sequence=index,
                name=f"Dimension {index}",
                kind="variable",
                decimals=3,
                nominal=Decimal("10"),
                lower_limit=Decimal("9.9"),
                upper_limit=Decimal("10.1"),
                subgroup_size=SUBGROUP_SIZE,
            )
            for index in range(count)
        )

    def _fill(
        self,
        characteristics: list[Characteristic],
        samples: int,
        generator: np.random.Generator,
    ) -> None:
        """Write the values with binary COPY: normal noise, some with a drift."""
        total = len(characteristics)
        start = int((datetime.now(UTC) - POSTGRES_EPOCH).total_seconds() * 1e6)
        with connection.cursor() as cursor:
            sql = (
                "COPY quality_measurement (characteristic_id, subgroup, value, "
                "taken_at) FROM STDIN (FORMAT BINARY)"
            )
            with cursor.cursor.copy(sql) as copy:
                copy.write(_HEADER)
                for first in range(0, total, CHUNK_CHARACTERISTICS):
                    chunk = characteristics[first : first + CHUNK_CHARACTERISTICS]
                    copy.write(self._rows(chunk, samples, generator, start).tobytes())
                    done = min(first + CHUNK_CHARACTERISTICS, total)
                    sys.stderr.write(f"\rbuilding history: {done}/{total}")
                    sys.stderr.flush()
                copy.write(_TRAILER)
        sys.stderr.write("\n")

    def _rows(
        self,
        chunk: list[Characteristic],
        samples: int,
        generator: np.random.Generator,
        start: int,
    ) -> np.ndarray:
        rows = np.zeros(len(chunk) * samples, dtype=_ROW)
        rows["fields"] = 4
        rows["length_1"] = 8
        rows["length_2"] = 4
        rows["length_3"] = 8
        rows["length_4"] = 8
        index = np.arange(samples)
        for position, characteristic in enumerate(chunk):
            block = slice(position * samples, (position + 1) * samples)
            sigma = generator.uniform(0.01, 0.03)
            values = generator.normal(10.0, sigma, samples)
            if position % 3 == 0:
                values += np.linspace(0, 2 * sigma, samples)
            rows["characteristic"][block] = characteristic.pk
            rows["subgroup"][block] = index // SUBGROUP_SIZE + 1
            rows["value"][block] = np.round(values, 3)
            rows["taken_at"][block] = start + index * 60_000_000
        return rows

    def _chart_ms(self, characteristic: Characteristic, requests: int) -> float:
        client = Client(HTTP_HOST="localhost")
        client.force_login(self._user)
        url = reverse("quality:characteristic-chart", args=[characteristic.pk])
        timings = []
        for _attempt in range(max(requests, 1) + 1):
            started = time.perf_counter()
            response = client.get(url, secure=True)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"The chart page answered {response.status_code}.")
        # The first request warms caches (templates, translations).
        return round(statistics.median(timings[1:]), 1)
