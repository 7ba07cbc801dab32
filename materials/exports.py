"""Materials tables as CSV or Excel downloads (stock overview, recall)."""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

from materials.models import plain_quantity

EXCEL_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def _cell(value: Any, *, excel: bool = False) -> Any:
    """Numbers stay numbers in Excel; CSV shows quantities without zeros."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value) if excel else plain_quantity(value)
    return value if isinstance(value, int | float) else str(value)


def download(
    export_format: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    filename: str,
) -> HttpResponse:
    """A CSV (UTF-8 with byte order mark, for Chinese) or Excel file."""
    if export_format == "xlsx":
        return _excel(title, headers, rows, filename)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _excel(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    filename: str,
) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for row in rows:
        sheet.append([_cell(value, excel=True) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(output.getvalue(), content_type=EXCEL_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
