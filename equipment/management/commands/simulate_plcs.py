"""Serve one simulated PLC per machine on 127.0.0.1 until stopped."""

import asyncio
import os
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from equipment.models import Machine, PlcDevice
from equipment.simulator import SimulatedMachine, SimulatedPlc

DEFAULT_BASE_PORT = 15020
DEFAULT_CYCLE_SECONDS = 45.0
LOCAL_HOSTS = ["127.0.0.1", "localhost"]


class Command(BaseCommand):
    help = (
        "Start one simulated Modbus TCP PLC per active machine (ordered by code) "
        "on 127.0.0.1: at its PLC's port when the PLC is configured on this "
        "host, else at base port + index (machines whose PLC is elsewhere are "
        "skipped), so the pollers have machines to read "
        "in development and demos. `make run` starts it; Ctrl-C or SIGTERM "
        "stops it. The register layout is in equipment/simulator.py."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--base-port",
            type=int,
            default=int(os.environ.get("PLC_SIMULATOR_BASE_PORT", DEFAULT_BASE_PORT)),
            help="Port of the first PLC (default 15020, env PLC_SIMULATOR_BASE_PORT).",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--count",
            type=int,
            default=0,
            help="Serve this many generic PLCs instead of the machines in the "
            "database (benchmarks).",
        )
        parser.add_argument(
            "--speed",
            type=float,
            default=1.0,
            help="Time acceleration of the machine model (10 = ten times faster).",
        )

    def handle(self, *args: object, **options: Any) -> None:
        plcs = self._plcs(options)
        if not plcs:
            raise CommandError("No active machines to simulate; run load_demo first.")
        for plc in plcs:
            self.stdout.write(f"{plc.name} listens on {plc.host}:{plc.port}")
        self.stdout.flush()
        asyncio.run(self._serve(plcs))
        self.stdout.write(f"Stopped {len(plcs)} simulated PLCs.")

    def _plcs(self, options: dict[str, Any]) -> list[SimulatedPlc]:
        base_port, host, speed = options["base_port"], options["host"], options["speed"]
        if options["count"]:
            machines = [
                (f"PLC{index + 1:04d}", DEFAULT_CYCLE_SECONDS)
                for index in range(options["count"])
            ]
        else:
            machines = []
            local = {
                device.machine_id: device.port
                for device in PlcDevice.objects.filter(host__in=LOCAL_HOSTS)
            }
            for index, machine in enumerate(
                Machine.objects.filter(is_active=True).order_by("code")
            ):
                if hasattr(machine, "plc") and machine.pk not in local:
                    continue
                cycle = float(machine.ideal_cycle_seconds or DEFAULT_CYCLE_SECONDS)
                port = local.get(machine.pk, base_port + index)
                machines.append((machine.code, cycle, port))
            return [
                SimulatedPlc(
                    SimulatedMachine(
                        cycle_seconds=cycle, seed=index, speed_factor=speed
                    ),
                    port=port,
                    host=host,
                    name=name,
                )
                for index, (name, cycle, port) in enumerate(machines)
            ]
        return [
            SimulatedPlc(
                SimulatedMachine(cycle_seconds=cycle, seed=index, speed_factor=speed),
                port=base_port + index,
                host=host,
                name=name,
            )
            for index, (name, cycle) in enumerate(machines)
        ]

    async def _serve(self, plcs: list[SimulatedPlc]) -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stopping.set)
        try:
            for plc in plcs:
                try:
                    await plc.start()
                except (RuntimeError, OSError) as error:
                    raise CommandError(
                        f"Cannot listen on {plc.host}:{plc.port} ({error}); is "
                        "another simulate_plcs running? Use --base-port."
                    ) from error
            await stopping.wait()
        finally:
            for plc in plcs:
                await plc.stop()
