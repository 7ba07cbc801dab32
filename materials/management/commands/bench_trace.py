"""Benchmark of lot genealogy traces on a large synthetic history."""

import json
import random
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from materials.genealogy import trace_backward, trace_forward

SCHEMA = "materials_bench"

# Shares of the lots on each level; bulk lots (paint, coolant) are one in
# BULK_EVERY lots and each feeds hundreds of intermediate lots.
RAW_SHARE = 0.40
INTERMEDIATE_SHARE = 0.25
SUBASSEMBLY_SHARE = 0.20
BULK_EVERY = 2000
# How far around its "own" position a lot picks its inputs: gives fan-in,
# fan-out and overlapping trees like real production runs.
WINDOW = 12

CREATE_TABLES = """
DROP SCHEMA IF EXISTS {schema} CASCADE;
CREATE SCHEMA {schema};
CREATE TABLE {schema}.materials_item
    (LIKE public.materials_item INCLUDING DEFAULTS);
CREATE TABLE {schema}.materials_lot
    (LIKE public.materials_lot INCLUDING DEFAULTS);
CREATE TABLE {schema}.materials_lotlink
    (LIKE public.materials_lotlink INCLUDING DEFAULTS INCLUDING IDENTITY);
CREATE TABLE {schema}.bench_info (lots bigint, links bigint, build_seconds float);
"""

INSERT_ITEMS = """
INSERT INTO {schema}.materials_item
    (id, code, name, kind, unit_id, is_lot_controlled, description, is_active,
     lead_time_days, reorder_point, reorder_quantity,
     requires_incoming_inspection)
VALUES
    (1, 'BULK', 'Paint', 'raw', 1, true, '', true, 0, 0, 0, false),
    (2, 'RAW', 'Casting', 'raw', 1, true, '', true, 0, 0, 0, false),
    (3, 'INT', 'Turned housing', 'semi', 1, true, '', true, 0, 0, 0, false),
    (4, 'SUB', 'Machined housing', 'semi', 1, true, '', true, 0, 0, 0, false),
    (5, 'FIN', 'Tested housing', 'finished', 1, true, '', true, 0, 0, 0, false)
"""

# Lot ids are laid out level by level: bulk, raw, intermediate, sub, finished.
INSERT_LOTS = """
INSERT INTO {schema}.materials_lot
    (id, code, item_id, status, initial_quantity, supplier_lot_code,
     reference, created_at)
SELECT id, 'B' || lpad(id::text, 8, '0'),
       CASE WHEN id <= %(bulk)s THEN 1
            WHEN id <= %(raw_end)s THEN 2
            WHEN id <= %(int_end)s THEN 3
            WHEN id <= %(sub_end)s THEN 4
            ELSE 5 END,
       CASE WHEN id > %(sub_end)s THEN 'available' ELSE 'consumed' END,
       100, '', '', now()
FROM generate_series(1, %(lots)s) AS id
"""

# Each level's lot k takes inputs from the level below around position
# k * (size below / size here), within WINDOW; repeated pairs are merged.
INSERT_LINKS = """
INSERT INTO {schema}.materials_lotlink (parent_id, child_id, quantity, reference,
                                        linked_at)
SELECT parent_id, child_id, SUM(quantity), '', now()
FROM (
    SELECT %(below_start)s + LEAST(
               %(below_size)s - 1,
               FLOOR((child - %(here_start)s)::float8 * %(below_size)s
                     / %(here_size)s)::bigint
               + FLOOR(random() * %(window)s)::bigint
           ) AS parent_id,
           child AS child_id,
           1 AS quantity
    FROM generate_series(%(here_start)s, %(here_start)s + %(here_size)s - 1)
         AS child,
         generate_series(1, %(fan_in)s) AS pick
) picks
GROUP BY parent_id, child_id
"""

INSERT_BULK_LINKS = """
INSERT INTO {schema}.materials_lotlink (parent_id, child_id, quantity, reference,
                                        linked_at)
SELECT 1 + FLOOR((child - %(here_start)s)::float8 * %(bulk)s / %(here_size)s)::bigint,
       child, 1, '', now()
FROM generate_series(%(here_start)s, %(here_start)s + %(here_size)s - 1) AS child
"""

