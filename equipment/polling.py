"""Polling PLCs over Modbus TCP and turning readings into plant data.

Two halves, each a plain function tests can drive:

* reading (async, no database): ``read_device`` sends the few block reads a
  register map needs with pymodbus' async client and returns a ``Reading``
  (values by tag, or an error such as a timeout, a Modbus exception reply or
  a reply for another unit id);
* applying (sync, database): ``apply_readings`` turns a batch of readings
  into state intervals, production counts, measured values, alarms and
  downtime events in ONE transaction, together with the poller snapshot
  holding each counter's last raw value. A worker that dies before the
  commit loses nothing (the PLC's counters still hold the parts and the
  next poll counts them from the committed raw values); one that dies after
  it never counts them again.

``poll_once`` is one synchronous cycle over the devices (tests drive it).
``run_polling_group`` is the long-running loop of a Celery worker: every
device polls on its own interval in its own coroutine, so one silent or
slow PLC never delays the others; readings go through a queue to a single
writer thread that flushes them in batches.
After ``COMMUNICATION_LOST_AFTER`` failed polls a machine is shown as
communication lost; its reconnection backs off up to ``MAX_BACKOFF_SECONDS``
and resumes by itself.

Counters: the delta between two raw values is production. A counter that
goes backwards has wrapped (it was in the top quarter of its range and is
now in the bottom quarter) or the PLC restarted (the new value is counted
from zero); production is never negative. A jump larger than
``MAX_COUNT_STEP`` is flagged and not counted.

Bad input (a NaN float, a value out of range, an unknown alarm code, a
Modbus exception, a reply for another unit) is stored on the snapshot and
logged once when it first appears, never once per poll.

Limitations: the first reading of a new device only sets the counters'
baseline; parts made between the last poll before a PLC restart and the
restart are lost (the PLC no longer has them). Times are the poller's clock,
not the PLC's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException

from equipment import calendars, registers
from equipment.models import (
    STOP_STATES,
    Alarm,
    AlarmCode,
    DataType,
    DowntimeEvent,
    DowntimeKind,
    MachineState,
    MeasuredValue,
    PlcDevice,
    PollerSnapshot,
    RegisterKind,
    StateInterval,
    TagRole,
)
from mes import events
from mes.events import Event

logger = logging.getLogger(__name__)

COMMUNICATION_LOST_AFTER = 3
MAX_BACKOFF_SECONDS = 30.0
MAX_COUNT_STEP = 100_000
FLUSH_SECONDS = 0.5
CONFIG_RELOAD_SECONDS = 30.0
LOCK_SECONDS = 30
# Measured values are stored on change, and at least this often.
HISTORY_HEARTBEAT_SECONDS = 300
COUNTER_MODULUS = {
    DataType.INT16: 2**16,
    DataType.UINT16: 2**16,
    DataType.INT32: 2**32,
    DataType.UINT32: 2**32,
}

# Set by the worker when it shuts down: running group loops finish.
shutting_down = threading.Event()


def downtime_threshold_seconds() -> float:
    return float(getattr(settings, "DOWNTIME_THRESHOLD_SECONDS", 120))


def poller_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident() % 10000}"


# Configuration, loaded from the database into plain values.


@dataclass
class DeviceConfig:
    device_id: int
    machine_id: int
    code: str
    host: str
    port: int
    unit_id: int
    timeout: float
    interval: float
    running_values: frozenset[int]
    idle_values: frozenset[int]
    tags: list[registers.TagSpec]
    blocks: list[registers.ReadBlock]
    working: list[calendars.Interval] | None = field(default=None, compare=False)

    def in_shift(self, moment: datetime) -> bool:
        if self.working is None:
            return True
        return any(begin <= moment < end for begin, end in self.working)


def load_configs(
    group: str | None = None, device_ids: Iterable[int] | None = None
) -> list[DeviceConfig]:
    devices = PlcDevice.objects.filter(is_enabled=True, machine__is_active=True)
    if group is not None:
        devices = devices.filter(polling_group=group)
    if device_ids is not None:
        devices = devices.filter(pk__in=list(device_ids))
    devices = devices.select_related(
        "machine__work_center__area__site"
    ).prefetch_related("tags")
    now = timezone.now()
    configs = []
    for device in devices.order_by("pk"):
        specs = registers.tag_specs(device.tags.all())
        machine = device.machine
        working = _working_time(machine, now)
        configs.append(
            DeviceConfig(
                device_id=device.pk,
                machine_id=machine.pk,
                code=machine.code,
                host=device.host,
                port=device.port,
                unit_id=device.unit_id,
                timeout=float(device.timeout_seconds),
                interval=float(device.poll_interval_seconds),
                running_values=_values(device.running_values),
                idle_values=_values(device.idle_values),
                tags=specs,
                blocks=registers.read_blocks(specs),
                working=working,
            )
        )
    return configs


_working_cache: dict[int, tuple[datetime, list[calendars.Interval] | None]] = {}
WORKING_TIME_REFRESH = timedelta(minutes=10)


def _working_time(machine: Any, now: datetime) -> list[calendars.Interval] | None:
    """The machine's shifts from an hour ago to a day ahead, cached a while.

    None for a machine without a calendar (it always works).
    """
    cached = _working_cache.get(machine.pk)
    if cached is not None and now - cached[0] < WORKING_TIME_REFRESH:
        return cached[1]
    working = None
    if machine.shift_pattern_id or machine.work_center.shift_pattern_id:
        working = calendars.working_intervals(
            machine, now - timedelta(hours=1), now + timedelta(hours=25)
        )
    _working_cache[machine.pk] = (now, working)
    return working


def _values(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in text.replace(" ", "").split(",") if part)


# Reading.


@dataclass
class Reading:
    device_id: int
    machine_id: int
    at: datetime
    values: dict[int, Any] = field(default_factory=dict)
    error: str = ""
    problems: list[str] = field(default_factory=list)


class DeviceClient:
    """One device's connection; reconnects on the next poll after a failure."""

    def __init__(self, config: DeviceConfig) -> None:
        self.config = config
        self.client = AsyncModbusTcpClient(
            config.host,
            port=config.port,
            timeout=config.timeout,
            retries=0,
            reconnect_delay=0,
            name=config.code,
        )

    async def read(self) -> Reading:
        config = self.config
        reading = Reading(config.device_id, config.machine_id, timezone.now())
        try:
            async with asyncio.timeout(config.timeout * (len(config.blocks) + 1)):
                connected = self.client.connected or await self.client.connect()
                if not connected:
                    raise ConnectionError(
                        _("No connection to %(host)s:%(port)s.")
                        % {"host": config.host, "port": config.port}
                    )
                for block in config.blocks:
                    words = await self._read_block(block)
                    _decode_block(block, words, reading)
        except (TimeoutError, ModbusException, ConnectionError, OSError) as error:
            reading.error = str(error) or _("No reply within the timeout.")
            reading.values.clear()
            self.client.close()
        reading.at = timezone.now()
        return reading

    async def _read_block(self, block: registers.ReadBlock) -> list[Any]:
        method = {
            RegisterKind.COIL: self.client.read_coils,
            RegisterKind.DISCRETE_INPUT: self.client.read_discrete_inputs,
            RegisterKind.HOLDING: self.client.read_holding_registers,
            RegisterKind.INPUT: self.client.read_input_registers,
        }[RegisterKind(block.register_kind)]
        reply = await method(
            block.address, count=block.count, device_id=self.config.unit_id
        )
        if reply.isError():
            raise ModbusException(
                _("The PLC answered with Modbus exception code %(code)s.")
                % {"code": getattr(reply, "exception_code", "?")}
            )
        if reply.dev_id != self.config.unit_id:
            raise ModbusException(
                _("The reply came from unit %(got)s, not unit %(expected)s.")
                % {"got": reply.dev_id, "expected": self.config.unit_id}
            )
        if block.register_kind in registers.BIT_KINDS:
            return list(reply.bits)
        return list(reply.registers)

    def close(self) -> None:
        self.client.close()


