"""Planned production time from shift patterns and holidays.

A machine follows its own shift pattern, or else its work center's; with
neither it works around the clock. Shifts are defined in the plant's local
time (the site's time zone, else ``settings.TIME_ZONE``), so a shift from
06:00 to 14:00 stays at 06:00 across daylight-saving changes. Holidays remove
whole local days: plant-wide ones (no work center, no machine), the work
center's and the machine's own. Breaks inside a shift count as working time
here; ``Shift.break_minutes`` is deducted by ``available_seconds``.

Planning and dispatch use ``working_intervals`` and ``available_seconds``;
OEE uses them for planned production time.

Limitations: a holiday always removes a whole local day; half days need a
second shift pattern. Break minutes are spread over the shift rather than
placed at a clock time, so ``working_intervals`` still includes them.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from equipment.models import Holiday, Machine, Shift, WorkCenter

Interval = tuple[datetime, datetime]


def plant_zone(machine: Machine) -> ZoneInfo:
    site_zone = machine.work_center.area.site.time_zone
    return ZoneInfo(site_zone or settings.TIME_ZONE)


def working_intervals(
    machine: Machine, start: datetime, end: datetime
) -> list[Interval]:
    """Aware UTC intervals in [start, end) when the machine is planned to work.

    Sorted, non-overlapping. The shift pattern and holidays are read from
    the database on each call.
    """
    if end <= start:
        return []
    pattern_id = machine.shift_pattern_id or machine.work_center.shift_pattern_id
    if pattern_id is None:
        intervals = [(start.astimezone(UTC), end.astimezone(UTC))]
    else:
        shifts = list(Shift.objects.filter(pattern_id=pattern_id))
        intervals = shift_intervals(shifts, plant_zone(machine), start, end)
    holidays = _holiday_intervals(machine, start, end)
    return subtract(intervals, holidays)


def available_seconds(
    work_center_or_machine: WorkCenter | Machine, start: datetime, end: datetime
) -> float:
    """Planned production seconds in [start, end), breaks deducted.

    For a machine, its own working time. For a work center, the sum over its
    active machines (machine-seconds, the capacity loads are measured
    against); a work center without machines counts its own calendar once.
    """
    if isinstance(work_center_or_machine, Machine):
        return _machine_seconds(work_center_or_machine, start, end)
    work_center = work_center_or_machine
    machines = list(
        work_center.machines.filter(is_active=True).select_related(
            "work_center__area__site"
        )
    )
    if not machines:
        machines = [Machine(work_center=work_center, shift_pattern=None)]
    return sum(_machine_seconds(machine, start, end) for machine in machines)


def shift_intervals(
    shifts: Iterable[Shift], zone: ZoneInfo, start: datetime, end: datetime
) -> list[Interval]:
    """The shifts' occurrences clipped to [start, end), merged, in UTC."""
    shifts = list(shifts)
    first_day = start.astimezone(zone).date() - timedelta(days=1)
    last_day = end.astimezone(zone).date()
    intervals: list[Interval] = []
    day = first_day
    while day <= last_day:
        for shift in shifts:
            if str(day.isoweekday()) not in shift.weekdays:
                continue
            begin, finish = _occurrence(shift, day, zone)
            begin, finish = max(begin, start), min(finish, end)
            if begin < finish:
                intervals.append((begin.astimezone(UTC), finish.astimezone(UTC)))
        day += timedelta(days=1)
    return merge(intervals)


def shift_at(machine: Machine, moment: datetime) -> tuple[Shift, Interval] | None:
    """The shift a machine works at ``moment`` and its occurrence, if any."""
    pattern_id = machine.shift_pattern_id or machine.work_center.shift_pattern_id
    if pattern_id is None:
        return None
    zone = plant_zone(machine)
    local_day = moment.astimezone(zone).date()
    for day in (local_day - timedelta(days=1), local_day):
        for shift in Shift.objects.filter(pattern_id=pattern_id):
            if str(day.isoweekday()) not in shift.weekdays:
                continue
            begin, finish = _occurrence(shift, day, zone)
            if begin <= moment < finish:
                return shift, (begin.astimezone(UTC), finish.astimezone(UTC))
    return None


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    """The parts of ``intervals`` outside ``holes`` (both sorted and merged)."""
    result: list[Interval] = []
    for begin, finish in intervals:
        pieces = [(begin, finish)]
        for hole_begin, hole_end in holes:
            next_pieces = []
            for piece_begin, piece_end in pieces:
                if hole_end <= piece_begin or hole_begin >= piece_end:
                    next_pieces.append((piece_begin, piece_end))
                    continue
                if piece_begin < hole_begin:
                    next_pieces.append((piece_begin, hole_begin))
                if hole_end < piece_end:
                    next_pieces.append((hole_end, piece_end))
            pieces = next_pieces
        result.extend(pieces)
    return result


def overlap_seconds(
    intervals: Iterable[Interval], start: datetime, end: datetime
) -> float:
    total = 0.0
    for begin, finish in intervals:
        begin, finish = max(begin, start), min(finish, end)
        if begin < finish:
            total += (finish - begin).total_seconds()
    return total


def _occurrence(shift: Shift, day: date, zone: ZoneInfo) -> Interval:
    begin = datetime.combine(day, shift.start_time, tzinfo=zone)
    end_day = day if shift.end_time > shift.start_time else day + timedelta(days=1)
    finish = datetime.combine(end_day, shift.end_time, tzinfo=zone)
    return begin, finish


def _holiday_intervals(
    machine: Machine, start: datetime, end: datetime
) -> list[Interval]:
    zone = plant_zone(machine)
    first_day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    holidays = Holiday.objects.filter(date__gte=first_day, date__lte=last_day).filter(
        Q(work_center__isnull=True, machine__isnull=True)
        | Q(work_center_id=machine.work_center_id, machine__isnull=True)
        | Q(machine_id=machine.pk)
    )
    intervals = []
    for holiday in holidays:
        begin = datetime.combine(holiday.date, datetime.min.time(), tzinfo=zone)
        finish = datetime.combine(
            holiday.date + timedelta(days=1), datetime.min.time(), tzinfo=zone
        )
        intervals.append((begin.astimezone(UTC), finish.astimezone(UTC)))
    return merge(intervals)


def _machine_seconds(machine: Machine, start: datetime, end: datetime) -> float:
    intervals = working_intervals(machine, start, end)
    total = sum((finish - begin).total_seconds() for begin, finish in intervals)
    pattern_id = machine.shift_pattern_id or machine.work_center.shift_pattern_id
    if pattern_id is None or not intervals:
        return total
    return max(0.0, total - _break_seconds(machine, pattern_id, intervals))


def _break_seconds(
    machine: Machine, pattern_id: int, intervals: list[Interval]
) -> float:
    """Breaks of each shift, in proportion to the part of the shift worked."""
    zone = plant_zone(machine)
    total = 0.0
    for shift in Shift.objects.filter(pattern_id=pattern_id, break_minutes__gt=0):
        first_day = intervals[0][0].astimezone(zone).date() - timedelta(days=1)
        last_day = intervals[-1][1].astimezone(zone).date()
        day = first_day
        while day <= last_day:
            if str(day.isoweekday()) in shift.weekdays:
                begin, finish = _occurrence(shift, day, zone)
                length = (finish - begin).total_seconds()
                worked = overlap_seconds(intervals, begin, finish)
                if length > 0:
                    total += shift.break_minutes * 60 * worked / length
            day += timedelta(days=1)
    return total
