"""Demo plant: a pump housing factory with machining and assembly.

Besides the plant model it gets two-shift calendars with holidays, a PLC
for every machine but the leak test stand (which reports by hand), pointing
at the simulated PLCs of ``manage.py simulate_plcs`` (127.0.0.1, port
15020 + the machine's position in code order), the downtime reason tree,
alarm codes and preventive maintenance plans.
"""

from datetime import date, time, timedelta
from decimal import Decimal

from django.utils import timezone

from equipment.management.commands.simulate_plcs import DEFAULT_BASE_PORT
from equipment.models import (
    AlarmCode,
    Area,
    ChecklistItem,
    DowntimeReason,
    Holiday,
    Machine,
    MaintenancePlan,
    PlcDevice,
    Shift,
    ShiftPattern,
    Site,
    Tag,
    WorkCenter,
)
from equipment.simulator import DEADBANDS, REGISTER_MAP

SITE = ("SZ", "Suzhou pump housing plant")
AREAS = [("MACH", "Machining hall"), ("ASSY", "Assembly hall")]
WORK_CENTERS = [
    ("CNC-T", "CNC turning", "MACH"),
    ("CNC-M", "CNC milling", "MACH"),
    ("WASH", "Washing and deburring", "ASSY"),
    ("ASM", "Assembly and test", "ASSY"),
]
# code, name, work center, manufacturer, ideal cycle seconds
MACHINES = [
    ("T01", "Lathe T01", "CNC-T", "DMG Mori", "42"),
    ("T02", "Lathe T02", "CNC-T", "DMG Mori", "42"),
    ("T03", "Lathe T03", "CNC-T", "Haas", "48"),
    ("M01", "Machining center M01", "CNC-M", "Mazak", "95"),
    ("M02", "Machining center M02", "CNC-M", "Mazak", "95"),
    ("W01", "Washer W01", "WASH", "Dürr", "30"),
    ("A01", "Assembly cell A01", "ASM", "In-house", "120"),
    ("A02", "Leak test stand A02", "ASM", "ATEQ", "60"),
]
MACHINES_WITHOUT_PLC = {"A02"}
SHIFTS = [
    ("Early", "123456", time(6), time(14)),
    ("Late", "123456", time(14), time(22)),
]
HOLIDAYS = [
    (date(2027, 1, 1), "New Year's Day"),
    (date(2027, 2, 6), "Spring Festival"),
    (date(2027, 2, 7), "Spring Festival"),
    (date(2027, 2, 8), "Spring Festival"),
    (date(2027, 5, 1), "Labour Day"),
    (date(2027, 10, 1), "National Day"),
]
# code, name, category, planned, parent code
REASONS = [
    ("UNPLANNED", "Unplanned stops", "other", False, None),
    ("BRK-MECH", "Mechanical breakdown", "breakdown", False, "UNPLANNED"),
    ("BRK-ELEC", "Electrical breakdown", "breakdown", False, "UNPLANNED"),
    ("CHANGEOVER", "Changeover", "changeover", False, "UNPLANNED"),
    ("NO-MAT", "No material", "no_material", False, "UNPLANNED"),
    ("NO-OP", "No operator", "no_operator", False, "UNPLANNED"),
    ("QUALITY", "Quality problem", "quality", False, "UNPLANNED"),
    ("PLANNED", "Planned stops", "other", True, None),
    ("PM", "Planned maintenance", "maintenance", True, "PLANNED"),
    ("BREAK", "Break", "break", True, "PLANNED"),
    ("CLEANING", "Cleaning", "other", True, "PLANNED"),
]
# code, text, raises a fault report, failure category
ALARM_CODES = [
    (101, "Spindle overload", False, "mechanical"),
    (205, "Coolant level low", False, "hydraulic"),
    (310, "Door open", False, ""),
    (412, "Tool breakage", True, "tooling"),
    (518, "Servo drive fault", True, "electrical"),
]