def _decode_block(
    block: registers.ReadBlock, words: list[Any], reading: Reading
) -> None:
    for tag in block.tags:
        start = tag.address - block.address
        try:
            reading.values[tag.id] = registers.decode(
                tag, words[start : start + tag.size]
            )
        except (registers.DecodeError, IndexError) as error:
            reading.problems.append(str(error))


async def read_device(config: DeviceConfig) -> Reading:
    """One poll of one device on a fresh connection."""
    client = DeviceClient(config)
    try:
        return await client.read()
    finally:
        client.close()


# Applying readings to the database.


@dataclass
class _Effects:
    """Rows a batch produces, written together at the end."""

    counts: dict[tuple[int, datetime], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    usage: dict[int, list[float]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0.0])
    )
    measured: list[MeasuredValue] = field(default_factory=list)


def apply_readings(readings: list[Reading], poller: str = "") -> int:
    """Store a batch of readings; returns the number of rows written.

    Runs one transaction. Readings of a device are applied in time order;
    the device's snapshot and open intervals are locked for the batch.
    """
    if not readings:
        return 0
    readings = sorted(readings, key=lambda reading: (reading.device_id, reading.at))
    device_ids = sorted({reading.device_id for reading in readings})
    configs = _config_cache(device_ids)
    with transaction.atomic():
        snapshots = _lock_snapshots(device_ids)
        effects = _Effects()
        written = 0
        for reading in readings:
            config = configs.get(reading.device_id)
            if config is None:
                continue
            written += _apply(reading, config, snapshots[reading.device_id], effects)
        written += _write_effects(effects)
        for snapshot in snapshots.values():
            snapshot.poller = poller or snapshot.poller
        _save_snapshots(list(snapshots.values()))
        written += len(snapshots)
    return written


