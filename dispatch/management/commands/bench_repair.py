"""Time a rescheduling proposal after a machine breaks down."""

import json
import time
from datetime import time as clock
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count

from dispatch import services
from dispatch.handlers import on_machine_down
from dispatch.management.commands.bench_tablets import build_plant
from dispatch.models import RunKind, RunStatus, ScheduleRun, ScheduleVersion
from equipment.models import Machine, MaintenanceOrder, Shift, ShiftPattern
from equipment.services import report_fault

PREFIX = "REPAIR"
# The breakdown: the machine is out for half a shift.
REPAIR_MINUTES = 240


class Command(BaseCommand):
    help = (
        "Build a plant of N operations on M machines working three shifts, "
        "publish its earliest-due-date schedule, break down the busiest "
        "machine for four hours and time the rescheduling proposal: from the "
        "breakdown "
        "through the repair run (as the worker executes it) to the saved "
        "draft. With --operations 0 it breaks down the busiest machine of the "
        "schedule already published (the demo plant after load_demo). "
        "Everything it writes is rolled back; orders already in the database "
        "are scheduled too. Prints one JSON line; targets: 10 s for the demo "
        "plant, 30 s for 2,000 operations."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operations", type=int, default=2000)
        parser.add_argument("--machines", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operations"] < 0 or options["machines"] < 1:
            raise CommandError("--operations must be 0 or more, --machines 1 or more.")
        with transaction.atomic():
            figures = self._measure(options["operations"], options["machines"])
            transaction.set_rollback(True)
        self.stdout.write(json.dumps(figures))

    def _measure(self, operations: int, machine_count: int) -> dict[str, Any]:
        started = time.perf_counter()
        if operations:
            self.stderr.write(f"Building {operations} operations...")
            build_plant(PREFIX, operations, machine_count, _three_shifts())
        build_seconds = time.perf_counter() - started
        published = services.published_version()
        if published is None:
            raise CommandError("No schedule is published: load the demo first.")
        machine = _busiest(published)
        self.stderr.write(f"Breaking down {machine.code}...")

        started = time.perf_counter()
        report = report_fault(machine, "Bench breakdown", None, machine_stopped=True)
        MaintenanceOrder.objects.filter(fault_report=report).update(
            planned_minutes=REPAIR_MINUTES
        )
        on_machine_down(machine_id=machine.pk, reason="")
        run = ScheduleRun.objects.get(kind=RunKind.REPAIR, status=RunStatus.QUEUED)
        proposal = services.execute_run(run.pk)
        seconds = time.perf_counter() - started
        run.refresh_from_db()
        if proposal is None:
            raise CommandError(f"The repair run failed: {run.message}")
        return {
            "operations": proposal.entries.count(),
            "machines": Machine.objects.count(),
            "broken_down": machine.code,
            # Affected: placed elsewhere than in the published schedule.
            "affected": proposal.entries.filter(is_affected=True).count(),
            "proposal_seconds": round(seconds, 2),
            "time_limit": run.time_limit_seconds,
            "build_seconds": round(build_seconds, 2),
        }


def _three_shifts() -> ShiftPattern:
    """Round the clock, every day, with a break in each shift."""
    pattern, created = ShiftPattern.objects.get_or_create(
        code=f"{PREFIX}-3S", defaults={"name": "Bench: three shifts"}
    )
    if created:
        for name, start, end in (("Early", 6, 14), ("Late", 14, 22), ("Night", 22, 6)):
            Shift.objects.create(
                pattern=pattern,
                name=name,
                weekdays="1234567",
                start_time=clock(start),
                end_time=clock(end),
                break_minutes=30,
            )
    return pattern


def _busiest(version: ScheduleVersion) -> Machine:
    busiest = (
        version.entries.values("machine_id")
        .annotate(entries=Count("pk"))
        .order_by("-entries", "machine_id")
        .first()
    )
    if busiest is None:
        raise CommandError("The published schedule is empty.")
    return Machine.objects.get(pk=busiest["machine_id"])