CREATE_INDEXES = """
ALTER TABLE {schema}.materials_item ADD PRIMARY KEY (id);
ALTER TABLE {schema}.materials_lot ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON {schema}.materials_lotlink (parent_id, child_id)
    INCLUDE (quantity);
CREATE INDEX ON {schema}.materials_lotlink (child_id, parent_id) INCLUDE (quantity);
"""


class Command(BaseCommand):
    help = (
        "Time backward and forward lot traces on a synthetic genealogy of N "
        "lots (bulk and raw lots merged into intermediates, split into "
        "finished lots) kept in the separate schema materials_bench. Run it "
        "to check that traces stay fast on large histories; the data set is "
        "reused when it already has N lots. Prints one JSON line."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--lots", type=int, default=100_000)
        parser.add_argument("--samples", type=int, default=400)
        parser.add_argument("--seed", type=int, default=20261203)
        parser.add_argument(
            "--rebuild", action="store_true", help="Build the data set anew."
        )
        parser.add_argument(
            "--drop", action="store_true", help="Drop the benchmark schema and stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lots = options["lots"]
        if options["drop"]:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            self.stderr.write(f"Dropped schema {SCHEMA}.")
            return
        if lots < 1000:
            raise CommandError("--lots must be at least 1000.")
        if "materials_lotlink" not in connection.introspection.table_names():
            raise CommandError(
                "The materials tables are missing: run `manage.py migrate` first."
            )

        info = None if options["rebuild"] else self._existing(lots)
        reused = info is not None
        links, build_seconds = info or self._build(lots, options["seed"])

        # The same trace functions the pages use, on the benchmark tables.
        with connection.cursor() as cursor:
            cursor.execute(f"SET search_path TO {SCHEMA}, public")
        try:
            figures = self._time_traces(lots, options["samples"], options["seed"])
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET search_path TO public")

        result = {
            "lots": lots,
            "links": links,
            **figures,
            "build_seconds": round(build_seconds, 1),
            "reused": reused,
        }
        self.stdout.write(json.dumps(result))

    def _existing(self, lots: int) -> tuple[int, float] | None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = %s AND table_name = 'bench_info'",
                [SCHEMA],
            )
            if cursor.fetchone() is None:
                return None
            cursor.execute(
                f"SELECT lots, links, build_seconds FROM {SCHEMA}.bench_info"
            )
            row = cursor.fetchone()
        if row is None or row[0] != lots:
            return None
        self.stderr.write(f"Reusing the data set of {lots} lots in {SCHEMA}.")
        return row[1], row[2]

    def _build(self, lots: int, seed: int) -> tuple[int, float]:
        started = time.perf_counter()
        bulk = max(1, lots // BULK_EVERY)
        raw = int(lots * RAW_SHARE)
        intermediate = int(lots * INTERMEDIATE_SHARE)
        subassembly = int(lots * SUBASSEMBLY_SHARE)
        raw_start = bulk + 1
        int_start = raw_start + raw
        sub_start = int_start + intermediate
        fin_start = sub_start + subassembly
        finished = lots - fin_start + 1
        levels = [
            # (inputs from, size below, lots here, size here, inputs each)
            ("raw -> intermediate", raw_start, raw, int_start, intermediate, 3),
            ("intermediate -> sub", int_start, intermediate, sub_start, subassembly, 2),
            ("sub -> finished", sub_start, subassembly, fin_start, finished, 2),
            ("raw -> finished", raw_start, raw, fin_start, finished, 1),
        ]
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
            self._step(cursor, "tables", CREATE_TABLES.format(schema=SCHEMA))
            cursor.execute(INSERT_ITEMS.format(schema=SCHEMA))
            self._step(
                cursor,
                f"{lots} lots",
                INSERT_LOTS.format(schema=SCHEMA),
                {
                    "bulk": bulk,
                    "raw_end": int_start - 1,
                    "int_end": sub_start - 1,
                    "sub_end": fin_start - 1,
                    "lots": lots,
                },
            )
            for name, below_start, below_size, here_start, here_size, fan_in in levels:
                self._step(
                    cursor,
                    f"links {name}",
                    INSERT_LINKS.format(schema=SCHEMA),
                    {
                        "below_start": below_start,
                        "below_size": below_size,
                        "here_start": here_start,
                        "here_size": here_size,
                        "window": WINDOW,
                        "fan_in": fan_in,
                    },
                )
            self._step(
                cursor,
                "links bulk -> intermediate",
                INSERT_BULK_LINKS.format(schema=SCHEMA),
                {"bulk": bulk, "here_start": int_start, "here_size": intermediate},
            )
            self._step(cursor, "indexes", CREATE_INDEXES.format(schema=SCHEMA))
            self._step(cursor, "analyze", f"VACUUM ANALYZE {SCHEMA}.materials_lotlink")
            cursor.execute(f"VACUUM ANALYZE {SCHEMA}.materials_lot")
            cursor.execute(f"VACUUM ANALYZE {SCHEMA}.materials_item")
            cursor.execute(f"SELECT COUNT(*) FROM {SCHEMA}.materials_lotlink")
            links = cursor.fetchone()[0]
            build_seconds = time.perf_counter() - started
            cursor.execute(
                f"INSERT INTO {SCHEMA}.bench_info VALUES (%s, %s, %s)",
                [lots, links, build_seconds],
            )
        return links, build_seconds

    def _step(self, cursor: Any, name: str, sql: str, params: Any = None) -> None:
        started = time.perf_counter()
        self.stderr.write(f"building {name} ...", ending="")
        self.stderr.flush()
        cursor.execute(sql, params)
        self.stderr.write(f" {time.perf_counter() - started:.1f} s")

    def _time_traces(self, lots: int, samples: int, seed: int) -> dict[str, Any]:
        rng = random.Random(seed)
        lot_ids = [rng.randint(1, lots) for _ in range(samples)]
        for lot_id in lot_ids[:20]:
            trace_backward(lot_id)
            trace_forward(lot_id)

        figures: dict[str, Any] = {}
        returned: list[int] = []
        for name, function in (
            ("backward", trace_backward),
            ("forward", trace_forward),
        ):
            timings = []
            for index, lot_id in enumerate(lot_ids, start=1):
                started = time.perf_counter()
                result = function(lot_id)
                timings.append((time.perf_counter() - started) * 1000)
                returned.append(len(result.lots))
                if index % 100 == 0:
                    self.stderr.write(f"{name}: {index}/{samples} traces")
            timings.sort()
            figures[f"{name}_p50_ms"] = round(statistics.median(timings), 2)
            figures[f"{name}_p95_ms"] = round(timings[int(len(timings) * 0.95)], 2)
            figures[f"{name}_max_ms"] = round(timings[-1], 2)
        figures["samples"] = samples

        # The heaviest traces: forward from bulk lots feeding hundreds.
        bulk_lots = max(1, lots // BULK_EVERY)
        bulk_ids = [rng.randint(1, bulk_lots) for _ in range(max(20, samples // 10))]
        for lot_id in bulk_ids[:5]:
            trace_forward(lot_id)
        bulk_timings, bulk_returned = [], []
        for lot_id in bulk_ids:
            started = time.perf_counter()
            result = trace_forward(lot_id)
            bulk_timings.append((time.perf_counter() - started) * 1000)
            bulk_returned.append(len(result.lots))
        bulk_timings.sort()
        # The median too: with a few dozen samples the p95 is nearly the
        # maximum, and on a shared machine that swings from run to run.
        figures["bulk_forward_p50_ms"] = round(statistics.median(bulk_timings), 2)
        figures["bulk_forward_p95_ms"] = round(
            bulk_timings[int(len(bulk_timings) * 0.95)], 2
        )
        figures["bulk_samples"] = len(bulk_timings)
        figures["bulk_mean_lots_returned"] = round(statistics.mean(bulk_returned), 1)
        figures["mean_lots_returned"] = round(statistics.mean(returned), 1)
        figures["max_lots_returned"] = max(returned)
        return figures