def _save_snapshots(snapshots: list[PollerSnapshot]) -> None:
    """One statement for the batch; the ORM's bulk_update is too slow here."""
    rows = [
        (
            snapshot.good_raw,
            snapshot.scrap_raw,
            json.dumps(snapshot.values),
            snapshot.failures,
            snapshot.last_polled_at,
            snapshot.last_success_at,
            snapshot.last_error,
            json.dumps(snapshot.problems),
            snapshot.poller,
            snapshot.pk,
        )
        for snapshot in snapshots
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE equipment_pollersnapshot SET good_raw = %s, scrap_raw = %s, "
            '"values" = %s::jsonb, failures = %s, last_polled_at = %s, '
            "last_success_at = %s, last_error = %s, problems = %s::jsonb, "
            "poller = %s WHERE id = %s",
            rows,
        )


_configs: dict[int, tuple[float, DeviceConfig]] = {}


def _config_cache(device_ids: list[int]) -> dict[int, DeviceConfig]:
    """Configs of the devices, reloaded when older than a reload period."""
    now = time.monotonic()
    stale = [
        device_id
        for device_id in device_ids
        if device_id not in _configs
        or now - _configs[device_id][0] > CONFIG_RELOAD_SECONDS
    ]
    if stale:
        for config in load_configs(device_ids=stale):
            _configs[config.device_id] = (now, config)
    return {
        device_id: _configs[device_id][1]
        for device_id in device_ids
        if device_id in _configs
    }


def forget_configs() -> None:
    _configs.clear()
    _working_cache.clear()


def _lock_snapshots(device_ids: list[int]) -> dict[int, PollerSnapshot]:
    existing = set(
        PollerSnapshot.objects.filter(device_id__in=device_ids).values_list(
            "device_id", flat=True
        )
    )
    missing = [PollerSnapshot(device_id=pk) for pk in device_ids if pk not in existing]
    if missing:
        PollerSnapshot.objects.bulk_create(missing, ignore_conflicts=True)
    locked = PollerSnapshot.objects.select_for_update().filter(device_id__in=device_ids)
    return {snapshot.device_id: snapshot for snapshot in locked.order_by("device_id")}


def _apply(
    reading: Reading, config: DeviceConfig, snapshot: PollerSnapshot, effects: _Effects
) -> int:
    snapshot.last_polled_at = reading.at
    _note_problems(config, snapshot, reading)
    if reading.error:
        snapshot.failures += 1
        if snapshot.failures >= COMMUNICATION_LOST_AFTER:
            return _set_state(
                config, snapshot, MachineState.COMMUNICATION_LOST, None, reading.at
            )
        return 0

    snapshot.failures = 0
    snapshot.last_error = ""
    values = {tag.role: reading.values.get(tag.id) for tag in config.tags}
    alarm_code = int(values.get(TagRole.ALARM_CODE) or 0)
    state = _state_of(config, values.get(TagRole.RUN_STATE), alarm_code, reading.at)

    _count(config, snapshot, reading, effects)
    written = 0
    if (
        snapshot.values.get("state") == MachineState.RUNNING
        and snapshot.last_success_at
    ):
        ran = (reading.at - snapshot.last_success_at).total_seconds()
        effects.usage[config.machine_id][1] += min(max(ran, 0.0), 3 * config.interval)
    snapshot.last_success_at = reading.at
    _measure(config, snapshot, reading, effects)
    written += _alarm(config, snapshot, alarm_code, reading.at)
    written += _set_state(config, snapshot, state, alarm_code or None, reading.at)
    written += _downtime(config, snapshot, state, reading.at)
    return written


