"""Read-side selectors of materials: stock, open receipts, genealogy.

Other apps read materials through these functions (planning's requirements
use ``on_hand_by_item`` and ``open_receipts_by_item``; quality's recall
uses the traces).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from materials.genealogy import Trace, TracedLot, trace_backward, trace_forward
from materials.models import (
    Item,
    Location,
    Lot,
    LotStatus,
    MoveKind,
    PurchasePlanLine,
    PurchasePlanStatus,
    StockBalance,
    StockMove,
)

__all__ = [
    "OpenReceipt",
    "RecallEntry",
    "ReorderSuggestion",
    "LocationRow",
    "location_tree",
    "lots_issued_to",
    "search_lots",
    "on_hand_by_item",
    "open_purchase_plan_lines",
    "open_receipts_by_item",
    "recall_report",
    "reorder_suggestions",
    "search_items",
    "trace_backward",
    "trace_forward",
    "usable_balances",
]


def search_items(text: str = "", kind: str = "") -> QuerySet[Item]:
    """Active items whose code or name contains ``text``."""
    items = Item.objects.select_related("unit").filter(is_active=True)
    if kind:
        items = items.filter(kind=kind)
    if text:
        items = items.filter(Q(code__icontains=text) | Q(name__icontains=text))
    return items.order_by("code")


def usable_balances() -> QuerySet[StockBalance]:
    """Balances that may be issued: non-lot stock and available, unexpired lots."""
    today = timezone.localdate()
    return StockBalance.objects.filter(quantity__gt=0).filter(
        Q(lot__isnull=True)
        | (
            Q(lot__status=LotStatus.AVAILABLE)
            & (Q(lot__expires_on__isnull=True) | Q(lot__expires_on__gte=today))
        )
    )


def on_hand_by_item(item_ids: list[int] | None = None) -> dict[int, Decimal]:
    """Usable stock per item id (available lots and non-lot stock)."""
    balances = usable_balances()
    if item_ids is not None:
        balances = balances.filter(item_id__in=item_ids)
    totals = balances.values("item_id").annotate(total=Sum("quantity"))
    return {row["item_id"]: row["total"] for row in totals}


@dataclass(frozen=True)
class OpenReceipt:
    item_id: int
    needed_by: datetime.date
    quantity: Decimal
    purchase_plan_line_id: int
    purchase_plan_number: str


def open_purchase_plan_lines() -> QuerySet[PurchasePlanLine]:
    """Lines of approved purchase plans still to be received, by need date."""
    return (
        PurchasePlanLine.objects.filter(
            plan__status=PurchasePlanStatus.APPROVED,
            received_quantity__lt=F("quantity"),
        )
        .select_related("plan", "item", "item__unit", "supplier")
        .order_by("needed_by", "pk")
    )


def open_receipts_by_item(item_ids: list[int] | None = None) -> list[OpenReceipt]:
    """Quantities still to arrive on approved purchase plans, by need date."""
    lines = open_purchase_plan_lines()
    if item_ids is not None:
        lines = lines.filter(item_id__in=item_ids)
    return [
        OpenReceipt(
            item_id=line.item_id,
            needed_by=line.needed_by,
            quantity=line.open_quantity,
            purchase_plan_line_id=line.pk,
            purchase_plan_number=line.plan.number,
        )
        for line in lines
    ]


def lots_issued_to(reference: str) -> QuerySet[Lot]:
    """Lots issued or consumed under an order reference."""
    lot_ids = StockMove.objects.filter(
        reference=reference,
        kind__in=[MoveKind.ISSUE, MoveKind.CONSUMPTION],
        lot__isnull=False,
    ).values("lot_id")
    return Lot.objects.filter(pk__in=lot_ids).select_related("item")


@dataclass(frozen=True)
class ReorderSuggestion:
    item: Item
    on_hand: Decimal
    open_receipts: Decimal
    quantity: Decimal
    needed_by: datetime.date


def reorder_suggestions() -> list[ReorderSuggestion]:
    """Items whose on hand plus open receipts fall below the reorder point.

    The suggested quantity is the reorder quantity, or more when that would
    not bring the item back up to its reorder point.
    """
    items = list(
        Item.objects.filter(is_active=True, reorder_point__gt=0).select_related(
            "unit", "preferred_supplier"
        )
    )
    ids = [item.pk for item in items]
    on_hand = on_hand_by_item(ids)
    incoming: dict[int, Decimal] = {}
    for receipt in open_receipts_by_item(ids):
        incoming[receipt.item_id] = (
            incoming.get(receipt.item_id, Decimal(0)) + receipt.quantity
        )
    today = timezone.localdate()
    suggestions = []
    for item in items:
        stock = on_hand.get(item.pk, Decimal(0))
        arriving = incoming.get(item.pk, Decimal(0))
        projected = stock + arriving
        if projected >= item.reorder_point:
            continue
        quantity = max(item.reorder_quantity, item.reorder_point - projected)
        suggestions.append(
            ReorderSuggestion(
                item=item,
                on_hand=stock,
                open_receipts=arriving,
                quantity=quantity,
                needed_by=today + datetime.timedelta(days=item.lead_time_days),
            )
        )
    return suggestions


@dataclass(frozen=True)
class RecallEntry:
    """A lot a suspect lot went into, with where its stock is now."""

    lot: TracedLot
    depth: int
    on_hand: list[tuple[str, Decimal]]

    @property
    def total_on_hand(self) -> Decimal:
        return sum((quantity for _code, quantity in self.on_hand), Decimal(0))


def recall_report(lot: Lot) -> tuple[Trace, list[RecallEntry]]:
    """Every finished lot (and every last lot) a suspect lot went into.

    Each entry lists the locations holding its stock now; an empty list
    means the lot has left stock (consumed, shipped or scrapped).
    """
    forward = trace_forward(lot)
    depths = forward.depths()
    touched = [
        traced
        for traced in forward.reached
        if traced.is_finished_good or not forward.branches.get(traced.id)
    ]
    where: dict[int, list[tuple[str, Decimal]]] = {}
    balances = (
        StockBalance.objects.filter(
            lot_id__in=[traced.id for traced in touched], quantity__gt=0
        )
        .values_list("lot_id", "location__code", "quantity")
        .order_by("location__code")
    )
    for lot_id, location_code, quantity in balances:
        where.setdefault(lot_id, []).append((location_code, quantity))
    entries = [
        RecallEntry(traced, depths.get(traced.id, 0), where.get(traced.id, []))
        for traced in touched
    ]
    return forward, entries


def stock_overview(
    text: str = "", kind: str = "", location_ids: list[int] | None = None
) -> QuerySet[Item]:
    """Items with their stock: on hand, available, in quarantine, on hold.

    ``location_ids`` limits the figures to those locations.
    """
    where = Q()
    if location_ids is not None:
        where = Q(balances__location_id__in=location_ids)

    def total(condition: Q) -> Coalesce:
        return Coalesce(Sum("balances__quantity", filter=where & condition), Decimal(0))

    items = search_items(text, kind).annotate(
        on_hand=total(Q()),
        available=total(
            Q(balances__lot__isnull=True) | Q(balances__lot__status=LotStatus.AVAILABLE)
        ),
        in_quarantine=total(Q(balances__lot__status=LotStatus.QUARANTINE)),
        on_hold=total(Q(balances__lot__status=LotStatus.ON_HOLD)),
    )
    return items


def stock_summary() -> dict[str, int]:
    """Counts for the stock page's cards."""
    in_stock = Lot.objects.filter(balances__quantity__gt=0).distinct()
    return {
        "items_in_stock": StockBalance.objects.filter(quantity__gt=0)
        .values("item_id")
        .distinct()
        .count(),
        "lots_available": in_stock.filter(status=LotStatus.AVAILABLE).count(),
        "lots_in_quarantine": in_stock.filter(status=LotStatus.QUARANTINE).count(),
        "lots_on_hold": in_stock.filter(status=LotStatus.ON_HOLD).count(),
    }


