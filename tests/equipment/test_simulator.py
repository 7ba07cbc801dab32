"""The simulated PLCs answer real Modbus requests on 127.0.0.1."""

import signal
import subprocess
import sys
import time
from pathlib import Path

from pymodbus.client import ModbusTcpClient

from equipment import simulator
from equipment.simulator import SimulatedMachine, SimulatedPlc, running_plcs

ROOT = Path(__file__).resolve().parents[2]


def read_counts(client: ModbusTcpClient) -> tuple[int, int, int]:
    reply = client.read_holding_registers(0, count=6, device_id=1)
    assert not reply.isError(), reply
    state = reply.registers[simulator.REGISTER_STATE]
    good = client.convert_from_registers(reply.registers[2:4], client.DATATYPE.UINT32)
    scrap = client.convert_from_registers(reply.registers[4:6], client.DATATYPE.UINT32)
    return state, good, scrap


def test_running_machine_counts_parts_over_modbus():
    # given a running machine with a 50 ms cycle behind a simulated PLC
    machine = SimulatedMachine(cycle_seconds=0.05, automatic=False)
    machine.run()
    plc = SimulatedPlc(machine, port=simulator.free_port())

    with running_plcs([plc]):
        client = ModbusTcpClient("127.0.0.1", port=plc.port, timeout=2)
        client.connect()
        # when a client reads the counters twice, half a second apart
        state, good_before, scrap_before = read_counts(client)
        time.sleep(0.5)
        _state, good_after, scrap_after = read_counts(client)
        client.close()

    # then the machine is running and its counters advanced
    assert state == simulator.RUNNING
    produced = (good_after + scrap_after) - (good_before + scrap_before)
    assert 5 <= produced <= 30


def test_stopped_machine_holds_its_counters_and_reports_the_alarm():
    # given a machine that made some parts, then stopped with an alarm
    machine = SimulatedMachine(cycle_seconds=0.05, automatic=False)
    machine.set_counters(good=100, scrap=3)
    machine.stop(alarm_code=412)
    plc = SimulatedPlc(machine, port=simulator.free_port())

    with running_plcs([plc]):
        client = ModbusTcpClient("127.0.0.1", port=plc.port, timeout=2)
        client.connect()
        # when it is read twice
        first = read_counts(client)
        time.sleep(0.2)
        second = read_counts(client)
        alarm = client.read_holding_registers(1, count=1, device_id=1).registers[0]
        bits = client.read_discrete_inputs(0, count=3, device_id=1).bits[:3]
        client.close()

    # then nothing moves and the alarm shows in the register and the input
    assert first == second == (simulator.STOPPED, 100, 3)
    assert alarm == 412
    assert bits == [False, True, False]


def test_command_register_steers_the_machine_and_other_writes_are_refused():
    # given a stopped machine
    machine = SimulatedMachine(cycle_seconds=0.05, automatic=False)
    plc = SimulatedPlc(machine, port=simulator.free_port())

    with running_plcs([plc]):
        client = ModbusTcpClient("127.0.0.1", port=plc.port, timeout=2)
        client.connect()
        # when a client writes "run" to the command register
        command = client.write_register(
            simulator.REGISTER_COMMAND, simulator.COMMAND_RUN, device_id=1
        )
        state = client.read_holding_registers(0, count=1, device_id=1).registers[0]
        # and tries to overwrite the good counter
        forged = client.write_register(simulator.REGISTER_GOOD, 9, device_id=1)
        client.close()

    # then the machine runs and the counter write is refused
    assert not command.isError()
    assert state == simulator.RUNNING
    assert forged.isError()
    assert forged.exception_code == 2


def test_counters_wrap_around_at_32_bits():
    # given a counter one part before its limit
    machine = SimulatedMachine(cycle_seconds=0.05, scrap_rate=0, automatic=False)
    machine.set_counters(good=2**32 - 1, scrap=0)

    # when the machine runs one more cycle
    machine.run()
    time.sleep(0.06)
    registers = machine.holding_registers()

    # then the counter starts again from zero
    assert registers[2:4] == [0, 0] or registers[2:4] == [0, 1]


def test_simulate_plcs_command_serves_and_stops_on_sigterm():
    # given two free consecutive ports
    base_port = simulator.free_port()

    # when the command serves two generic PLCs
    process = subprocess.Popen(
        [sys.executable, "manage.py", "simulate_plcs", "--count", "2",
         "--base-port", str(base_port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        replies = [_read_state_when_up(port) for port in (base_port, base_port + 1)]
    finally:
        process.send_signal(signal.SIGTERM)
        output, errors = process.communicate(timeout=15)

    # then both answered and the command said where and stopped cleanly
    assert replies == [simulator.RUNNING, simulator.RUNNING]
    assert f"PLC0001 listens on 127.0.0.1:{base_port}" in output
    assert f"PLC0002 listens on 127.0.0.1:{base_port + 1}" in output
    assert "Stopped 2 simulated PLCs." in output
    assert process.returncode == 0, errors


def _read_state_when_up(port: int) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        client = ModbusTcpClient("127.0.0.1", port=port, timeout=1)
        if client.connect():
            reply = client.read_holding_registers(0, count=1, device_id=1)
            client.close()
            return reply.registers[0]
        time.sleep(0.2)
    raise AssertionError(f"No simulated PLC on port {port}")


def test_simulate_plcs_serves_each_machine_at_its_plc_port(db):
    # given one machine with a local PLC on port 15999, one without a PLC and
    # one whose PLC is on another host
    from equipment.management.commands.simulate_plcs import Command
    from tests.factories.equipment import make_machine, make_plc_device

    local = make_plc_device(machine=make_machine(code="A1"), port=15999)
    make_machine(code="B1")
    make_plc_device(machine=make_machine(code="C1"), host="10.0.0.9")

    # when the command plans its PLCs from the database
    options = {"base_port": 15020, "host": "127.0.0.1", "speed": 1.0, "count": 0}
    plcs = Command()._plcs(options)

    # then the local PLC's port is used, the machine without a PLC gets
    # base + its index, and the remote PLC is left alone
    assert [(plc.name, plc.port) for plc in plcs] == [
        (local.machine.code, 15999),
        ("B1", 15021),
    ]
