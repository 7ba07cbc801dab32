from datetime import time
from itertools import count

from equipment.models import Area, Machine, Shift, ShiftPattern, Site, WorkCenter

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