def locations_under(location_id: int) -> list[int]:
    """A location and every location below it in the tree."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE tree(id) AS (
                SELECT %s::bigint
                UNION
                SELECT child.id FROM materials_location child
                JOIN tree ON child.parent_id = tree.id
            )
            SELECT id FROM tree
            """,
            [location_id],
        )
        return [row[0] for row in cursor.fetchall()]


def balances_of(
    *, item: Item | None = None, lot: Lot | None = None
) -> QuerySet[StockBalance]:
    """Where an item's or a lot's stock is, by location."""
    balances = StockBalance.objects.filter(quantity__gt=0).select_related(
        "lot", "location", "item__unit"
    )
    if item is not None:
        balances = balances.filter(item=item)
    if lot is not None:
        balances = balances.filter(lot=lot)
    return balances.order_by("location__code", "lot__code")


def moves_of(
    *, item: Item | None = None, lot: Lot | None = None, limit: int = 200
) -> QuerySet[StockMove]:
    """The latest stock moves of an item or a lot, newest first."""
    moves = StockMove.objects.select_related(
        "lot", "from_location", "to_location", "moved_by", "item__unit"
    )
    if item is not None:
        moves = moves.filter(item=item)
    if lot is not None:
        moves = moves.filter(lot=lot)
    return moves.order_by("-moved_at", "-id")[:limit]


def search_lots(text: str = "", status: str = "") -> QuerySet[Lot]:
    """Lots by code, item or supplier lot code, with their stock on hand."""
    lots = Lot.objects.select_related("item", "item__unit").annotate(
        on_hand=Coalesce(Sum("balances__quantity"), Decimal(0))
    )
    # Without a status, only lots that still have stock.
    lots = lots.filter(status=status) if status else lots.filter(on_hand__gt=0)
    if text:
        lots = lots.filter(
            Q(code__icontains=text)
            | Q(item__code__icontains=text)
            | Q(supplier_lot_code__icontains=text)
        )
    return lots.order_by("-created_at", "-id")


@dataclass(frozen=True)
class LocationRow:
    location: Location
    depth: int
    stock_lines: int


def location_tree() -> list[LocationRow]:
    """Active locations in tree order (warehouse, its zones, their bins)."""
    locations = list(Location.objects.filter(is_active=True).order_by("code"))
    lines = dict(
        StockBalance.objects.filter(quantity__gt=0)
        .values("location_id")
        .annotate(count=Count("id"))
        .values_list("location_id", "count")
    )
    children: dict[int | None, list[Location]] = {}
    known = {location.pk for location in locations}
    for location in locations:
        parent = location.parent_id if location.parent_id in known else None
        children.setdefault(parent, []).append(location)
    rows: list[LocationRow] = []
    stack = [(location, 0) for location in reversed(children.get(None, []))]
    while stack:
        location, depth = stack.pop()
        rows.append(LocationRow(location, depth, lines.get(location.pk, 0)))
        below = children.get(location.pk, [])
        stack.extend((child, depth + 1) for child in reversed(below))
    return rows
