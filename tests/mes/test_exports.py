"""Report downloads as CSV and Excel."""

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from mes.lib.exports import download

HEADERS = ["Item", "数量", "Share"]
ROWS = [["CAST-100", Decimal("12.500"), 0.25], ["铸件", None, 1]]


def test_csv_has_a_byte_order_mark_and_plain_quantities():
    response = download("csv", "Stock", HEADERS, ROWS, "stock")

    text = response.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert text.startswith("\ufeff")
    assert response["Content-Disposition"] == 'attachment; filename="stock.csv"'
    assert rows == [HEADERS, ["CAST-100", "12.5", "0.25"], ["铸件", "", "1"]]


def test_excel_keeps_numbers_as_numbers():
    response = download("xlsx", "Stock", HEADERS, ROWS, "stock")

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert response["Content-Disposition"] == 'attachment; filename="stock.xlsx"'
    assert sheet.title == "Stock"
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert [cell.value for cell in sheet[2]] == ["CAST-100", 12.5, 0.25]
