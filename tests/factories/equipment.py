from datetime import time
from decimal import Decimal
from itertools import count

from equipment.models import (
    Area,
    Machine,
    PlcDevice,
    Shift,
    ShiftPattern,
    Site,
    Tag,
    WorkCenter,
)
from equipment.simulator import REGISTER_MAP

_sequence = count(1)


def make_site(**fields: object) -> Site:
    number = next(_sequence)
    values = {"code": f"S{number}", "name": f"Site {number}"} | fields
    return Site.objects.create(**values)


def make_area(site: Site | None = None, **fields: object) -> Area:
    number = next(_sequence)
    values = {"code": f"A{number}", "name": f"Area {number}"} | fields
    return Area.objects.create(site=site or make_site(), **values)


def make_work_center(area: Area | None = None, **fields: object) -> WorkCenter:
    number = next(_sequence)
    values = {"code": f"WC{number}", "name": f"Work center {number}"} | fields
    return WorkCenter.objects.create(area=area or make_area(), **values)


def make_machine(work_center: WorkCenter | None = None, **fields: object) -> Machine:
    number = next(_sequence)
    values = {"code": f"M{number}", "name": f"Machine {number}"} | fields
    return Machine.objects.create(
        work_center=work_center or make_work_center(), **values
    )


def make_shift_pattern(
    shifts: list[tuple[str, str, str, str]] | None = None, **fields: object
) -> ShiftPattern:
    """A pattern with shifts given as (name, weekdays, start, end) strings."""
    number = next(_sequence)
    values = {"code": f"SP{number}", "name": f"Pattern {number}"} | fields
    pattern = ShiftPattern.objects.create(**values)
    for name, weekdays, start, end in shifts or [("Day", "12345", "08:00", "16:00")]:
        Shift.objects.create(
            pattern=pattern,
            name=name,
            weekdays=weekdays,
            start_time=time.fromisoformat(start),
            end_time=time.fromisoformat(end),
        )
    return pattern


def make_plc_device(
    machine: Machine | None = None, port: int = 502, **fields: object
) -> PlcDevice:
    """A PLC on 127.0.0.1 with the simulated PLC's register map."""
    values = {"host": "127.0.0.1", "port": port, "timeout_seconds": Decimal("0.5")}
    device = PlcDevice.objects.create(
        machine=machine or make_machine(), **(values | fields)
    )
    for name, kind, address, data_type, order, scale, role, unit in REGISTER_MAP:
        Tag.objects.create(
            device=device,
            name=name,
            register_kind=kind,
            address=address,
            data_type=data_type,
            word_order=order,
            scale=Decimal(scale),
            role=role,
            unit=unit,
        )
    return device
