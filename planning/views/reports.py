"""Capacity check and plan-against-actual pages, with CSV and Excel export."""

import csv
import io
from datetime import date, timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from mes.roles import role_required
from planning import capacity, performance
from planning.forms import CapacityForm, PerformanceForm
from planning.models import ProductionPlan
from planning.services import VIEWER_ROLES

CHART_WIDTH = 720
CHART_ROW = 34


@role_required(*VIEWER_ROLES)
def capacity_view(request: HttpRequest) -> HttpResponse:
    form = CapacityForm(request.GET or None)
    start, size, count = timezone.localdate(), capacity.WEEK, 8
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        size = form.cleaned_data["size"] or size
        count = form.cleaned_data["count"] or count
    rows = capacity.capacity_check(start, count, size)
    periods = capacity.buckets_for(start, count, size)
    context = {"form": form, "rows": rows, "periods": periods, "size": size}
    return render(request, "planning/capacity.html", context)


def _scope(request: HttpRequest) -> tuple[PerformanceForm, dict[str, Any]]:
    form = PerformanceForm(request.GET or None)
    today = timezone.localdate()
    scope: dict[str, Any] = {
        "plan": None,
        "due_from": today.replace(day=1),
        "due_to": _month_end(today),
    }
    if form.is_valid():
        plan = form.cleaned_data["plan"]
        if plan is not None:
            scope = {"plan": plan, "due_from": None, "due_to": None}
        else:
            scope["due_from"] = form.cleaned_data["due_from"] or scope["due_from"]
            scope["due_to"] = form.cleaned_data["due_to"] or scope["due_to"]
    return form, scope


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


@role_required(*VIEWER_ROLES)
def performance_view(request: HttpRequest) -> HttpResponse:
    form, scope = _scope(request)
    orders = performance.orders_in_scope(**scope)
    figures = performance.figures_for(orders, plan=scope["plan"])
    context = {
        "form": form,
        "scope": scope,
        "figures": figures,
        "chart": _chart(figures),
        "query": request.GET.urlencode(),
    }
    return render(request, "planning/performance.html", context)


def _chart(figures: performance.Figures) -> dict[str, Any]:
    """Bars of planned and made per product, sized for an SVG."""
    top = max(
        [p.planned for p in figures.products] + [p.made for p in figures.products] + [1]
    )
    label_width = 120
    scale = (CHART_WIDTH - label_width - 60) / float(top)
    bars = []
    for index, product in enumerate(figures.products):
        y = 10 + index * CHART_ROW
        bars.append(
            {
                "label": product.code,
                "y": y,
                "text_y": y + 14,
                "planned_width": max(1, round(float(product.planned) * scale)),
                "made_width": max(1, round(float(product.made) * scale)),
                "made_y": y + 12,
                "attainment": product.attainment,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": 20 + len(bars) * CHART_ROW,
        "x": label_width,
    }


EXPORT_HEADER = [
    gettext_noop("Number"),
    gettext_noop("Product"),
    gettext_noop("Plan"),
    gettext_noop("Status"),
    gettext_noop("Quantity"),
    gettext_noop("Good"),
    gettext_noop("Scrap"),
    gettext_noop("Due date"),
    gettext_noop("Completed on"),
    gettext_noop("On time"),
    gettext_noop("Late"),
    gettext_noop("At risk"),
    gettext_noop("Lead time (days)"),
]


def _header() -> list[str]:
    return [_(name) for name in EXPORT_HEADER]


@role_required(*VIEWER_ROLES)
def performance_export(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in ("csv", "xlsx"):
        raise Http404
    _form, scope = _scope(request)
    figures = performance.figures_for(
        performance.orders_in_scope(**scope), plan=scope["plan"]
    )
    rows = performance.export_rows(figures)
    name = _file_name(scope)
    if file_format == "xlsx":
        return _excel(figures, rows, name)
    buffer = io.StringIO()
    # A byte order mark lets Excel open the UTF-8 file with Chinese intact.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(_header())
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _file_name(scope: dict[str, Any]) -> str:
    plan: ProductionPlan | None = scope["plan"]
    if plan is not None:
        return f"plan-vs-actual-{plan.code}"
    return f"plan-vs-actual-{scope['due_from']}-{scope['due_to']}"


def _excel(
    figures: performance.Figures, rows: list[list[Any]], name: str
) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Summary")[:31]
    for label, value in [
        (_("Orders"), figures.order_count),
        (_("Planned"), figures.planned),
        (_("Made"), figures.made),
        (_("Scrapped"), figures.scrapped),
        (_("Attainment (%)"), figures.attainment),
        (_("On-time rate (%)"), figures.on_time_rate),
        (_("Late orders"), figures.late_count),
        (_("Orders at risk"), figures.at_risk_count),
        (_("Lead time (days)"), figures.lead_time_days),
    ]:
        summary.append([label, value])
    sheet = workbook.create_sheet(_("Orders")[:31])
    sheet.append(_header())
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(),
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
