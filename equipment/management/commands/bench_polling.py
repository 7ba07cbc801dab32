"""Benchmark the polling path: N simulated PLCs polled into the database."""

import asyncio
import json
import math
import os
import resource
import signal
import subprocess
import sys
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from pymodbus.client import AsyncModbusTcpClient, ModbusTcpClient

from equipment import polling, registers
from equipment.models import (
    Alarm,
    Area,
    ChecklistResult,
    DowntimeEvent,
    FaultReport,
    Machine,
    MachineUsage,
    MaintenanceOrder,
    MeasuredValue,
    PlcDevice,
    PollerSnapshot,
    ProductionCount,
    Site,
    SparePartUse,
    StateInterval,
    Tag,
    WorkCenter,
)
from equipment.simulator import DEADBANDS, REGISTER_MAP

PLCS_PER_SIMULATOR = 500
BENCH_CODE = "BENCH"


class Command(BaseCommand):
    help = (
        "Start N simulated PLCs (10 tags each) in separate processes, poll them "
        "with the real polling path into the real database for S seconds, then "
        "poll them with a bare pymodbus loop (no database) as the reference. "
        "A poll is on time when its reply arrives within half an interval of "
        "its scheduled time. Prints one JSON line. Run it to size poller "
        "hosts; it removes its BENCH machines afterwards."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--plcs", type=int, default=200)
        parser.add_argument("--seconds", type=float, default=30.0)
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--base-port", type=int, default=16000)
        parser.add_argument(
            "--skip-reference", action="store_true", help="Skip the bare loop."
        )

    def handle(self, *args: object, **options: Any) -> None:
        count, seconds, interval = (
            options["plcs"],
            options["seconds"],
            options["interval"],
        )
        if count < 1 or seconds <= 0 or interval <= 0:
            raise CommandError("--plcs, --seconds and --interval must be positive.")
        base_port = options["base_port"]
        simulators = self._start_simulators(count, base_port)
        group = f"bench-{os.getpid()}"
        try:
            devices = self._create_devices(count, base_port, interval, group)
            figures = self._measure_poller(group, count, seconds, interval)
            if not options["skip_reference"]:
                figures["reference"] = self._measure_reference(
                    devices, seconds, interval
                )
        finally:
            try:
                self._remove_devices()
            finally:
                self._stop(simulators)
        figures["simulator_cpu_seconds"] = round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
            + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime,
            2,
        )
        self.stdout.write(json.dumps(figures))

    def _start_simulators(
        self, count: int, base_port: int
    ) -> list[subprocess.Popen[bytes]]:
        processes = []
        for first in range(0, count, PLCS_PER_SIMULATOR):
            size = min(PLCS_PER_SIMULATOR, count - first)
            command = [
                sys.executable, "manage.py", "simulate_plcs", "--count", str(size),
                "--base-port", str(base_port + first),
            ]  # fmt: skip
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=settings.BASE_DIR,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        last_ports = [
            base_port + min(first + PLCS_PER_SIMULATOR, count) - 1
            for first in range(0, count, PLCS_PER_SIMULATOR)
        ]
        deadline = time.monotonic() + 60
        for port in last_ports:
            while not _answers(port):
                if time.monotonic() > deadline:
                    self._stop(processes)
                    raise CommandError(f"Simulated PLC on port {port} did not start.")
                time.sleep(0.5)
        self.stderr.write(f"{count} simulated PLCs up in {len(processes)} processes")
        return processes

    def _create_devices(
        self, count: int, base_port: int, interval: float, group: str
    ) -> list[PlcDevice]:
        self._remove_devices()
        site, _created = Site.objects.get_or_create(
            code=BENCH_CODE, defaults={"name": "Benchmark", "time_zone": "UTC"}
        )
        area, _created = Area.objects.get_or_create(
            site=site, code=BENCH_CODE, defaults={"name": "Benchmark"}
        )
        work_center, _created = WorkCenter.objects.get_or_create(
            code=BENCH_CODE, defaults={"name": "Benchmark", "area": area}
        )
        machines = Machine.objects.bulk_create(
            Machine(
                work_center=work_center,
                code=f"{BENCH_CODE}-{index:05d}",
                name=f"Benchmark {index}",
                ideal_cycle_seconds=Decimal(45),
            )
            for index in range(count)
        )
        devices = PlcDevice.objects.bulk_create(
            PlcDevice(
                machine=machine,
                host="127.0.0.1",
                port=base_port + index,
                poll_interval_seconds=Decimal(str(interval)),
                timeout_seconds=Decimal(str(min(max(interval, 0.5), 2.0))),
                polling_group=group,
            )
            for index, machine in enumerate(machines)
        )
        Tag.objects.bulk_create(
            Tag(
                device=device,
                name=name,
                register_kind=kind,
                address=address,
                data_type=data_type,
                word_order=order,
                scale=Decimal(scale),
                role=role,
                unit=unit,
                deadband=Decimal(DEADBANDS.get(name, "0")),
            )
            for device in devices
            for name, kind, address, data_type, order, scale, role, unit in REGISTER_MAP
        )
        return devices

    def _remove_devices(self) -> None:
        """Delete the benchmark's rows, children first.

        Raw deletes on purpose: only equipment tables hold benchmark rows, and
        the ORM's cascade would visit every app's tables.
        """
        machines = Machine.objects.filter(work_center__code=BENCH_CODE)
        ids = list(machines.values_list("pk", flat=True))
        with transaction.atomic():
            orders = MaintenanceOrder.objects.filter(machine_id__in=ids)
            ChecklistResult.objects.filter(order__in=orders)._raw_delete(
                using="default"
            )
            SparePartUse.objects.filter(order__in=orders)._raw_delete(using="default")
            orders._raw_delete(using="default")
            FaultReport.objects.filter(machine_id__in=ids)._raw_delete(using="default")
            for model in (MeasuredValue, Alarm, StateInterval, ProductionCount):
                model.objects.filter(machine_id__in=ids)._raw_delete(using="default")
            for model in (DowntimeEvent, MachineUsage):
                model.objects.filter(machine_id__in=ids)._raw_delete(using="default")
            Tag.objects.filter(device__machine_id__in=ids)._raw_delete(using="default")
            PollerSnapshot.objects.filter(device__machine_id__in=ids)._raw_delete(
                using="default"
            )
            PlcDevice.objects.filter(machine_id__in=ids)._raw_delete(using="default")
            Machine.objects.filter(pk__in=ids)._raw_delete(using="default")
        with transaction.atomic():
            WorkCenter.objects.filter(code=BENCH_CODE)._raw_delete(using="default")
            Area.objects.filter(code=BENCH_CODE)._raw_delete(using="default")
            Site.objects.filter(code=BENCH_CODE)._raw_delete(using="default")

    def _measure_poller(
        self, group: str, count: int, seconds: float, interval: float
    ) -> dict[str, Any]:
        stats = polling.PollStats()
        cpu_before = _cpu()
        progress = _Progress(self.stderr, stats, seconds, "poller")
        progress.start()
        polling.run_polling_group(group, seconds=seconds, stats=stats)
        progress.stop()
        cpu = _cpu() - cpu_before
        expected = count * math.floor(seconds / interval)
        return {
            "plcs": count,
            "tags_per_plc": len(REGISTER_MAP),
            "interval_s": interval,
            "seconds": seconds,
            **_figures(stats, expected),
            "rows_written": stats.rows_written,
            "write_seconds": round(stats.write_seconds, 2),
            "cpu_seconds": round(cpu, 2),
        }

    def _measure_reference(
        self, devices: list[PlcDevice], seconds: float, interval: float
    ) -> dict[str, Any]:
        stats = polling.PollStats()
        blocks = registers.read_blocks(
            registers.tag_specs(Tag.objects.filter(device=devices[0]))
        )
        cpu_before = _cpu()
        asyncio.run(_bare_loop(devices, blocks, seconds, interval, stats))
        cpu = _cpu() - cpu_before
        expected = len(devices) * math.floor(seconds / interval)
        return {**_figures(stats, expected), "cpu_seconds": round(cpu, 2)}

    def _stop(self, processes: list[subprocess.Popen[bytes]]) -> None:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _answers(port: int) -> bool:
    client = ModbusTcpClient("127.0.0.1", port=port, timeout=1)
    try:
        return bool(client.connect())
    finally:
        client.close()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _figures(stats: polling.PollStats, expected: int) -> dict[str, Any]:
    done = len(stats.lateness) - stats.failures
    replies = sorted(
        late + took for late, took in zip(stats.lateness, stats.durations, strict=True)
    )
    starts = sorted(stats.lateness)
    return {
        "polls_expected": expected,
        "polls_done": done,
        "failures": stats.failures,
        "on_time_ratio": _ratio(stats.on_time, len(stats.lateness)),
        "lateness_p95_ms": _p95_ms(starts),
        "reply_p95_ms": _p95_ms(replies),
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _p95_ms(values: list[float]) -> float | None:
    if not values:
        return None
    return round(max(values[int(0.95 * (len(values) - 1))], 0.0) * 1000, 1)


async def _bare_loop(
    devices: list[PlcDevice],
    blocks: list[registers.ReadBlock],
    seconds: float,
    interval: float,
    stats: polling.PollStats,
) -> None:
    """The reference: the same reads on the same schedule, nothing stored."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds

    async def one(device: PlcDevice) -> None:
        client = AsyncModbusTcpClient(
            "127.0.0.1", port=device.port, timeout=2, retries=0, reconnect_delay=0
        )
        await client.connect()
        due = loop.time() + (device.pk * 0.6180339887 % 1.0) * interval
        while loop.time() < deadline:
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            started = loop.time()
            failed = False
            try:
                for block in blocks:
                    method = (
                        client.read_discrete_inputs
                        if block.register_kind == "discrete_input"
                        else client.read_holding_registers
                    )
                    reply = await method(block.address, count=block.count, device_id=1)
                    failed = failed or reply.isError()
            except Exception:
                failed = True
            finished = loop.time()
            stats.record(interval, started - due, finished - started, failed)
            due += interval
            if due < finished:
                due += (int((finished - due) // interval) + 1) * interval
        client.close()

    await asyncio.gather(*(one(device) for device in devices))


class _Progress:
    """A progress line on stderr while a measurement runs."""

    def __init__(
        self, stream: Any, stats: polling.PollStats, seconds: float, label: str
    ):
        self.stream, self.stats, self.seconds, self.label = (
            stream,
            stats,
            seconds,
            label,
        )
        self._stop = False
        self._thread: Any = None

    def start(self) -> None:
        import threading

        began = time.monotonic()

        def report() -> None:
            while not self._stop:
                time.sleep(5)
                elapsed = time.monotonic() - began
                self.stream.write(
                    f"{self.label}: {elapsed:.0f}/{self.seconds:.0f} s, "
                    f"{len(self.stats.lateness)} polls"
                )

        self._thread = threading.Thread(target=report, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop = True
