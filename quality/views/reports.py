"""Quality reports on the desk, with CSV and Excel export."""

from datetime import date, datetime, time, timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from mes.lib import exports
from mes.roles import role_required
from quality import charts, reports
from quality.views.common import VIEW_ROLES


def _period(request: HttpRequest) -> tuple[datetime | None, datetime | None, str, str]:
    """The from and to dates of the query string as aware datetimes."""
    start_text = request.GET.get("from", "")
    end_text = request.GET.get("to", "")
    start_date = _date(start_text)
    end_date = _date(end_text)
    zone = timezone.get_current_timezone()
    start = datetime.combine(start_date, time.min, zone) if start_date else None
    end = (
        datetime.combine(end_date + timedelta(days=1), time.min, zone)
        if end_date
        else None
    )
    return start, end, start_text if start_date else "", end_text if end_date else ""


def _date(text: str) -> date | None:
    """A date typed as YYYY-MM-DD; anything else is no limit."""
    try:
        return parse_date(text) if text else None
    except ValueError:
        return None


def _table(name: str, request: HttpRequest) -> tuple[reports.Table, str, str]:
    if name not in reports.REPORTS:
        raise Http404
    start, end, start_text, end_text = _period(request)
    return reports.REPORTS[name][1](start, end), start_text, end_text


@role_required(*VIEW_ROLES)
def report(request: HttpRequest, name: str = "first-pass-yield") -> HttpResponse:
    table, start_text, end_text = _table(name, request)
    chart = None
    if table.chart and table.chart["values"]:
        chart = charts.bar_chart(
            table.chart["labels"],
            table.chart["values"],
            table.chart["cumulative"],
            title=table.title,
        )
    return render(
        request,
        "quality/report.html",
        {
            "table": table,
            "name": name,
            "reports": [
                (slug, label) for slug, (label, _build) in reports.REPORTS.items()
            ],
            "chart": chart,
            "start": start_text,
            "end": end_text,
            "query": request.GET.urlencode(),
        },
    )


@role_required(*VIEW_ROLES)
def report_export(request: HttpRequest, name: str) -> HttpResponse:
    table, _start, _end = _table(name, request)
    filename = f"quality-{name}-{timezone.localdate():%Y%m%d}"
    export_format = request.GET.get("format", "csv")
    return exports.download(
        export_format, table.title, table.headers, table.rows, filename
    )
