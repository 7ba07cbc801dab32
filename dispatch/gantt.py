"""The Gantt chart (甘特图) of a schedule version as server-rendered SVG.

One row per machine (or per work order), a day or a week wide; operations
coloured by order or by status, late ones outlined, kept (locked or
running) ones marked, unavailable time shaded, the current time a line.
Each bar links to the operation's page, where a supervisor locks or moves
it. The SVG is built as one string: 5,000 bars render in well under a
second, with no JavaScript.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from dispatch.models import ScheduledOperation, ScheduleVersion
from dispatch.planner import _end_of_day
from equipment import calendars
from equipment.models import Machine

ROW_HEIGHT = 28
LABEL_WIDTH = 110
HEADER_HEIGHT = 24
ZOOMS = {"day": (timedelta(days=1), 60), "week": (timedelta(days=7), 10)}
PALETTE = 12


@dataclass
class Chart:
    svg: str
    start: datetime
    end: datetime
    bars: int
    previous_start: datetime
    next_start: datetime


def render(
    version: ScheduleVersion,
    start: datetime | None = None,
    zoom: str = "day",
    group: str = "machine",
    color: str = "order",
) -> Chart:
    span, pixels_per_hour = ZOOMS.get(zoom, ZOOMS["day"])
    local_origin = timezone.localtime(start or version.origin)
    window_start = local_origin.replace(minute=0, second=0, microsecond=0)
    if zoom == "week" or start is None:
        window_start = window_start.replace(hour=0)
    window_end = window_start + span
    entries = list(
        ScheduledOperation.objects.filter(
            version=version, start__lt=window_end, end__gt=window_start
        )
        .select_related("operation__work_order", "machine")
        .order_by("machine__code", "start")
    )
    width = LABEL_WIDTH + int(span.total_seconds() / 3600 * pixels_per_hour)
    scale = pixels_per_hour / 3600

    def x(moment: datetime) -> float:
        seconds = min(max(moment, window_start), window_end) - window_start
        return round(LABEL_WIDTH + seconds.total_seconds() * scale, 1)

    rows, row_of = _rows(entries, group)
    height = HEADER_HEIGHT + ROW_HEIGHT * max(1, len(rows))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img">'
    ]
    parts.extend(_grid(window_start, window_end, zoom, x, height))
    if group == "machine":
        parts.extend(_unavailable(rows, window_start, window_end, x))
    for index, (_key, label) in enumerate(rows):
        y = HEADER_HEIGHT + index * ROW_HEIGHT
        parts.append(
            f'<text class="gantt-label" x="4" y="{y + 18}">{escape(label)}</text>'
        )
    for entry in entries:
        parts.append(_bar(entry, row_of, x, color, group))
    now = timezone.now()
    if window_start <= now <= window_end:
        position = x(now)
        parts.append(
            f'<line class="gantt-now" x1="{position}" y1="0" x2="{position}" '
            f'y2="{height}"/>'
        )
    parts.append("</svg>")
    return Chart(
        svg="".join(parts),
        start=window_start,
        end=window_end,
        bars=len(entries),
        previous_start=window_start - span,
        next_start=window_end,
    )


def _rows(
    entries: list[ScheduledOperation], group: str
) -> tuple[list[tuple[object, str]], dict[object, int]]:
    keys: dict[object, str] = {}
    for entry in entries:
        if group == "order":
            keys.setdefault(
                entry.operation.work_order_id, entry.operation.work_order.number
            )
        else:
            keys.setdefault(entry.machine_id, entry.machine.code)
    rows = sorted(keys.items(), key=lambda item: item[1])
    return rows, {key: index for index, (key, _label) in enumerate(rows)}


def _grid(start: datetime, end: datetime, zoom: str, x, height: int) -> list[str]:
    parts = []
    step = timedelta(hours=2) if zoom == "day" else timedelta(days=1)
    moment = start
    while moment < end:
        position = x(moment)
        label = (
            date_format(moment, "H:i")
            if zoom == "day"
            else date_format(moment, "D j M")
        )
        parts.append(
            f'<line class="gantt-grid" x1="{position}" y1="0" x2="{position}" '
            f'y2="{height}"/><text class="gantt-tick" x="{position + 2}" y="16">'
            f"{escape(label)}</text>"
        )
        moment += step
    return parts


def _unavailable(rows, start: datetime, end: datetime, x) -> list[str]:
    """Shade time outside each machine's calendar."""
    machines = Machine.objects.filter(
        pk__in=[key for key, _label in rows]
    ).select_related("work_center__area__site")
    index_of = {key: index for index, (key, _label) in enumerate(rows)}
    parts = []
    for machine in machines:
        working = calendars.working_intervals(machine, start, end)
        cursor = start
        y = HEADER_HEIGHT + index_of[machine.pk] * ROW_HEIGHT
        for begin, finish in [*working, (end, end)]:
            if begin > cursor:
                parts.append(
                    f'<rect class="gantt-off" x="{x(cursor)}" y="{y}" '
                    f'width="{round(x(begin) - x(cursor), 1)}" height="{ROW_HEIGHT}"/>'
                )
            cursor = max(cursor, finish)
    return parts


def _bar(
    entry: ScheduledOperation, row_of: dict[object, int], x, color: str, group: str
) -> str:
    operation = entry.operation
    order = operation.work_order
    key = order.pk if group == "order" else entry.machine_id
    y = HEADER_HEIGHT + row_of[key] * ROW_HEIGHT + 4
    left = x(entry.start)
    width = max(1.0, round(x(entry.end) - left, 1))
    classes = ["gantt-bar"]
    if color == "status":
        classes.append(f"status-{operation.status}")
    else:
        classes.append(f"g{order.pk % PALETTE}")
    if entry.end > _end_of_day(order.due_date):
        classes.append("late")
    if entry.is_kept:
        classes.append("kept")
    if entry.is_affected:
        classes.append("affected")
    title = (
        f"{operation.reference} {operation.name} · {entry.machine.code} · "
        f"{date_format(timezone.localtime(entry.start), 'SHORT_DATETIME_FORMAT')} - "
        f"{date_format(timezone.localtime(entry.end), 'H:i')}"
    )
    href = reverse("dispatch:operation-detail", args=[operation.pk])
    label = ""
    if width > 40:
        label = (
            f'<text class="gantt-text" x="{left + 3}" y="{y + 14}">'
            f"{escape(order.number)}</text>"
        )
    return (
        f'<a href="{href}"><rect class="{" ".join(classes)}" x="{left}" y="{y}" '
        f'width="{width}" height="{ROW_HEIGHT - 8}" rx="2"><title>{escape(title)}'
        f"</title></rect>{label}</a>"
    )