def load() -> str:
    site, _created = Site.objects.get_or_create(
        code=SITE[0], defaults={"name": SITE[1], "time_zone": "Asia/Shanghai"}
    )
    pattern = _calendar()
    areas = {
        code: Area.objects.get_or_create(site=site, code=code, defaults={"name": name})[
            0
        ]
        for code, name in AREAS
    }
    work_centers = {
        code: WorkCenter.objects.get_or_create(
            code=code,
            defaults={"name": name, "area": areas[area], "shift_pattern": pattern},
        )[0]
        for code, name, area in WORK_CENTERS
    }
    # Work centers of a demo loaded before calendars existed get the pattern.
    WorkCenter.objects.filter(code__in=work_centers, shift_pattern=None).update(
        shift_pattern=pattern
    )
    machines = []
    for code, name, work_center, manufacturer, cycle in MACHINES:
        machine, _created = Machine.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "work_center": work_centers[work_center],
                "manufacturer": manufacturer,
                "ideal_cycle_seconds": cycle,
            },
        )
        machines.append(machine)
    devices = _plcs(machines)
    _reasons_and_alarms()
    plans = _maintenance_plans({machine.code: machine for machine in machines})
    return (
        f"{len(areas)} areas, {len(work_centers)} work centers, "
        f"{len(MACHINES)} machines, {devices} PLCs, {plans} maintenance plans"
    )


def _calendar() -> ShiftPattern:
    pattern, created = ShiftPattern.objects.get_or_create(
        code="2SHIFT", defaults={"name": "Two shifts, Monday to Saturday"}
    )
    if created:
        for name, weekdays, start, end in SHIFTS:
            Shift.objects.create(
                pattern=pattern,
                name=name,
                weekdays=weekdays,
                start_time=start,
                end_time=end,
                break_minutes=30,
            )
    for day, name in HOLIDAYS:
        Holiday.objects.get_or_create(
            date=day, work_center=None, machine=None, defaults={"name": name}
        )
    return pattern


def _plcs(machines: list[Machine]) -> int:
    ordered = sorted(machines, key=lambda machine: machine.code)
    count = 0
    for index, machine in enumerate(ordered):
        if machine.code in MACHINES_WITHOUT_PLC:
            continue
        device, created = PlcDevice.objects.get_or_create(
            machine=machine,
            defaults={
                "host": "127.0.0.1",
                "port": DEFAULT_BASE_PORT + index,
                "poll_interval_seconds": Decimal("1.0"),
            },
        )
        count += 1
        if not created:
            continue
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
                deadband=Decimal(DEADBANDS.get(name, "0")),
            )
    return count


def _reasons_and_alarms() -> None:
    for code, name, category, planned, parent in REASONS:
        DowntimeReason.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "is_planned": planned,
                "parent": DowntimeReason.objects.filter(code=parent).first(),
            },
        )
    for code, text, raises, category in ALARM_CODES:
        AlarmCode.objects.get_or_create(
            code=code,
            defaults={
                "text": text,
                "raises_fault_report": raises,
                "failure_category": category,
            },
        )


def _maintenance_plans(machines: dict[str, Machine]) -> int:
    now = timezone.now()
    plans = [
        # machine, name, trigger, days, usage, last done days ago, checks
        ("T01", "Weekly lubrication", "calendar", 7, None, 8, _LUBRICATION),
        ("T02", "Weekly lubrication", "calendar", 7, None, 2, _LUBRICATION),
        ("T03", "Weekly lubrication", "calendar", 7, None, 4, _LUBRICATION),
        ("M01", "Spindle inspection", "run_hours", None, 250, 20, _SPINDLE),
        ("M02", "Spindle inspection", "run_hours", None, 250, 20, _SPINDLE),
        ("W01", "Filter change", "cycles", None, 5000, 10, _FILTER),
    ]
    for code, name, trigger, days, usage, ago, checks in plans:
        plan, created = MaintenancePlan.objects.get_or_create(
            machine=machines[code],
            name=name,
            defaults={
                "trigger": trigger,
                "interval_days": days,
                "interval_usage": usage,
                "last_done_at": now - timedelta(days=ago),
                "duration_minutes": 45,
            },
        )
        if created:
            for sequence, (text, expected) in enumerate(checks, start=1):
                ChecklistItem.objects.create(
                    plan=plan,
                    sequence=sequence * 10,
                    text=text,
                    expected_value=expected,
                )
    return len(plans)


_LUBRICATION = [
    ("Way oil level", "between MIN and MAX"),
    ("Chuck greased", "yes"),
    ("Coolant concentration (%)", "6-8"),
]
_SPINDLE = [
    ("Spindle runout (mm)", "<= 0.005"),
    ("Spindle bearing temperature (°C)", "<= 45"),
    ("Drawbar force (kN)", ">= 18"),
]
_FILTER = [("Filter replaced", "yes"), ("Tank cleaned", "yes")]