def _note_problems(
    config: DeviceConfig, snapshot: PollerSnapshot, reading: Reading
) -> None:
    """Keep the current problems; log each one once, when it first appears."""
    current = list(reading.problems)
    if reading.error:
        current.append(reading.error)
        if reading.error != snapshot.last_error:
            logger.warning("PLC of %s: %s", config.code, reading.error)
        snapshot.last_error = reading.error[:300]
    for problem in reading.problems:
        if problem not in snapshot.problems:
            logger.warning("PLC of %s: %s", config.code, problem)
    if reading.error and not reading.problems:
        # A failed poll says nothing about the values' own problems.
        current = list(dict.fromkeys(snapshot.problems + [reading.error]))
    snapshot.problems = current[-10:]


def _state_of(
    config: DeviceConfig, run_state: Any, alarm_code: int, at: datetime
) -> str:
    if run_state is None:
        state = MachineState.UNKNOWN
    elif isinstance(run_state, bool):
        state = MachineState.RUNNING if run_state else MachineState.STOPPED
    elif int(run_state) in config.running_values:
        state = MachineState.RUNNING
    elif int(run_state) in config.idle_values:
        state = MachineState.IDLE
    else:
        state = MachineState.STOPPED
    if alarm_code and state != MachineState.RUNNING:
        return MachineState.ALARM
    if state in STOP_STATES and not config.in_shift(at):
        return MachineState.PLANNED_STOP
    return state


def counter_delta(previous: int | None, current: int, modulus: int) -> tuple[int, str]:
    """Parts made between two raw counter values, and how they were read.

    ``first`` (no previous value: baseline only), ``normal``, ``wrap`` (the
    counter passed its maximum) or ``reset`` (the PLC restarted: the new
    value is what it made since).
    """
    current %= modulus
    if previous is None:
        return 0, "first"
    if current >= previous:
        return current - previous, "normal"
    if previous >= modulus * 3 // 4 and current < modulus // 4:
        return current + modulus - previous, "wrap"
    return current, "reset"


def _count(
    config: DeviceConfig, snapshot: PollerSnapshot, reading: Reading, effects: _Effects
) -> None:
    minute = reading.at.replace(second=0, microsecond=0)
    produced = [0, 0]
    for index, (role, attribute) in enumerate(
        [(TagRole.GOOD_COUNT, "good_raw"), (TagRole.SCRAP_COUNT, "scrap_raw")]
    ):
        tag = next((tag for tag in config.tags if tag.role == role), None)
        if tag is None or tag.id not in reading.values:
            continue
        modulus = COUNTER_MODULUS.get(tag.data_type, 2**32)
        current = int(reading.values[tag.id]) % modulus
        delta, how = counter_delta(getattr(snapshot, attribute), current, modulus)
        if delta > MAX_COUNT_STEP:
            problem = _("%(tag)s jumped by %(delta)s parts; not counted.") % {
                "tag": tag.name,
                "delta": delta,
            }
            logger.warning("PLC of %s: %s", config.code, problem)
            snapshot.problems = (snapshot.problems + [problem])[-10:]
            delta = 0
        elif how in {"wrap", "reset"}:
            logger.info("Counter %s of %s: %s (%s)", tag.name, config.code, how, delta)
        setattr(snapshot, attribute, current)
        produced[index] = delta
    if produced[0] or produced[1]:
        bucket = effects.counts[(config.machine_id, minute)]
        bucket[0] += produced[0]
        bucket[1] += produced[1]
        effects.usage[config.machine_id][0] += produced[0] + produced[1]


