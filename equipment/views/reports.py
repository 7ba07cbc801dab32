"""OEE history, losses, downtime Pareto and MTBF/MTTR, with CSV and Excel."""

import csv
import io
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from equipment import oee
from equipment.forms import OeeFilterForm
from equipment.models import Machine
from equipment.views import REPORT_ROLES
from mes.roles import role_required

CHART_HEIGHT = 100


def _selection(request: HttpRequest) -> tuple[OeeFilterForm, list[Machine], int]:
    form = OeeFilterForm(request.GET or None)
    work_center, days = None, 7
    if form.is_valid():
        work_center = form.cleaned_data["work_center"]
        days = form.cleaned_data["days"] or 7
    machines = Machine.objects.filter(is_active=True).select_related(
        "work_center__area__site"
    )
    if work_center is not None:
        machines = machines.filter(work_center=work_center)
    return form, list(machines.order_by("code")), days


def report_data(machines: list[Machine], days: int) -> dict[str, Any]:
    now = timezone.now()
    windows = oee.day_windows(now, days)
    start, end = windows[0][0], min(windows[-1][1], now)
    per_machine = oee.machine_oee(machines, start, end)
    daily = oee.oee_by_day(machines, [(b, min(f, now)) for b, f in windows])
    total = oee.combined(per_machine.values())
    ids = [machine.pk for machine in machines]
    return {
        "start": start,
        "end": end,
        "rows": [(machine, per_machine[machine.pk]) for machine in machines],
        "total": total,
        "daily": daily,
        "bars": _bars(daily),
        "chart_width": len(daily) * 40 + 10,
        "pareto": oee.downtime_pareto(ids, start, end),
        "micro_stops": sum(oee.micro_stops(ids, start, end).values()),
        "losses": _loss_rows(total),
        "reliability": oee.reliability(machines, start, end),
        "reliability_by_category": [
            row
            for row in oee.reliability(machines, start, end, by_category=True)
            if row.failures
        ],
        "shifts": oee.oee_by_shift(machines, start, end),
    }


def _bars(daily: list[tuple[datetime, oee.OeeFigures]]) -> list[dict[str, Any]]:
    bars = []
    for index, (day, figures) in enumerate(daily):
        value = figures.oee or 0.0
        height = min(value, 1.0) * CHART_HEIGHT
        bars.append(
            {
                "x": index * 40 + 5,
                "y": CHART_HEIGHT - height,
                "height": height,
                "day": day,
                "value": figures.oee,
            }
        )
    return bars


def _loss_rows(total: oee.OeeFigures) -> list[tuple[str, float, float]]:
    planned = total.planned_seconds or 1.0
    return [
        (label, seconds / 3600, seconds / planned) for label, seconds in total.losses()
    ]


@role_required(*REPORT_ROLES)
def oee_report(request: HttpRequest) -> HttpResponse:
    form, machines, days = _selection(request)
    context = {"form": form, "days": days, **report_data(machines, days)}
    return render(request, "equipment/oee_report.html", context)


@role_required(*REPORT_ROLES)
def oee_export(request: HttpRequest) -> HttpResponse:
    """The report's per-machine table as CSV or, with ?format=xlsx, Excel."""
    _form, machines, days = _selection(request)
    data = report_data(machines, days)
    header = [
        _("Machine"),
        _("Work center"),
        _("Planned hours"),
        _("Run hours"),
        _("Good quantity"),
        _("Scrap quantity"),
        _("Availability"),
        _("Performance"),
        _("Quality"),
        _("OEE"),
    ]
    rows = [
        [
            machine.code,
            machine.work_center.code,
            round(figures.planned_seconds / 3600, 2),
            round(figures.run_seconds / 3600, 2),
            figures.good,
            figures.scrap,
            _round(figures.availability),
            _round(figures.performance),
            _round(figures.quality),
            _round(figures.oee),
        ]
        for machine, figures in data["rows"]
    ]
    stamp = timezone.localdate().isoformat()
    if request.GET.get("format") == "xlsx":
        return _excel(header, rows, f"oee-{stamp}.xlsx")
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(output.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="oee-{stamp}.csv"'
    return response


def _round(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


def _excel(header: list[str], rows: list[list[Any]], filename: str) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "OEE"
    sheet.append([str(cell) for cell in header])
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
