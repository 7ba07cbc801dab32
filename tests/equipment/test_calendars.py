"""Planned production time from shift patterns and holidays."""

from datetime import UTC, date, datetime

from equipment import calendars
from equipment.models import Holiday, Shift
from tests.factories.equipment import (
    make_area,
    make_machine,
    make_shift_pattern,
    make_site,
    make_work_center,
)


def shanghai_machine(pattern=None, **fields):
    site = make_site(time_zone="Asia/Shanghai")
    work_center = make_work_center(area=make_area(site=site), shift_pattern=pattern)
    return make_machine(work_center=work_center, **fields)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def test_machine_without_shift_pattern_works_around_the_clock(db):
    # given a machine with no calendar at all
    machine = shanghai_machine()

    # when its working time for a day is asked
    intervals = calendars.working_intervals(
        machine, utc(2026, 12, 7, 0), utc(2026, 12, 8, 0)
    )

    # then it is the whole day
    assert intervals == [(utc(2026, 12, 7, 0), utc(2026, 12, 8, 0))]


def test_shifts_are_local_time_and_a_night_shift_runs_past_midnight(db):
    # given day and night shifts Monday to Friday in Shanghai (UTC+8)
    pattern = make_shift_pattern(
        [("Day", "12345", "08:00", "16:00"), ("Night", "12345", "22:00", "06:00")]
    )
    machine = shanghai_machine(pattern)

    # when the working time of Friday 2026-12-11 and the weekend is asked
    intervals = calendars.working_intervals(
        machine, utc(2026, 12, 10, 16), utc(2026, 12, 13, 16)
    )

    # then Friday's day shift and the night shift into Saturday are in,
    # and the weekend is free
    assert intervals == [
        (utc(2026, 12, 10, 16), utc(2026, 12, 10, 22)),  # Thu night, 00:00-06:00
        (utc(2026, 12, 11, 0), utc(2026, 12, 11, 8)),  # Fri day 08:00-16:00
        (utc(2026, 12, 11, 14), utc(2026, 12, 11, 22)),  # Fri night 22:00-06:00
    ]


def test_holidays_remove_whole_local_days_for_their_scope(db):
    # given a day shift on weekdays and holidays on Tuesday (plant-wide)
    # and Wednesday (only for another machine)
    pattern = make_shift_pattern([("Day", "12345", "08:00", "16:00")])
    machine = shanghai_machine(pattern)
    other = make_machine(work_center=machine.work_center)
    Holiday.objects.create(date=date(2026, 12, 8), name="Plant holiday")
    Holiday.objects.create(date=date(2026, 12, 9), name="Rebuild", machine=other)

    # when Monday to Wednesday is asked
    start, end = utc(2026, 12, 6, 16), utc(2026, 12, 9, 16)
    intervals = calendars.working_intervals(machine, start, end)

    # then Tuesday is missing for the machine, Wednesday only for the other
    assert intervals == [
        (utc(2026, 12, 7, 0), utc(2026, 12, 7, 8)),
        (utc(2026, 12, 9, 0), utc(2026, 12, 9, 8)),
    ]
    assert calendars.working_intervals(other, start, end) == [
        (utc(2026, 12, 7, 0), utc(2026, 12, 7, 8))
    ]


def test_available_seconds_deducts_breaks_and_sums_a_work_center(db):
    # given two machines on an 8 hour day shift with a 30 minute break
    pattern = make_shift_pattern([("Day", "1234567", "08:00", "16:00")])
    Shift.objects.filter(pattern=pattern).update(break_minutes=30)
    machine = shanghai_machine(pattern)
    make_machine(work_center=machine.work_center)

    # when one day's available time is asked
    start, end = utc(2026, 12, 6, 16), utc(2026, 12, 7, 16)
    one = calendars.available_seconds(machine, start, end)
    both = calendars.available_seconds(machine.work_center, start, end)

    # then each machine has 7.5 hours and the work center twice that
    assert one == 7.5 * 3600
    assert both == 2 * 7.5 * 3600


def test_machine_pattern_overrides_the_work_center_pattern(db):
    # given a work center on days and one machine on nights
    days = make_shift_pattern([("Day", "1234567", "08:00", "16:00")])
    nights = make_shift_pattern([("Night", "1234567", "20:00", "04:00")])
    machine = shanghai_machine(days, shift_pattern=nights)

    # when the shift at 21:00 local time is asked
    found = calendars.shift_at(machine, utc(2026, 12, 7, 13))

    # then it is the machine's night shift
    assert found is not None
    shift, (begin, end) = found
    assert shift.name == "Night"
    assert (begin, end) == (utc(2026, 12, 7, 12), utc(2026, 12, 7, 20))