def _measure(
    config: DeviceConfig, snapshot: PollerSnapshot, reading: Reading, effects: _Effects
) -> None:
    stored = snapshot.values.setdefault("measured", {})
    for tag in config.tags:
        if tag.role not in {TagRole.SPEED, TagRole.TEMPERATURE, TagRole.VALUE}:
            continue
        value = reading.values.get(tag.id)
        if value is None:
            continue
        value = float(value)
        last = stored.get(str(tag.id))
        if last is not None:
            moved = abs(value - last[0]) > tag.deadband or (
                tag.deadband == 0 and value != last[0]
            )
            age = reading.at.timestamp() - last[1]
            if not moved and age < HISTORY_HEARTBEAT_SECONDS:
                continue
        stored[str(tag.id)] = [value, reading.at.timestamp()]
        effects.measured.append(
            MeasuredValue(
                tag_id=tag.id,
                machine_id=config.machine_id,
                measured_at=reading.at,
                value=value,
            )
        )


def _alarm(
    config: DeviceConfig, snapshot: PollerSnapshot, code: int, at: datetime
) -> int:
    previous = snapshot.values.get("alarm_code", 0)
    if code == previous:
        return 0
    snapshot.values["alarm_code"] = code
    Alarm.objects.filter(machine_id=config.machine_id, ended_at__isnull=True).update(
        ended_at=at
    )
    if not code:
        return 1
    known = AlarmCode.objects.filter(code=code).first()
    if known is None:
        problem = _("Unknown alarm code %(code)s.") % {"code": code}
        if problem not in snapshot.problems:
            logger.warning("PLC of %s: %s", config.code, problem)
            snapshot.problems = (snapshot.problems + [problem])[-10:]
    alarm = Alarm.objects.create(
        machine_id=config.machine_id, code=code, alarm_code=known, started_at=at
    )
    if known is not None and known.raises_fault_report:
        from equipment import services

        services.report_fault_from_alarm(alarm)
    return 2


def _set_state(
    config: DeviceConfig,
    snapshot: PollerSnapshot,
    state: str,
    alarm_code: int | None,
    at: datetime,
) -> int:
    current = snapshot.values.get("state")
    if current == state:
        return 0
    open_interval = StateInterval.objects.filter(
        machine_id=config.machine_id, ended_at__isnull=True
    ).first()
    if open_interval is not None and open_interval.state == state:
        snapshot.values["state"] = state
        return 0
    if open_interval is not None:
        open_interval.ended_at = max(at, open_interval.started_at)
        open_interval.save(update_fields=["ended_at"])
    StateInterval.objects.create(
        machine_id=config.machine_id, state=state, started_at=at, alarm_code=alarm_code
    )
    snapshot.values["state"] = state
    snapshot.values["state_since"] = at.timestamp()
    events.publish(
        Event.MACHINE_STATE_CHANGED, machine_id=config.machine_id, state=state
    )
    logger.info("Machine %s is %s", config.code, state)
    return 2


def _downtime(
    config: DeviceConfig, snapshot: PollerSnapshot, state: str, at: datetime
) -> int:
    """Open downtime for long stops, close it on restart, count micro-stops."""
    stop_since = snapshot.values.get("stop_since")
    if state in STOP_STATES:
        if stop_since is None:
            snapshot.values["stop_since"] = at.timestamp()
            return 0
        started = datetime.fromtimestamp(stop_since, tz=UTC)
        if (at - started).total_seconds() < downtime_threshold_seconds():
            return 0
        if snapshot.values.get("downtime_open"):
            return 0
        DowntimeEvent.objects.create(machine_id=config.machine_id, started_at=started)
        snapshot.values["downtime_open"] = True
        events.publish(Event.MACHINE_DOWN, machine_id=config.machine_id, reason=state)
        return 1
    if state in {MachineState.COMMUNICATION_LOST, MachineState.UNKNOWN}:
        return 0
    if stop_since is None:
        return 0
    started = datetime.fromtimestamp(stop_since, tz=UTC)
    snapshot.values["stop_since"] = None
    if snapshot.values.pop("downtime_open", False):
        DowntimeEvent.objects.filter(
            machine_id=config.machine_id, ended_at__isnull=True
        ).update(ended_at=at)
        events.publish(Event.MACHINE_UP, machine_id=config.machine_id)
        return 1
    DowntimeEvent.objects.create(
        machine_id=config.machine_id,
        kind=DowntimeKind.MICRO_STOP,
        started_at=started,
        ended_at=at,
    )
    return 1


