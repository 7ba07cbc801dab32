"""The plant overview, the live board and the machine detail page."""

from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from equipment import calendars, oee, queries
from equipment.models import (
    Alarm,
    DowntimeEvent,
    Machine,
    MaintenanceOrder,
    MaintenancePlan,
    MeasuredValue,
    OrderStatus,
    PollerSnapshot,
    ProductionCount,
    StateInterval,
)
from equipment.services import plan_due_at
from equipment.views import BOARD_ROLES, EQUIPMENT_ROLES
from mes.roles import role_required

TIMELINE_WIDTH = 1440


@role_required(*EQUIPMENT_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "work_centers": queries.work_centers_with_machines(),
        "states": queries.machine_states(),
        "unclassified": queries.unclassified_downtime().count(),
        "open_orders": MaintenanceOrder.objects.filter(
            status__in=[OrderStatus.OPEN, OrderStatus.IN_PROGRESS]
        ).count(),
    }
    return render(request, "equipment/home.html", context)


@role_required(*BOARD_ROLES)
def board(request: HttpRequest) -> HttpResponse:
    """Every machine as a tile coloured by state; htmx refreshes the tiles."""
    context = {
        "groups": board_tiles(),
        "unclassified": queries.unclassified_downtime().count(),
    }
    template = "equipment/board.html#tiles" if request.htmx else "equipment/board.html"
    return render(request, template, context)


def board_tiles() -> list[tuple[Any, list[dict[str, Any]]]]:
    """Tiles per work center: machine, state, since, OEE of today so far."""
    now = timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    work_centers = list(queries.work_centers_with_machines())
    machines = [machine for wc in work_centers for machine in wc.machines.all()]
    states = queries.machine_states([machine.pk for machine in machines])
    figures = _oee_today(machines, start, now)
    waiting = set(queries.unclassified_downtime().values_list("machine_id", flat=True))
    under_maintenance = set(
        MaintenanceOrder.objects.filter(status=OrderStatus.IN_PROGRESS).values_list(
            "machine_id", flat=True
        )
    )
    groups = []
    for work_center in work_centers:
        tiles = [
            {
                "machine": machine,
                "status": states[machine.pk],
                "oee": figures[machine.pk],
                "needs_reason": machine.pk in waiting,
                "under_maintenance": machine.pk in under_maintenance,
            }
            for machine in work_center.machines.all()
        ]
        groups.append((work_center, tiles))
    return groups


BOARD_OEE_SECONDS = 30


def _oee_today(
    machines: list[Machine], start: datetime, now: datetime
) -> dict[int, Any]:
    """OEE since midnight per machine id, shared by every board for a while:
    states change by the second, the day's OEE does not."""
    key = f"equipment:board-oee:{start.isoformat()}"
    cached = cache.get(key)
    if cached is not None and all(machine.pk in cached for machine in machines):
        return cached
    values = {
        pk: figures.oee for pk, figures in oee.machine_oee(machines, start, now).items()
    }
    cache.set(key, values, BOARD_OEE_SECONDS)
    return values


@role_required(*BOARD_ROLES)
def machine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        machine = queries.get_machine(pk)
    except Machine.DoesNotExist:
        raise Http404 from None
    day = _day(request)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    end = start + timedelta(days=1)
    context = {
        "machine": machine,
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "status": queries.machine_states([machine.pk])[machine.pk],
        "available": queries.is_available(machine),
        "timeline": _timeline(machine, start, end),
        "figures": oee.machine_oee([machine], start, min(end, timezone.now()))[
            machine.pk
        ],
        "counts": _hourly_counts(machine, start, end),
        "charts": _value_charts(machine, start, end),
        "alarms": Alarm.objects.filter(machine=machine, started_at__lt=end)
        .exclude(ended_at__lt=start)
        .select_related("alarm_code")[:50],
        "downtime": DowntimeEvent.objects.filter(
            machine=machine, started_at__gte=start, started_at__lt=end
        ).select_related("reason")[:100],
        "orders": MaintenanceOrder.objects.filter(machine=machine).order_by("-due_at")[
            :20
        ],
        "plans": [
            (plan, plan_due_at(plan, timezone.now()))
            for plan in MaintenancePlan.objects.filter(machine=machine, is_active=True)
        ],
        "snapshot": PollerSnapshot.objects.filter(device__machine=machine).first(),
        "usage": getattr(machine, "usage", None),
    }
    return render(request, "equipment/machine_detail.html", context)


def _day(request: HttpRequest) -> Any:
    parsed = parse_date(request.GET.get("day", "") or "")
    return parsed or timezone.localdate()


def _timeline(machine: Machine, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """State intervals of the day as SVG rectangles (one unit a minute)."""
    now = timezone.now()
    intervals = StateInterval.objects.filter(
        machine=machine, started_at__lt=end
    ).exclude(ended_at__lte=start)
    bars = []
    for interval in intervals:
        begin = max(interval.started_at, start)
        finish = min(interval.ended_at or now, end)
        if finish <= begin:
            continue
        x = (begin - start).total_seconds() / 60
        width = max((finish - begin).total_seconds() / 60, 0.5)
        bars.append(
            {
                "x": round(x, 2),
                "width": round(width, 2),
                "state": interval.state,
                "label": interval.get_state_display(),
                "begin": begin,
                "end": finish,
            }
        )
    shifts = calendars.working_intervals(machine, start, end)
    return [
        *bars,
        *[
            {
                "x": round((begin - start).total_seconds() / 60, 2),
                "width": round((finish - begin).total_seconds() / 60, 2),
                "state": "shift",
                "label": "",
                "begin": begin,
                "end": finish,
            }
            for begin, finish in shifts
        ],
    ]


def _hourly_counts(machine: Machine, start: datetime, end: datetime) -> dict[str, int]:
    rows = ProductionCount.objects.filter(
        machine=machine, period_start__gte=start, period_start__lt=end
    ).values_list("good", "scrap")
    good = sum(row[0] for row in rows)
    scrap = sum(row[1] for row in rows)
    return {"good": good, "scrap": scrap, "total": good + scrap}


def _value_charts(
    machine: Machine, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """One SVG polyline per measured tag over the day (x minutes, y 0-100)."""
    values = (
        MeasuredValue.objects.filter(
            machine=machine, measured_at__gte=start, measured_at__lt=end
        )
        .select_related("tag")
        .order_by("tag__name", "measured_at")
    )
    by_tag: dict[Any, list[tuple[float, float]]] = {}
    for value in values:
        minute = (value.measured_at - start).total_seconds() / 60
        by_tag.setdefault(value.tag, []).append((minute, value.value))
    charts = []
    for tag, points in by_tag.items():
        low = min(point[1] for point in points)
        high = max(point[1] for point in points)
        span = (high - low) or 1.0
        coordinates = " ".join(
            f"{x:.1f},{100 - (y - low) / span * 90 - 5:.1f}" for x, y in points
        )
        charts.append(
            {
                "tag": tag,
                "points": coordinates,
                "low": low,
                "high": high,
                "last": points[-1][1],
            }
        )
    return charts
