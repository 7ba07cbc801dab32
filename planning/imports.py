"""CSV import of work orders from an ERP export: all rows or none.

The file may be UTF-8 (with or without the byte order mark Excel writes) or
GBK, the encoding Chinese Excel saves CSV in. Headers may be English column
names or their Chinese equivalents. Every row is checked before anything is
saved; one bad row means nothing is imported, and the errors are listed per
row.

Limitations: dates are read as YYYY-MM-DD or YYYY/MM/DD only; other local
date formats are refused with a row error.
"""

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from materials.models import Item, ItemKind
from planning import services
from planning.models import Priority, ProductionPlan, WorkOrder

logger = logging.getLogger(__name__)

MAX_ROWS = 5000
REQUIRED_COLUMNS = ("product", "quantity", "due_date")
OPTIONAL_COLUMNS = ("priority", "customer_reference", "plan", "note", "number")
HEADER_ALIASES = {
    "product": "product",
    "item": "product",
    "product_code": "product",
    "产品": "product",
    "物料编码": "product",
    "产品编码": "product",
    "quantity": "quantity",
    "qty": "quantity",
    "数量": "quantity",
    "due_date": "due_date",
    "due": "due_date",
    "交期": "due_date",
    "交货日期": "due_date",
    "priority": "priority",
    "优先级": "priority",
    "customer_reference": "customer_reference",
    "sales_order": "customer_reference",
    "客户订单号": "customer_reference",
    "销售订单": "customer_reference",
    "plan": "plan",
    "生产计划": "plan",
    "note": "note",
    "备注": "note",
    "number": "number",
    "工单号": "number",
}
PRIORITY_WORDS = {
    "urgent": Priority.URGENT,
    "high": Priority.HIGH,
    "normal": Priority.NORMAL,
    "low": Priority.LOW,
    "紧急": Priority.URGENT,
    "高": Priority.HIGH,
    "普通": Priority.NORMAL,
    "低": Priority.LOW,
}


@dataclass
class ImportResult:
    """Either ``orders`` were created, or ``errors`` say why none were."""

    orders: list[WorkOrder] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(data: bytes) -> str:
    """The file's text, from UTF-8 (BOM or not) or GBK; ValueError otherwise."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("undecodable")


def import_work_orders(data: bytes, actor: Any) -> ImportResult:
    """Check every row of the CSV and create draft orders if all are good."""
    result = ImportResult()
    try:
        text = decode(data)
    except ValueError:
        result.errors.append(
            (0, _("The file is neither UTF-8 nor GBK text; save it as CSV again."))
        )
        return result

    rows, header_error = _read_rows(text)
    if header_error:
        result.errors.append((1, header_error))
        return result

    checked = _check_rows(rows, result.errors)
    if result.errors:
        return result

    with transaction.atomic():
        for values in checked:
            result.orders.append(services.create_work_order(actor, **values))
    logger.info("Imported %s work orders by %s", len(result.orders), actor)
    return result


def _read_rows(text: str) -> tuple[list[dict[str, str]], str]:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        return [], _("The file is empty.")
    columns = [HEADER_ALIASES.get(name.strip().lower(), "") for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        return [], _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        row = {
            column: cell.strip()
            for column, cell in zip(columns, cells, strict=False)
            if column
        }
        rows.append(row)
    if not rows:
        return [], _("The file has a header but no orders.")
    if len(rows) > MAX_ROWS:
        return [], _("At most %(count)s orders per file.") % {"count": MAX_ROWS}
    return rows, ""


def _check_rows(
    rows: list[dict[str, str]], errors: list[tuple[int, str]]
) -> list[dict[str, Any]]:
    codes = {row.get("product", "") for row in rows}
    items = {
        item.code: item
        for item in Item.objects.filter(
            code__in=codes,
            kind__in=[ItemKind.FINISHED_GOOD, ItemKind.SEMI_FINISHED],
            is_active=True,
        )
    }
    plans = {
        plan.code: plan
        for plan in ProductionPlan.objects.filter(
            code__in={row.get("plan", "") for row in rows}
        )
    }
    numbers = [row.get("number", "") for row in rows if row.get("number")]
    taken = set(
        WorkOrder.objects.filter(number__in=numbers).values_list("number", flat=True)
    )
    seen: set[str] = set()
    checked = []
    # Row 1 is the header, so data rows start at 2 as in a spreadsheet.
    for line, row in enumerate(rows, start=2):
        problems: list[str] = []
        values = _check_row(row, items, plans, problems)
        number = row.get("number", "")
        if number and (number in taken or number in seen):
            problems.append(
                _("Order number %(number)s already exists.") % {"number": number}
            )
        seen.add(number)
        errors.extend((line, problem) for problem in problems)
        checked.append(values)
    return checked


def _check_row(
    row: dict[str, str],
    items: dict[str, Item],
    plans: dict[str, ProductionPlan],
    problems: list[str],
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    code = row.get("product", "")
    if code not in items:
        problems.append(
            _("Unknown product %(code)s (a finished or semi-finished item).")
            % {"code": code or "–"}
        )
    else:
        values["product"] = items[code]

    values["quantity"] = _quantity(row.get("quantity", ""), problems)
    values["due_date"] = _due_date(row.get("due_date", ""), problems)
    values["priority"] = _priority(row.get("priority", ""), problems)

    plan_code = row.get("plan", "")
    if plan_code:
        if plan_code not in plans:
            problems.append(_("Unknown plan %(code)s.") % {"code": plan_code})
        else:
            values["plan"] = plans[plan_code]
    values["customer_reference"] = row.get("customer_reference", "")[:100]
    values["note"] = row.get("note", "")
    if row.get("number"):
        values["number"] = row["number"][:30]
    return values


def _quantity(text: str, problems: list[str]) -> Decimal | None:
    try:
        quantity = Decimal(text.replace(",", ""))
    except InvalidOperation:
        problems.append(_("Quantity “%(value)s” is not a number.") % {"value": text})
        return None
    if not quantity.is_finite() or quantity <= 0:
        problems.append(_("The quantity must be greater than zero."))
        return None
    return quantity


def _due_date(text: str, problems: list[str]) -> date | None:
    for pattern in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            due = datetime.strptime(text, pattern).date()  # noqa: DTZ007
            break
        except ValueError:
            continue
    else:
        problems.append(
            _("Due date “%(value)s” is not a date like 2026-12-31.") % {"value": text}
        )
        return None
    if due < timezone.localdate():
        problems.append(_("The due date %(date)s is in the past.") % {"date": text})
    return due


def _priority(text: str, problems: list[str]) -> int:
    if not text:
        return Priority.NORMAL
    if text.isdigit() and int(text) in Priority.values:
        return int(text)
    word = PRIORITY_WORDS.get(text.lower())
    if word is None:
        problems.append(
            _("Priority “%(value)s” is not 1 to 4 or urgent, high, normal, low.")
            % {"value": text}
        )
        return Priority.NORMAL
    return int(word)