def _write_effects(effects: _Effects) -> int:
    written = 0
    if effects.counts:
        rows = [
            (machine_id, minute, good, scrap)
            for (machine_id, minute), (good, scrap) in effects.counts.items()
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO equipment_productioncount "
                "(machine_id, period_start, source, good, scrap) "
                "VALUES (%s, %s, 'plc', %s, %s) "
                "ON CONFLICT (machine_id, period_start, source) DO UPDATE SET "
                "good = equipment_productioncount.good + EXCLUDED.good, "
                "scrap = equipment_productioncount.scrap + EXCLUDED.scrap",
                rows,
            )
        written += len(rows)
    if effects.usage:
        rows = [
            (machine_id, cycles, seconds)
            for machine_id, (cycles, seconds) in effects.usage.items()
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO equipment_machineusage (machine_id, cycles, run_seconds) "
                "VALUES (%s, %s, %s) ON CONFLICT (machine_id) DO UPDATE SET "
                "cycles = equipment_machineusage.cycles + EXCLUDED.cycles, "
                "run_seconds = "
                "equipment_machineusage.run_seconds + EXCLUDED.run_seconds",
                rows,
            )
        written += len(rows)
    if effects.measured:
        MeasuredValue.objects.bulk_create(effects.measured)
        written += len(effects.measured)
    return written


# One synchronous cycle.


def poll_once(
    group: str | None = None, device_ids: Iterable[int] | None = None, poller: str = ""
) -> list[Reading]:
    """Poll the devices once, all at the same time, and store the readings."""
    configs = load_configs(group=group, device_ids=device_ids)
    for config in configs:
        _configs[config.device_id] = (time.monotonic(), config)

    async def read_all() -> list[Reading]:
        return list(await asyncio.gather(*(read_device(config) for config in configs)))

    readings = _run_coroutine(read_all()) if configs else []
    apply_readings(readings, poller=poller or poller_name())
    return readings


