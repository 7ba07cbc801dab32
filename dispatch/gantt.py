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


# The fields of a bar, read as plain tuples: model instances cost too much
# at thousands of bars.
BAR_FIELDS = (
    "start",
    "end",
    "machine_id",
    "machine__code",
    "is_kept",
    "is_affected",
    "operation_id",
    "operation__sequence",
    "operation__name",
    "operation__status",
    "operation__work_order_id",
    "operation__work_order__number",
    "operation__work_order__due_date",
)


@dataclass(slots=True)
class _Bar:
    start: datetime
    end: datetime
    machine_id: int
    machine_code: str
    is_kept: bool
    is_affected: bool
    operation_id: int
    sequence: int
    name: str
    status: str
    order_id: int
    order_number: str
    due_date: object


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
    bars = [
        _Bar(*row)
        for row in ScheduledOperation.objects.filter(
            version=version, start__lt=window_end, end__gt=window_start
        )
        .order_by("machine__code", "start")
        .values_list(*BAR_FIELDS)
    ]
    width = LABEL_WIDTH + int(span.total_seconds() / 3600 * pixels_per_hour)
    scale = pixels_per_hour / 3600

    def x(moment: datetime) -> float:
        seconds = min(max(moment, window_start), window_end) - window_start
        return round(LABEL_WIDTH + seconds.total_seconds() * scale, 1)

    rows, row_of = _rows(bars, group)
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
    painter = _Painter(row_of, x, color, group)
    parts.extend(painter.bar(bar) for bar in bars)
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
        bars=len(bars),
        previous_start=window_start - span,
        next_start=window_end,
    )


def _rows(
    bars: list[_Bar], group: str
) -> tuple[list[tuple[object, str]], dict[object, int]]:
    keys: dict[object, str] = {}
    for bar in bars:
        if group == "order":
            keys.setdefault(bar.order_id, bar.order_number)
        else:
            keys.setdefault(bar.machine_id, bar.machine_code)
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


class _Painter:
    """Draws bars; what is the same for every bar is worked out once."""

    def __init__(self, row_of: dict[object, int], x, color: str, group: str) -> None:
        self.row_of = row_of
        self.x = x
        self.color = color
        self.group = group
        self.zone = timezone.get_current_timezone()
        placeholder = reverse("dispatch:operation-detail", args=[0])
        self.href_prefix = placeholder[: placeholder.rindex("0/")]
        self.due_ends: dict[int, datetime] = {}

    def bar(self, bar: _Bar) -> str:
        key = bar.order_id if self.group == "order" else bar.machine_id
        y = HEADER_HEIGHT + self.row_of[key] * ROW_HEIGHT + 4
        left = self.x(bar.start)
        width = max(1.0, round(self.x(bar.end) - left, 1))
        classes = "gantt-bar " + (
            f"status-{bar.status}"
            if self.color == "status"
            else f"g{bar.order_id % PALETTE}"
        )
        due_end = self.due_ends.get(bar.order_id)
        if due_end is None:
            due_end = self.due_ends[bar.order_id] = _end_of_day(bar.due_date)
        if bar.end > due_end:
            classes += " late"
        if bar.is_kept:
            classes += " kept"
        if bar.is_affected:
            classes += " affected"
        local_start = bar.start.astimezone(self.zone)
        local_end = bar.end.astimezone(self.zone)
        title = escape(
            f"{bar.order_number}/{bar.sequence} {bar.name} · {bar.machine_code} · "
            f"{local_start:%Y-%m-%d %H:%M} - {local_end:%H:%M}"
        )
        label = ""
        if width > 40:
            label = (
                f'<text class="gantt-text" x="{left + 3}" y="{y + 14}">'
                f"{escape(bar.order_number)}</text>"
            )
        return (
            f'<a href="{self.href_prefix}{bar.operation_id}/"><rect class="{classes}" '
            f'x="{left}" y="{y}" width="{width}" height="{ROW_HEIGHT - 8}" rx="2">'
            f"<title>{title}</title></rect>{label}</a>"
        )
