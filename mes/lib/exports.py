"""Report tables as downloads: CSV for any tool, Excel for people.

Every report of the MES that offers an export hands its title, column
headers and rows to ``download``. CSV files are UTF-8 with a byte order
mark so that spreadsheet programs read Chinese text; Excel files keep
numbers as numbers.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

EXCEL_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def download(
    export_format: str,
    title: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    filename: str,
) -> HttpResponse:
    """The table as ``filename.csv`` or, for "xlsx", ``filename.xlsx``."""
    if export_format == "xlsx":
        return _excel(title, headers, rows, filename)
    return _csv(headers, rows, filename)


def _csv(
    headers: Sequence[Any], rows: Iterable[Sequence[Any]], filename: str
) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([str(header) for header in headers])
    for row in rows:
        writer.writerow([_text_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _excel(
    title: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    filename: str,
) -> HttpResponse:
    # openpyxl is only needed for downloads; keep it out of start-up.
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(title)[:31]
    sheet.append([str(header) for header in headers])
    for row in rows:
        sheet.append([_excel_cell(value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(output.getvalue(), content_type=EXCEL_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _text_cell(value: Any) -> Any:
    """Quantities without trailing zeros (12.500 -> 12.5); blanks for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value if isinstance(value, int | float) else str(value)


def _excel_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    return value if isinstance(value, int | float) else str(value)