def _run_coroutine(coroutine: Any) -> Any:
    """Run a coroutine to its end, also from a thread that has a loop running
    (a browser test's, an async view's): then on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


# The long-running loop of a polling group.


@dataclass
class PollStats:
    """Timing of the polls, for the benchmark and the logs.

    ``keep_samples`` keeps every poll's lateness and duration (benchmarks);
    long runs in workers keep only the counters.
    """

    keep_samples: bool = True
    lateness: list[float] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)
    polls: int = 0
    failures: int = 0
    rows_written: int = 0
    on_time: int = 0
    started_at: float = field(default_factory=time.monotonic)
    poller: str = ""
    write_seconds: float = 0.0

    def record(
        self, interval: float, late: float, duration: float, failed: bool
    ) -> None:
        self.polls += 1
        if self.keep_samples:
            self.lateness.append(late)
            self.durations.append(duration)
        if failed:
            self.failures += 1
        elif late + duration <= interval / 2:
            self.on_time += 1


def run_polling_group(
    group: str,
    seconds: float | None = None,
    stop: threading.Event | None = None,
    stats: PollStats | None = None,
    store: bool = True,
) -> PollStats:
    """Poll the group's devices until ``seconds`` pass or ``stop`` is set.

    Holds the group's lock in Redis for as long as it runs, so two workers
    on the same queue never poll a group twice; returns at once when
    another poller holds it.
    """
    stats = stats or PollStats()
    stop = stop or threading.Event()
    lock = GroupLock(group)
    stats.poller = lock.token
    if not lock.acquire():
        logger.info("Polling group %s already runs elsewhere", group)
        return stats
    executor = ThreadPoolExecutor(
        max_workers=1, thread_name_prefix=f"plc-writer-{group}"
    )
    try:
        asyncio.run(_run_group(group, seconds, stop, stats, executor, lock, store))
    finally:
        try:
            executor.submit(_close_connection).result()
            executor.shutdown()
        finally:
            lock.release()
    return stats


class GroupLock:
    """A Redis lease on a polling group, renewed while the loop runs."""

    def __init__(self, group: str) -> None:
        self.key = f"equipment:polling-group:{group}"
        self.token = poller_name()

    def acquire(self) -> bool:
        return bool(cache.add(self.key, self.token, timeout=LOCK_SECONDS))

    def renew(self) -> bool:
        if cache.get(self.key) != self.token:
            return False
        cache.touch(self.key, timeout=LOCK_SECONDS)
        return True

    def release(self) -> None:
        if cache.get(self.key) == self.token:
            cache.delete(self.key)


async def _run_group(
    group: str,
    seconds: float | None,
    stop: threading.Event,
    stats: PollStats,
    executor: ThreadPoolExecutor,
    lock: GroupLock,
    store: bool,
) -> None:
    loop = asyncio.get_running_loop()
    deadline = None if seconds is None else loop.time() + seconds
    queue: asyncio.Queue[Reading] = asyncio.Queue()
    tasks: dict[int, asyncio.Task[None]] = {}
    configs: dict[int, DeviceConfig] = {}
    poller = lock.token

    def running() -> bool:
        if stop.is_set() or shutting_down.is_set():
            return False
        return deadline is None or loop.time() < deadline

    async def reload() -> None:
        fresh = await loop.run_in_executor(executor, _load_group, group)
        for device_id in list(tasks):
            if device_id not in fresh or fresh[device_id] != configs.get(device_id):
                tasks.pop(device_id).cancel()
            else:
                # Same connection and map: the running loop keeps going.
                configs[device_id].working = fresh[device_id].working
                fresh[device_id] = configs[device_id]
        for device_id, config in fresh.items():
            configs[device_id] = config
            _configs[device_id] = (time.monotonic(), config)
            if device_id not in tasks:
                tasks[device_id] = asyncio.create_task(
                    _device_loop(config, queue, running, stats)
                )

    await reload()
    reloaded_at = loop.time()
    while running():
        await asyncio.sleep(FLUSH_SECONDS)
        batch = _drain(queue)
        if batch and store:
            began = time.monotonic()
            stats.rows_written += await loop.run_in_executor(
                executor, _store_batch, batch, poller
            )
            stats.write_seconds += time.monotonic() - began
        if not await loop.run_in_executor(executor, lock.renew):
            logger.warning("Polling group %s lost its lock; stopping", group)
            break
        if loop.time() - reloaded_at > CONFIG_RELOAD_SECONDS:
            await reload()
            reloaded_at = loop.time()
    for task in tasks.values():
        task.cancel()
    await asyncio.gather(*tasks.values(), return_exceptions=True)
    batch = _drain(queue)
    if batch and store:
        stats.rows_written += await loop.run_in_executor(
            executor, _store_batch, batch, poller
        )


def _close_connection() -> None:
    connection.close()


def _load_group(group: str) -> dict[int, DeviceConfig]:
    close_old_connections()
    return {config.device_id: config for config in load_configs(group=group)}


def _store_batch(batch: list[Reading], poller: str) -> int:
    close_old_connections()
    try:
        return apply_readings(batch, poller=poller)
    except Exception:
        # The PLC counters still hold the parts: the next batch counts them.
        logger.exception("Storing %s readings failed", len(batch))
        return 0


def _drain(queue: asyncio.Queue[Reading]) -> list[Reading]:
    batch = []
    while not queue.empty():
        batch.append(queue.get_nowait())
    return batch


async def _device_loop(
    config: DeviceConfig,
    queue: asyncio.Queue[Reading],
    running: Any,
    stats: PollStats,
) -> None:
    """Poll one device on its interval, backing off while it fails."""
    loop = asyncio.get_running_loop()
    client = DeviceClient(config)
    # Spread the devices over the interval so they do not all poll at once.
    due = loop.time() + (config.device_id * 0.6180339887 % 1.0) * config.interval
    failures = 0
    try:
        while running():
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            started = loop.time()
            reading = await client.read()
            finished = loop.time()
            failed = bool(reading.error)
            stats.record(config.interval, started - due, finished - started, failed)
            queue.put_nowait(reading)
            failures = failures + 1 if failed else 0
            due += config.interval
            if failures >= COMMUNICATION_LOST_AFTER:
                backoff = min(
                    config.interval * 2 ** (failures - COMMUNICATION_LOST_AFTER),
                    MAX_BACKOFF_SECONDS,
                )
                due = max(due, finished + backoff)
            elif due < finished:
                # Skip the slots this poll overran rather than bunching up.
                missed = int((finished - due) // config.interval) + 1
                due += missed * config.interval
    finally:
        client.close()
