"""Quality reports: first-pass yield, defect Pareto, Cpk, suppliers, COPQ.

Each report is a ``Table`` (title, column headers, rows of plain values), so
one page template and one exporter serve them all.

First-pass yield counts inspected sample units that conformed at their first
inspection, from decided inspection orders, by item, operation and machine.
Supplier quality comes from decided receipt inspections of supplied lots.
The cost of poor quality values nonconforming quantities at the unit cost
entered on each nonconformance, by disposition.

Limitations: yields are sample-based (units inspected, not units produced);
rework labour and the cost of inspection itself are not counted in the
cost of poor quality.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from quality import queries
from quality.models import (
    Disposition,
    InspectionOrder,
    InspectionResult,
    InspectionStatus,
    InspectionTrigger,
    Nonconformance,
)

DECIDED = (InspectionStatus.PASSED, InspectionStatus.FAILED)


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    chart: dict[str, Any] | None = None


def _share(part: float, whole: float) -> float | None:
    return round(part / whole * 100, 2) if whole else None


def _decided(start: datetime | None, end: datetime | None) -> Any:
    orders = InspectionOrder.objects.filter(status__in=DECIDED)
    if start:
        orders = orders.filter(decided_at__gte=start)
    if end:
        orders = orders.filter(decided_at__lt=end)
    return orders


def first_pass_yield(
    start: datetime | None = None, end: datetime | None = None
) -> Table:
    """Share of inspected units conforming at first inspection, by group."""
    table = Table(
        str(_("First-pass yield")),
        [
            str(_("Item")),
            str(_("Operation")),
            str(_("Machine")),
            str(_("Inspections")),
            str(_("Units inspected")),
            str(_("Nonconforming units")),
            str(_("First-pass yield %")),
        ],
    )
    grouped = (
        _decided(start, end)
        .values("item__code", "operation__name", "machine__code")
        .annotate(
            orders=Count("id"),
            units=Sum("sample_size"),
            bad=Sum("nonconforming_units"),
        )
        .order_by("item__code", "operation__name", "machine__code")
    )
    for row in grouped:
        units, bad = row["units"] or 0, row["bad"] or 0
        table.rows.append(
            [
                row["item__code"],
                row["operation__name"] or "",
                row["machine__code"] or "",
                row["orders"],
                units,
                bad,
                _share(units - bad, units),
            ]
        )
    return table


def defect_pareto(start: datetime | None = None, end: datetime | None = None) -> Table:
    """Nonconforming results by defect (or failed characteristic), largest first."""
    results = InspectionResult.objects.filter(
        conforms=False, order__in=_decided(start, end)
    )
    counts: dict[str, int] = defaultdict(int)
    for row in results.values(
        "defect_code__code", "defect_code__name", "characteristic__name"
    ):
        if row["defect_code__code"]:
            label = f"{row['defect_code__code']} {row['defect_code__name']}"
        else:
            label = str(
                _("Out of tolerance: %(name)s") % {"name": row["characteristic__name"]}
            )
        counts[label] += 1
    table = Table(
        str(_("Defect Pareto")),
        [str(_("Defect")), str(_("Count")), str(_("Share %")), str(_("Cumulative %"))],
    )
    total = sum(counts.values())
    running = 0
    labels, values, cumulative = [], [], []
    for label, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])):
        running += count
        table.rows.append([label, count, _share(count, total), _share(running, total)])
        labels.append(label.split(" ")[0])
        values.append(count)
        cumulative.append(_share(running, total) or 0)
    table.chart = {"labels": labels, "values": values, "cumulative": cumulative}
    return table


def cpk_table(start: datetime | None = None, end: datetime | None = None) -> Table:
    """Cp and Cpk with confidence per measured characteristic of released standards."""
    table = Table(
        str(_("Process capability (Cpk)")),
        [
            str(_("Quality standard")),
            str(_("Characteristic")),
            str(_("Values")),
            "Cp",
            "Cpk",
            str(_("Cpk lower 95 %")),
            str(_("Cpk upper 95 %")),
            str(_("Flagged points")),
        ],
    )
    for row in queries.capability_summary():
        table.rows.append(
            [
                row.standard_code,
                row.name,
                row.count,
                _round(row.cp),
                _round(row.cpk),
                _round(row.cpk_low),
                _round(row.cpk_high),
                row.flagged,
            ]
        )
    return table


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def supplier_quality(
    start: datetime | None = None, end: datetime | None = None
) -> Table:
    """Receipt inspections per supplier: lots accepted and rejected, defect rate."""
    grouped = (
        _decided(start, end)
        .filter(trigger=InspectionTrigger.RECEIPT, lot__supplier__isnull=False)
        .values("lot__supplier__code", "lot__supplier__name")
        .annotate(
            lots=Count("id"),
            rejected=Count("id", filter=Q(status=InspectionStatus.FAILED)),
            units=Sum("sample_size"),
            bad=Sum("nonconforming_units"),
        )
        .order_by("lot__supplier__code")
    )
    table = Table(
        str(_("Supplier quality")),
        [
            str(_("Supplier")),
            str(_("Lots inspected")),
            str(_("Lots rejected")),
            str(_("Lot acceptance %")),
            str(_("Units inspected")),
            str(_("Nonconforming units")),
            str(_("Nonconforming ppm")),
        ],
    )
    for row in grouped:
        units, bad = row["units"] or 0, row["bad"] or 0
        table.rows.append(
            [
                f"{row['lot__supplier__code']} {row['lot__supplier__name']}",
                row["lots"],
                row["rejected"],
                _share(row["lots"] - row["rejected"], row["lots"]),
                units,
                bad,
                round(bad / units * 1_000_000) if units else None,
            ]
        )
    return table


def cost_of_poor_quality(
    start: datetime | None = None, end: datetime | None = None
) -> Table:
    """Nonconforming quantities and their value by item and disposition."""
    reports = Nonconformance.objects.exclude(disposition="")
    if start:
        reports = reports.filter(dispositioned_at__gte=start)
    if end:
        reports = reports.filter(dispositioned_at__lt=end)
    grouped = (
        reports.values("item__code", "disposition")
        .annotate(
            total_quantity=Sum("quantity"),
            total_cost=Sum(F("quantity") * F("unit_cost")),
        )
        .order_by("item__code", "disposition")
    )
    table = Table(
        str(_("Cost of poor quality")),
        [str(_("Item")), str(_("Disposition")), str(_("Quantity")), str(_("Cost"))],
    )
    total = Decimal(0)
    for row in grouped:
        cost = (row["total_cost"] or Decimal(0)).quantize(Decimal("0.01"))
        total += cost
        table.rows.append(
            [
                row["item__code"],
                str(Disposition(row["disposition"]).label),
                row["total_quantity"],
                cost,
            ]
        )
    table.rows.append([str(_("Total")), "", "", total])
    return table


REPORTS: dict[str, tuple[Any, Callable[..., Table]]] = {
    "first-pass-yield": (_("First-pass yield"), first_pass_yield),
    "defect-pareto": (_("Defect Pareto"), defect_pareto),
    "cpk": (_("Process capability (Cpk)"), cpk_table),
    "supplier-quality": (_("Supplier quality"), supplier_quality),
    "cost-of-poor-quality": (_("Cost of poor quality"), cost_of_poor_quality),
}
