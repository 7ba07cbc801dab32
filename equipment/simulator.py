"""Simulated PLCs: one Modbus TCP server per machine, behaving like a machine.

Each simulated PLC is a pymodbus ``ModbusTcpServer`` on 127.0.0.1 serving one
device (unit id 1) whose registers follow a small machine model: it runs for a
while (the good and scrap counters advance once per cycle), goes idle, now and
then stops with an alarm code, and runs again. Temperature and spindle speed
follow the state. The model is advanced lazily, on every request, from the
wall clock, so a machine read once a minute shows the same counts as one read
every second.

Register layout (addresses 0-based, as in the requests; one device, unit 1):

Holding registers (function 3; input registers, function 4, mirror 0-15):

====  =======  ====================================================
addr  type     meaning
====  =======  ====================================================
0     uint16   run state: 0 stopped, 1 running, 2 idle
1     uint16   alarm code, 0 = no alarm (101, 205, 310, 412, 518)
2-3   uint32   good part counter (high word first), wraps at 2**32
4-5   uint32   scrap part counter (high word first), wraps at 2**32
6-7   uint32   operating seconds while running (high word first)
8     uint16   spindle speed in rpm
9     int16    temperature in 0.1 degree Celsius
10-11 float32  temperature in degree Celsius (high word first)
12-13 float32  last cycle time in seconds (high word first)
14-15 uint32   good part counter, low word first (for word order tests)
20    uint16   simulation command (writable, see below)
====  =======  ====================================================

Discrete inputs (function 2): 0 running, 1 alarm active, 2 idle.
Coils (function 1, writable): 0 automatic mode (no effect on the model).

Writing the command register steers the machine (tests and demos use it):
1 run, 2 idle, 3 stop, 4 stop with alarm 412, 5 clear the alarm, 6 restart
the PLC (counters back to 0), 7 back to the automatic behaviour. Writes to any
other register are refused with ILLEGAL_ADDRESS, as a real PLC would.

``REGISTER_MAP`` is this layout as a register map (name, register kind,
address, data type, word order, scale, role, unit); the demo and the tests
give the PLC devices pointing at simulated PLCs these tags.

Tests script the model directly (``SimulatedMachine.run()`` ...) and inject
faults on the server: a reply delay, a Modbus exception code for every
request, dropped connections, a stopped server.

Limitations: one unit id per server (no RS-485 gateway with several units);
the random behaviour is seeded per machine, so it repeats between runs.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import random
import struct
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

logger = logging.getLogger(__name__)

UNIT_ID = 1
COUNTER_MODULUS = 2**32

STOPPED, RUNNING, IDLE = 0, 1, 2

REGISTER_STATE = 0
REGISTER_ALARM = 1
REGISTER_GOOD = 2
REGISTER_SCRAP = 4
REGISTER_OPERATING_SECONDS = 6
REGISTER_SPEED = 8
REGISTER_TEMPERATURE_TENTHS = 9
REGISTER_TEMPERATURE = 10
REGISTER_CYCLE_TIME = 12
REGISTER_GOOD_LOW_WORD_FIRST = 14
REGISTER_COMMAND = 20
HOLDING_REGISTER_COUNT = 32
INPUT_REGISTER_COUNT = 16
BIT_COUNT = 16

COMMAND_RUN, COMMAND_IDLE, COMMAND_STOP, COMMAND_ALARM = 1, 2, 3, 4
COMMAND_CLEAR_ALARM, COMMAND_RESTART, COMMAND_AUTOMATIC = 5, 6, 7

ALARM_CODES = (101, 205, 310, 412, 518)
NOMINAL_SPEED_RPM = 2400
AMBIENT_CELSIUS = 24.0
RUNNING_CELSIUS = 58.0

REGISTER_MAP = [
    ("run_state", "holding", 0, "uint16", "big", "1", "run_state", ""),
    ("alarm_code", "holding", 1, "uint16", "big", "1", "alarm_code", ""),
    ("good_count", "holding", 2, "uint32", "big", "1", "good_count", ""),
    ("scrap_count", "holding", 4, "uint32", "big", "1", "scrap_count", ""),
    ("operating_seconds", "holding", 6, "uint32", "big", "1", "value", "s"),
    ("spindle_speed", "holding", 8, "uint16", "big", "1", "speed", "rpm"),
    ("temperature", "holding", 9, "int16", "big", "0.1", "temperature", "°C"),
    ("temperature_float", "holding", 10, "float32", "big", "1", "value", "°C"),
    ("cycle_time", "holding", 12, "float32", "big", "1", "value", "s"),
    ("running_bit", "discrete_input", 0, "bool", "big", "1", "value", ""),
]

# History deadbands that suit the register map (demo and benchmark).
DEADBANDS = {
    "operating_seconds": "60",
    "spindle_speed": "50",
    "temperature": "0.5",
    "temperature_float": "0.5",
}

_WRITE_FUNCTION_CODES = {5, 6, 15, 16, 22, 23}
_internal_write: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "internal_write", default=False
)


class SimulatedMachine:
    """The behaviour of one machine, advanced from a clock.

    In automatic mode the machine picks its next state at random (running
    most of the time); after ``run()``, ``idle()`` or ``stop()`` it stays in
    that state until told otherwise or ``automatic()`` is called again.
    """

    def __init__(
        self,
        cycle_seconds: float = 45.0,
        scrap_rate: float = 0.02,
        seed: int = 0,
        automatic: bool = True,
        speed_factor: float = 1.0,
        clock: Any = time.monotonic,
    ) -> None:
        self.cycle_seconds = cycle_seconds
        self.scrap_rate = scrap_rate
        self.speed_factor = speed_factor
        self.is_automatic = automatic
        self.state = RUNNING if automatic else STOPPED
        self.alarm_code = 0
        self.good = 0
        self.scrap = 0
        self.operating_seconds = 0.0
        self.temperature = AMBIENT_CELSIUS
        self.last_cycle_seconds = 0.0
        self._random = random.Random(seed)
        self._clock = clock
        self._now = clock()
        self._cycle_elapsed = 0.0
        self._state_left = self._duration_of(self.state)
        self._lock = threading.Lock()

    # Scripting, for tests and the command register.

    def run(self) -> None:
        self._set(RUNNING, alarm_code=0)

    def idle(self) -> None:
        self._set(IDLE, alarm_code=0)

    def stop(self, alarm_code: int = 0) -> None:
        self._set(STOPPED, alarm_code=alarm_code)

    def clear_alarm(self) -> None:
        with self._lock:
            self._advance_locked()
            self.alarm_code = 0

    def restart(self) -> None:
        """A PLC restart: counters start again from zero."""
        with self._lock:
            self._advance_locked()
            self.good = self.scrap = 0
            self.operating_seconds = 0.0
            self._cycle_elapsed = 0.0

    def set_counters(self, good: int, scrap: int) -> None:
        with self._lock:
            self._advance_locked()
            self.good = good % COUNTER_MODULUS
            self.scrap = scrap % COUNTER_MODULUS

    def automatic(self) -> None:
        with self._lock:
            self._advance_locked()
            self.is_automatic = True
            self._state_left = self._duration_of(self.state)

    def _set(self, state: int, alarm_code: int) -> None:
        with self._lock:
            self._advance_locked()
            self.is_automatic = False
            self.state = state
            self.alarm_code = alarm_code

    # Time.

    def advance(self) -> None:
        with self._lock:
            self._advance_locked()

    def _advance_locked(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._now) * self.speed_factor
        self._now = now
        while elapsed > 0:
            step = elapsed
            if self.is_automatic:
                step = min(step, self._state_left)
            self._live(step)
            elapsed -= step
            if self.is_automatic:
                self._state_left -= step
                if self._state_left <= 0:
                    self._next_state()

    def _live(self, seconds: float) -> None:
        target = RUNNING_CELSIUS if self.state == RUNNING else AMBIENT_CELSIUS
        # First-order warming and cooling with a 10 minute time constant.
        self.temperature = target + (self.temperature - target) * math.exp(
            -seconds / 600.0
        )
        if self.state != RUNNING:
            return
        self.operating_seconds += seconds
        self._cycle_elapsed += seconds
        cycle = self._current_cycle_seconds()
        while self._cycle_elapsed >= cycle:
            self._cycle_elapsed -= cycle
            self.last_cycle_seconds = cycle
            if self._random.random() < self.scrap_rate:
                self.scrap = (self.scrap + 1) % COUNTER_MODULUS
            else:
                self.good = (self.good + 1) % COUNTER_MODULUS

    def _current_cycle_seconds(self) -> float:
        # Real machines run a little slower than their ideal cycle.
        return self.cycle_seconds * 1.08

    def _next_state(self) -> None:
        draw = self._random.random()
        if self.state != RUNNING:
            self.state, self.alarm_code = RUNNING, 0
        elif draw < 0.15:
            self.state = STOPPED
            self.alarm_code = self._random.choice(ALARM_CODES)
        elif draw < 0.25:
            self.state, self.alarm_code = STOPPED, 0
        else:
            self.state, self.alarm_code = IDLE, 0
        self._state_left = self._duration_of(self.state)

    def _duration_of(self, state: int) -> float:
        if state == RUNNING:
            return self._random.uniform(300, 1500)
        if state == IDLE:
            return self._random.uniform(20, 240)
        return self._random.uniform(60, 600)

    # Registers.

    def speed_rpm(self) -> int:
        if self.state != RUNNING:
            return 0
        return NOMINAL_SPEED_RPM + self._random.randint(-40, 40)

    def holding_registers(self) -> list[int]:
        with self._lock:
            self._advance_locked()
            registers = [0] * HOLDING_REGISTER_COUNT
            registers[REGISTER_STATE] = self.state
            registers[REGISTER_ALARM] = self.alarm_code
            registers[REGISTER_GOOD : REGISTER_GOOD + 2] = _uint32(self.good)
            registers[REGISTER_SCRAP : REGISTER_SCRAP + 2] = _uint32(self.scrap)
            registers[REGISTER_OPERATING_SECONDS : REGISTER_OPERATING_SECONDS + 2] = (
                _uint32(int(self.operating_seconds))
            )
            registers[REGISTER_SPEED] = self.speed_rpm()
            tenths = round(self.temperature * 10)
            registers[REGISTER_TEMPERATURE_TENTHS] = tenths & 0xFFFF
            registers[REGISTER_TEMPERATURE : REGISTER_TEMPERATURE + 2] = _float32(
                self.temperature
            )
            registers[REGISTER_CYCLE_TIME : REGISTER_CYCLE_TIME + 2] = _float32(
                self.last_cycle_seconds
            )
            high, low = _uint32(self.good)
            registers[
                REGISTER_GOOD_LOW_WORD_FIRST : REGISTER_GOOD_LOW_WORD_FIRST + 2
            ] = [
                low,
                high,
            ]
            return registers

    def discrete_inputs(self) -> list[bool]:
        bits = [False] * BIT_COUNT
        bits[0] = self.state == RUNNING
        bits[1] = self.alarm_code != 0
        bits[2] = self.state == IDLE
        return bits

    def command(self, value: int) -> None:
        actions = {
            COMMAND_RUN: self.run,
            COMMAND_IDLE: self.idle,
            COMMAND_STOP: self.stop,
            COMMAND_ALARM: lambda: self.stop(alarm_code=412),
            COMMAND_CLEAR_ALARM: self.clear_alarm,
            COMMAND_RESTART: self.restart,
            COMMAND_AUTOMATIC: self.automatic,
        }
        action = actions.get(value)
        if action is not None:
            action()


def _uint32(value: int) -> list[int]:
    value %= COUNTER_MODULUS
    return [value >> 16, value & 0xFFFF]


def _float32(value: float) -> list[int]:
    high, low = struct.unpack(">HH", struct.pack(">f", value))
    return [high, low]


@dataclass
class PlcFaults:
    """Misbehaviour to inject: a slow reply or an exception reply."""

    reply_delay_seconds: float = 0.0
    exception_code: ExcCodes | None = None
    answer_as_unit: int | None = None


class SimulatedPlc:
    """A Modbus TCP server on ``host:port`` serving one ``SimulatedMachine``.

    Must be started and stopped inside a running asyncio loop; tests and
    synchronous code use ``PlcRunner`` to host PLCs on a background thread.
    """

    def __init__(
        self,
        machine: SimulatedMachine,
        port: int,
        host: str = "127.0.0.1",
        name: str = "",
        resync_seconds: float = 0.0,
    ) -> None:
        self.machine = machine
        self.host = host
        self.port = port
        self.name = name or f"PLC {port}"
        self.faults = PlcFaults()
        self.server: ModbusTcpServer | None = None
        self._resync_seconds = resync_seconds
        self._synced_at = -math.inf

    def device(self) -> SimDevice:
        registers = self.machine.holding_registers()
        bits = self.machine.discrete_inputs()
        return SimDevice(
            id=UNIT_ID,
            simdata=(
                [SimData(0, values=[False] * BIT_COUNT, datatype=DataType.BITS)],
                [SimData(0, values=bits, datatype=DataType.BITS)],
                [SimData(0, values=registers, datatype=DataType.REGISTERS)],
                [
                    SimData(
                        0,
                        values=registers[:INPUT_REGISTER_COUNT],
                        datatype=DataType.REGISTERS,
                    )
                ],
            ),
            action=self._action,
        )

    async def start(self) -> None:
        self.server = ModbusTcpServer(
            self.device(), address=(self.host, self.port), trace_pdu=self._trace_pdu
        )
        await self.server.serve_forever(background=True)
        self._synced_at = -math.inf
        logger.info("Simulated PLC %s listening on %s:%s", self.name, *self.address)

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.shutdown()
            self.server = None

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def drop_connections(self) -> None:
        """Close every client connection, as a flaky network would."""
        if self.server is not None:
            for connection in list(self.server.active_connections.values()):
                connection.close()

    def _trace_pdu(self, sending: bool, pdu: Any) -> Any:
        if sending and self.faults.answer_as_unit is not None:
            pdu.dev_id = self.faults.answer_as_unit
        return pdu

    async def _action(
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        current_registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        if _internal_write.get():
            return None
        if self.faults.reply_delay_seconds:
            await asyncio.sleep(self.faults.reply_delay_seconds)
        if self.faults.exception_code is not None:
            return self.faults.exception_code
        if set_values is not None and function_code in _WRITE_FUNCTION_CODES:
            return self._client_write(function_code, address, count, set_values)
        await self._sync()
        return None

    def _client_write(
        self,
        function_code: int,
        address: int,
        count: int,
        values: list[int] | list[bool],
    ) -> ExcCodes | None:
        if function_code in {5, 15}:
            return None
        if address == REGISTER_COMMAND and count == 1:
            self.machine.command(int(values[0]))
            self._synced_at = -math.inf
            return None
        return ExcCodes.ILLEGAL_ADDRESS

    async def _sync(self) -> None:
        """Copy the machine's current values into the server's registers."""
        now = time.monotonic()
        if self.server is None or now - self._synced_at < self._resync_seconds:
            return
        self._synced_at = now
        registers = self.machine.holding_registers()
        token = _internal_write.set(True)
        try:
            context = self.server.context
            await context.async_setValues(UNIT_ID, 6, 0, registers[:REGISTER_COMMAND])
            await context.async_setValues(
                UNIT_ID, 4, 0, registers[:INPUT_REGISTER_COUNT]
            )
            await context.async_setValues(UNIT_ID, 2, 0, self.machine.discrete_inputs())
        finally:
            _internal_write.reset(token)


class PlcRunner:
    """Hosts simulated PLCs on an asyncio loop in a background thread.

    Synchronous callers (tests, management commands that are not async) start,
    stop and restart PLCs through it; each call waits for the loop.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="simulated-plcs", daemon=True
        )
        self._thread.start()

    def call(self, coroutine: Any, timeout: float = 10.0) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout)

    def start(self, plc: SimulatedPlc) -> SimulatedPlc:
        self.call(plc.start())
        return plc

    def stop(self, plc: SimulatedPlc) -> None:
        self.call(plc.stop())

    def drop_connections(self, plc: SimulatedPlc) -> None:
        self.loop.call_soon_threadsafe(plc.drop_connections)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)


@contextmanager
def running_plcs(plcs: list[SimulatedPlc]) -> Iterator[PlcRunner]:
    """Serve the PLCs on 127.0.0.1 for the duration of the block."""
    runner = PlcRunner()
    started: list[SimulatedPlc] = []
    try:
        for plc in plcs:
            started.append(runner.start(plc))
        yield runner
    finally:
        for plc in started:
            runner.stop(plc)
        runner.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
