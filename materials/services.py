"""Domain verbs of materials: receive, move, issue, consume, produce, scrap.

Every verb runs in one transaction and changes nothing when it refuses: it
raises ``StockError`` with a translated reason. Locks are taken in one fixed
order so that two verbs never wait on each other in a circle: first the
items of non-lot stock, then the lots, each by primary key, then the stock
balances by primary key. Since a balance belongs to one lot (or one non-lot
item), every writer of a balance already holds its lot's (or item's) lock.
Each verb posts immutable ``StockMove`` rows and changes the balances with
``F()`` expressions; the CHECK constraint on ``StockBalance`` is the last
guard against a negative balance.

Stock moves are their own audit trail (who, when, reference, reason, and
append-only in the database); lot creation and every status change go to
``mes.audit`` as well.

Limitations: lots are not split into sub-lots on a transfer; moving part of
a lot keeps its code at both locations. ``record_output`` given bare input
lots links them with all their consumption under the same reference, so an
order producing several output lots links each one with the whole
consumption; dispatch passes (lot, quantity) pairs to avoid that. A stock
count does not freeze its locations: moves posted while counting are
allowed, and approval brings the booked stock to the counted quantity.
"""

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from materials import queries
from materials.models import (
    QUANTITY_DECIMALS,
    QUANTITY_DIGITS,
    Item,
    Location,
    LocationKind,
    Lot,
    LotLink,
    LotStatus,
    MoveKind,
    PurchasePlan,
    PurchasePlanLine,
    PurchasePlanStatus,
    StockBalance,
    StockCount,
    StockCountLine,
    StockCountStatus,
    StockError,
    StockMove,
    Supplier,
    plain_quantity,
)
from mes import audit
from mes.events import Event, publish

logger = logging.getLogger(__name__)

DEFAULT_LOT_CODE_PATTERN = "L{date:%y%m%d}-{sequence:05d}"
MAX_QUANTITY = Decimal(10) ** (QUANTITY_DIGITS - QUANTITY_DECIMALS)


# Quantities and codes ------------------------------------------------------


def parse_quantity(
    value: Any, item: Item | None = None, *, allow_zero: bool = False
) -> Decimal:
    """Turn user or caller input into a positive Decimal, or refuse it.

    The number of decimal places is limited by the item's unit of measure.
    """
    try:
        quantity = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise StockError(_("%(value)s is not a quantity.") % {"value": value}) from None
    if not quantity.is_finite():
        raise StockError(_("%(value)s is not a quantity.") % {"value": value})
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise StockError(_("The quantity must be greater than zero."))
    if quantity >= MAX_QUANTITY:
        raise StockError(_("The quantity is too large."))
    decimals = item.unit.decimals if item is not None else QUANTITY_DECIMALS
    if quantity != quantity.quantize(Decimal(1).scaleb(-decimals)):
        raise StockError(
            _("Quantities in %(unit)s have at most %(decimals)s decimal places.")
            % {"unit": item.unit if item else "", "decimals": decimals}
        )
    return quantity


def next_lot_code(item: Item, at: datetime.datetime | None = None) -> str:
    """A new lot code from the MATERIALS_LOT_CODE_PATTERN setting.

    The pattern may use ``{item}`` (item code), ``{date}`` (a datetime in
    the plant's time zone, e.g. ``{date:%Y%m%d}``) and ``{sequence}`` (a
    database sequence, e.g. ``{sequence:06d}``).
    """
    pattern = getattr(settings, "MATERIALS_LOT_CODE_PATTERN", DEFAULT_LOT_CODE_PATTERN)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('materials_lot_code_seq')")
        sequence = cursor.fetchone()[0]
    moment = timezone.localtime(at or timezone.now())
    return pattern.format(item=item.code, date=moment, sequence=sequence)


def _next_number(sequence_name: str, prefix: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [sequence_name])
        return f"{prefix}-{cursor.fetchone()[0]:06d}"


def find_lot_by_code(code: str) -> Lot:
    """The lot with a scanned or typed code; case is forgiven if unique."""
    text = (code or "").strip()
    if not text:
        raise StockError(_("Scan or type a lot code."))
    lots = Lot.objects.select_related("item", "item__unit")
    lot = lots.filter(code=text).first()
    if lot is None:
        matches = list(lots.filter(code__iexact=text)[:2])
        if len(matches) == 1:
            lot = matches[0]
    if lot is None:
        raise StockError(_("No lot has the code %(code)s.") % {"code": text})
    return lot


# Locks and balances ---------------------------------------------------------


def _lock_lots(lots: Iterable[Lot]) -> dict[int, Lot]:
    """Lock the lots in primary-key order and return them freshly read."""
    ids = sorted({lot.pk for lot in lots})
    locked = (
        Lot.objects.select_for_update(of=("self",))
        .select_related("item", "item__unit")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {lot.pk: lot for lot in locked}


def _lock_item(item: Item) -> Item:
    return (
        Item.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=item.pk)
    )


def _lock_stock(lot: Lot | None, item: Item | None) -> tuple[Item, Lot | None]:
    """Lock the owner of the stock: the lot, or the item for non-lot stock."""
    if lot is not None:
        locked = _lock_lots([lot])[lot.pk]
        if item is not None and locked.item_id != item.pk:
            raise StockError(
                _("Lot %(code)s is of item %(lot_item)s, not %(item)s.")
                % {"code": locked.code, "lot_item": locked.item.code, "item": item.code}
            )
        return locked.item, locked
    if item is None:
        raise StockError(_("Choose an item or a lot."))
    locked_item = _lock_item(item)
    if locked_item.is_lot_controlled:
        raise StockError(
            _("Item %(item)s is lot-controlled: choose a lot.")
            % {"item": locked_item.code}
        )
    return locked_item, None


def _balances(item: Item, lot: Lot | None, location_ids: Iterable[int]):
    return StockBalance.objects.filter(
        item=item, lot=lot, location_id__in=sorted(set(location_ids))
    )


def _lock_balances(
    item: Item, lot: Lot | None, changes: Sequence[tuple[int, Decimal]]
) -> dict[int, StockBalance]:
    """Create missing balances that will grow, then lock all in pk order."""
    growing = sorted({location_id for location_id, delta in changes if delta > 0})
    StockBalance.objects.bulk_create(
        [StockBalance(item=item, lot=lot, location_id=pk) for pk in growing],
        ignore_conflicts=True,
    )
    locked = (
        _balances(item, lot, [location_id for location_id, _delta in changes])
        .select_for_update()
        .order_by("pk")
    )
    return {balance.location_id: balance for balance in locked}


def _change_balances(
    item: Item, lot: Lot | None, changes: Sequence[tuple[int, Decimal]]
) -> None:
    """Apply (location id, delta) changes after checking stock under lock."""
    balances = _lock_balances(item, lot, changes)
    needed: dict[int, Decimal] = {}
    for location_id, delta in changes:
        needed[location_id] = needed.get(location_id, Decimal(0)) + delta
    for location_id, delta in needed.items():
        on_hand = balances[location_id].quantity if location_id in balances else 0
        if on_hand + delta < 0:
            location = Location.objects.get(pk=location_id)
            raise StockError(
                _("Only %(on_hand)s %(unit)s of %(what)s on hand at %(location)s.")
                % {
                    "on_hand": plain_quantity(on_hand),
                    "unit": item.unit,
                    "what": lot.code if lot else item.code,
                    "location": location.code,
                }
            )
    for location_id, delta in needed.items():
        if delta:
            StockBalance.objects.filter(pk=balances[location_id].pk).update(
                quantity=F("quantity") + delta, updated_at=timezone.now()
            )


def _post(
    kind: str,
    item: Item,
    lot: Lot | None,
    quantity: Decimal,
    actor: Any,
    *,
    from_location: Location | None = None,
    to_location: Location | None = None,
    reference: str = "",
    reason: str = "",
) -> StockMove:
    """Change the balances and append the move; the caller holds the locks."""
    changes: list[tuple[int, Decimal]] = []
    if from_location is not None:
        changes.append((from_location.pk, -quantity))
    if to_location is not None:
        changes.append((to_location.pk, quantity))
    _change_balances(item, lot, changes)
    return StockMove.objects.create(
        kind=kind,
        item=item,
        lot=lot,
        quantity=quantity,
        from_location=from_location,
        to_location=to_location,
        reference=reference,
        reason=reason,
        moved_by=actor if actor is not None and actor.is_authenticated else None,
    )


def lot_on_hand(lot: Lot) -> Decimal:
    """Stock of a lot over all locations."""
    total = lot.balances.aggregate(total=Sum("quantity"))["total"]
    return total or Decimal(0)


def _sources(
    item: Item,
    lot: Lot | None,
    quantity: Decimal,
    from_location: Location | None,
    *,
    prefer_line_side: bool,
    exclude: Location | None = None,
) -> list[tuple[Location, Decimal]]:
    """Where to take ``quantity`` from: one location, or several in order."""
    if from_location is not None:
        return [(from_location, quantity)]
    balances = (
        StockBalance.objects.filter(item=item, lot=lot, quantity__gt=0)
        .exclude(location__is_quarantine_area=True)
        .select_related("location")
    )
    if exclude is not None:
        balances = balances.exclude(location=exclude)
    rows = sorted(
        balances,
        key=lambda balance: (
            (balance.location.kind != LocationKind.LINE_SIDE)
            if prefer_line_side
            else (balance.location.kind == LocationKind.LINE_SIDE),
            balance.pk,
        ),
    )
    taken: list[tuple[Location, Decimal]] = []
    remaining = quantity
    for balance in rows:
        if remaining <= 0:
            break
        part = min(balance.quantity, remaining)
        taken.append((balance.location, part))
        remaining -= part
    if remaining > 0:
        on_hand = quantity - remaining
        raise StockError(
            _(
                "Only %(on_hand)s %(unit)s of %(what)s on hand outside quarantine "
                "areas, %(wanted)s wanted."
            )
            % {
                "on_hand": plain_quantity(on_hand),
                "unit": item.unit,
                "what": lot.code if lot else item.code,
                "wanted": plain_quantity(quantity),
            }
        )
    return taken


# Lot status ------------------------------------------------------------------


def _transition(lot: Lot, status: str, actor: Any, reason: str = "") -> None:
    old = lot.transition_to(status)
    lot.save(update_fields=["status"])
    audit.record_transition(lot, "status", old, status, actor=actor, reason=reason)
    logger.info("Lot %s changed from %s to %s", lot.code, old, status)


def _require_usable(lot: Lot) -> None:
    """Refuse a lot that may not be issued or consumed, saying why."""
    reasons = {
        LotStatus.QUARANTINE: _(
            "Lot %(code)s is in quarantine until incoming inspection releases it."
        ),
        LotStatus.ON_HOLD: _("Lot %(code)s is on hold."),
        LotStatus.CONSUMED: _("Lot %(code)s is already consumed."),
        LotStatus.SCRAPPED: _("Lot %(code)s is scrapped."),
    }
    if lot.status in reasons:
        raise StockError(reasons[LotStatus(lot.status)] % {"code": lot.code})
    if lot.is_expired():
        raise StockError(
            _("Lot %(code)s expired on %(date)s.")
            % {"code": lot.code, "date": lot.expires_on}
        )


def _require_active(location: Location) -> None:
    if not location.is_active:
        raise StockError(
            _("Location %(code)s is not active.") % {"code": location.code}
        )


def _settle_lot(lot: Lot | None, actor: Any, empty_status: str, reason: str) -> None:
    """Mark a lot consumed (or scrapped) once its last stock is gone."""
    if lot is None or lot.status != LotStatus.AVAILABLE:
        return
    if lot_on_hand(lot) == 0:
        _transition(lot, empty_status, actor, reason)


@transaction.atomic
def hold_lot(lot: Lot, actor: Any, reason: str) -> Lot:
    """Put a lot on hold (quality): nothing may issue or consume it."""
    if not (reason or "").strip():
        raise StockError(_("Give a reason for the hold."))
    locked = _lock_lots([lot])[lot.pk]
    if locked.status == LotStatus.ON_HOLD:
        return locked
    _transition(locked, LotStatus.ON_HOLD, actor, reason.strip())
    publish(Event.LOT_HELD, lot_id=locked.pk)
    return locked


@transaction.atomic
def release_lot(lot: Lot, actor: Any, reason: str) -> Lot:
    """Release a lot on hold or in quarantine: it becomes available."""
    if not (reason or "").strip():
        raise StockError(_("Give a reason for the release."))
    locked = _lock_lots([lot])[lot.pk]
    if not locked.can_release:
        raise StockError(
            _("Lot %(code)s is %(status)s, not on hold or in quarantine.")
            % {"code": locked.code, "status": locked.get_status_display()}
        )
    _transition(locked, LotStatus.AVAILABLE, actor, reason.strip())
    publish(Event.LOT_RELEASED, lot_id=locked.pk)
    return locked


# Receipts --------------------------------------------------------------------


def _new_lot_code(item: Item, lot_code: str | None) -> str:
    code = (lot_code or "").strip()
    if not code:
        return next_lot_code(item)
    if len(code) > Lot._meta.get_field("code").max_length or any(
        character.isspace() for character in code
    ):
        raise StockError(
            _("%(code)s is not a valid lot code: no spaces, at most 60 characters.")
            % {"code": code}
        )
    if Lot.objects.filter(code=code).exists():
        raise StockError(_("A lot with the code %(code)s exists.") % {"code": code})
    return code


def _default_expiry(item: Item) -> datetime.date | None:
    if item.shelf_life_days is None:
        return None
    return timezone.localdate() + datetime.timedelta(days=item.shelf_life_days)


@transaction.atomic
def receive(
    item: Item,
    quantity: Any,
    location: Location,
    actor: Any,
    *,
    supplier: Supplier | None = None,
    supplier_lot_code: str = "",
    lot_code: str | None = None,
    expires_on: datetime.date | None = None,
    reference: str = "",
    purchase_plan_line: PurchasePlanLine | None = None,
) -> Lot | None:
    """Receive stock into a location; returns the new lot (None: non-lot).

    Lots of items that need incoming inspection start in quarantine,
    others are available. Against a purchase plan line, the line's received
    quantity grows and the plan closes once every line is received.
    Publishes LOT_RECEIVED(lot_id, needs_inspection) after commit.
    """
    if not item.is_active:
        raise StockError(_("Item %(item)s is not active.") % {"item": item.code})
    amount = parse_quantity(quantity, item)
    _require_active(location)
    if purchase_plan_line is not None:
        line = _receive_on_line(purchase_plan_line, item, amount, actor)
        supplier = supplier or line.supplier
        reference = reference or line.plan.number

    if not item.is_lot_controlled:
        locked_item = _lock_item(item)
        _post(
            MoveKind.RECEIPT,
            locked_item,
            None,
            amount,
            actor,
            to_location=location,
            reference=reference,
        )
        return None

    needs_inspection = item.requires_incoming_inspection
    lot = Lot.objects.create(
        code=_new_lot_code(item, lot_code),
        item=item,
        status=LotStatus.QUARANTINE if needs_inspection else LotStatus.AVAILABLE,
        initial_quantity=amount,
        expires_on=expires_on or _default_expiry(item),
        supplier=supplier,
        supplier_lot_code=(supplier_lot_code or "").strip(),
        received_at=timezone.now(),
        reference=reference,
    )
    audit.record_create(lot, actor=actor)
    _post(
        MoveKind.RECEIPT,
        item,
        lot,
        amount,
        actor,
        to_location=location,
        reference=reference,
    )
    publish(Event.LOT_RECEIVED, lot_id=lot.pk, needs_inspection=needs_inspection)
    logger.info("Received lot %s of %s %s", lot.code, amount, item.code)
    return lot


def _receive_on_line(
    line: PurchasePlanLine, item: Item, amount: Decimal, actor: Any
) -> PurchasePlanLine:
    locked = (
        PurchasePlanLine.objects.select_for_update(of=("self",))
        .select_related("plan", "supplier")
        .get(pk=line.pk)
    )
    if locked.plan.status != PurchasePlanStatus.APPROVED:
        raise StockError(
            _(
                "Purchase plan %(number)s is %(status)s; only approved plans "
                "are received."
            )
            % {"number": locked.plan.number, "status": locked.plan.get_status_display()}
        )
    if locked.item_id != item.pk:
        raise StockError(
            _("This purchase plan line is for %(line_item)s, not %(item)s.")
            % {"line_item": locked.item.code, "item": item.code}
        )
    if amount > locked.open_quantity:
        raise StockError(
            _("Only %(open)s is still open on this purchase plan line.")
            % {"open": plain_quantity(locked.open_quantity)}
        )
    before = audit.snapshot(locked)
    locked.received_quantity = F("received_quantity") + amount
    locked.save(update_fields=["received_quantity"])
    locked.refresh_from_db(fields=["received_quantity"])
    audit.record_change(locked, before, actor=actor)
    plan = locked.plan
    still_open = plan.lines.filter(received_quantity__lt=F("quantity")).exists()
    if not still_open:
        _change_plan_status(plan, PurchasePlanStatus.CLOSED, actor, _("Fully received"))
    return locked


# Moves -------------------------------------------------------------------------


def _check_move_of_restricted_lot(
    lot: Lot | None, from_location: Location, to_location: Location
) -> None:
    """Lots that may not be used stay away from the line and in quarantine."""
    if lot is None:
        return
    expired = lot.is_expired()
    if lot.status not in (LotStatus.QUARANTINE, LotStatus.ON_HOLD) and not expired:
        return
    if to_location.kind == LocationKind.LINE_SIDE or (
        from_location.is_quarantine_area and not to_location.is_quarantine_area
    ):
        status = _("expired") if expired else lot.get_status_display()
        raise StockError(
            _("Lot %(code)s is %(status)s and may not leave the quarantine area.")
            % {"code": lot.code, "status": status}
        )


@transaction.atomic
def transfer(
    quantity: Any,
    from_location: Location,
    to_location: Location,
    actor: Any,
    *,
    lot: Lot | None = None,
    item: Item | None = None,
    reference: str = "",
    reason: str = "",
) -> StockMove:
    """Move stock of a lot (or of a non-lot item) between two locations."""
    if from_location.pk == to_location.pk:
        raise StockError(_("The source and destination are the same location."))
    _require_active(to_location)
    stock_item, locked = _lock_stock(lot, item)
    amount = parse_quantity(quantity, stock_item)
    if locked is not None and locked.status in (
        LotStatus.CONSUMED,
        LotStatus.SCRAPPED,
    ):
        raise StockError(
            _("Lot %(code)s is %(status)s.")
            % {"code": locked.code, "status": locked.get_status_display()}
        )
    _check_move_of_restricted_lot(locked, from_location, to_location)
    return _post(
        MoveKind.TRANSFER,
        stock_item,
        locked,
        amount,
        actor,
        from_location=from_location,
        to_location=to_location,
        reference=reference,
        reason=reason,
    )


@transaction.atomic
def issue_to_order(
    lot: Lot | None,
    quantity: Any,
    reference: str,
    to_location: Location | None,
    actor: Any,
    *,
    item: Item | None = None,
    from_location: Location | None = None,
) -> list[StockMove]:
    """Issue stock to a work order, into a line-side location or out of stock.

    Without ``from_location`` the stock comes from the lot's storage
    locations (not line-side, not quarantine) in order. Without
    ``to_location`` the stock leaves inventory for the order.
    """
    reference = (reference or "").strip()
    if not reference:
        raise StockError(_("Name the order the stock is issued to."))
    stock_item, locked = _lock_stock(lot, item)
    amount = parse_quantity(quantity, stock_item)
    if locked is not None:
        _require_usable(locked)
    if to_location is not None:
        _require_active(to_location)
        if from_location is not None and from_location.pk == to_location.pk:
            raise StockError(_("The source and destination are the same location."))
    sources = _sources(
        stock_item,
        locked,
        amount,
        from_location,
        prefer_line_side=False,
        exclude=to_location,
    )
    moves = [
        _post(
            MoveKind.ISSUE,
            stock_item,
            locked,
            part,
            actor,
            from_location=source,
            to_location=to_location,
            reference=reference,
        )
        for source, part in sources
    ]
    _settle_lot(locked, actor, LotStatus.CONSUMED, _("Issued in full"))
    return moves


@transaction.atomic
def consume(
    lot: Lot | None,
    quantity: Any,
    reference: str,
    actor: Any,
    output_lot: Lot | None = None,
    *,
    item: Item | None = None,
    location: Location | None = None,
) -> list[StockMove]:
    """Consume stock against an operation; link the lot to ``output_lot``.

    Without ``location`` the stock is taken from line-side locations first.
    A lot whose last stock is consumed becomes consumed.
    """
    reference = (reference or "").strip()
    if not reference:
        raise StockError(_("Name the order the stock is consumed for."))
    if output_lot is not None and lot is not None and output_lot.pk == lot.pk:
        raise StockError(_("A lot cannot be consumed into itself."))
    locks = [lot] if lot is not None else []
    if output_lot is not None and lot is not None:
        locks.append(output_lot)
        locked_lots = _lock_lots(locks)
        stock_item, locked = locked_lots[lot.pk].item, locked_lots[lot.pk]
        if item is not None and stock_item.pk != item.pk:
            raise StockError(
                _("Lot %(code)s is of item %(lot_item)s, not %(item)s.")
                % {"code": locked.code, "lot_item": stock_item.code, "item": item.code}
            )
    else:
        stock_item, locked = _lock_stock(lot, item)
    amount = parse_quantity(quantity, stock_item)
    if locked is not None:
        _require_usable(locked)
    sources = _sources(stock_item, locked, amount, location, prefer_line_side=True)
    moves = [
        _post(
            MoveKind.CONSUMPTION,
            stock_item,
            locked,
            part,
            actor,
            from_location=source,
            reference=reference,
        )
        for source, part in sources
    ]
    if output_lot is not None and locked is not None:
        _link(locked, output_lot, amount, reference)
    _settle_lot(locked, actor, LotStatus.CONSUMED, _("Consumed in full"))
    return moves


def _link(parent: Lot, child: Lot, quantity: Decimal, reference: str) -> None:
    """Add ``quantity`` to the genealogy link from parent to child."""
    updated = LotLink.objects.filter(parent=parent, child=child).update(
        quantity=F("quantity") + quantity
    )
    if not updated:
        LotLink.objects.create(
            parent=parent, child=child, quantity=quantity, reference=reference
        )


InputLot = Lot | tuple[Lot, Any]


@transaction.atomic
def record_output(
    item: Item,
    quantity: Any,
    location: Location,
    reference: str,
    input_lots: Iterable[InputLot],
    actor: Any,
    lot_code: str | None = None,
) -> Lot | None:
    """Put produced stock into a location as a new lot linked to its inputs.

    ``input_lots`` holds (lot, quantity) pairs, which are consumed now, or
    bare lots already consumed under ``reference``, which are linked with
    that consumption. Returns None for items that are not lot-controlled.
    """
    reference = (reference or "").strip()
    if not reference:
        raise StockError(_("Name the order the output belongs to."))
    amount = parse_quantity(quantity, item)
    _require_active(location)
    inputs = list(input_lots)

    if not item.is_lot_controlled:
        locked_item = _lock_item(item)
        _post(
            MoveKind.OUTPUT,
            locked_item,
            None,
            amount,
            actor,
            to_location=location,
            reference=reference,
        )
        return None

    lot = Lot.objects.create(
        code=_new_lot_code(item, lot_code),
        item=item,
        status=LotStatus.AVAILABLE,
        initial_quantity=amount,
        expires_on=_default_expiry(item),
        produced_at=timezone.now(),
        reference=reference,
    )
    audit.record_create(lot, actor=actor)
    _post(
        MoveKind.OUTPUT,
        item,
        lot,
        amount,
        actor,
        to_location=location,
        reference=reference,
    )
    # All input lots are locked now, in pk order, before any is consumed.
    _lock_lots(entry[0] if isinstance(entry, tuple) else entry for entry in inputs)
    for entry in inputs:
        if isinstance(entry, tuple):
            input_lot, input_quantity = entry
            consume(input_lot, input_quantity, reference, actor, output_lot=lot)
        else:
            _link(entry, lot, _consumed_for(entry, reference), reference)
    logger.info("Recorded output lot %s of %s %s", lot.code, amount, item.code)
    return lot


def _consumed_for(lot: Lot, reference: str) -> Decimal:
    total = StockMove.objects.filter(
        lot=lot, kind=MoveKind.CONSUMPTION, reference=reference
    ).aggregate(total=Coalesce(Sum("quantity"), Decimal(0)))["total"]
    return total


@transaction.atomic
def scrap(
    quantity: Any,
    location: Location,
    actor: Any,
    reason: str,
    *,
    lot: Lot | None = None,
    item: Item | None = None,
    reference: str = "",
) -> StockMove:
    """Scrap stock at a location; a lot with no stock left becomes scrapped."""
    if not (reason or "").strip():
        raise StockError(_("Give a reason for scrapping."))
    stock_item, locked = _lock_stock(lot, item)
    amount = parse_quantity(quantity, stock_item)
    move = _post(
        MoveKind.SCRAP,
        stock_item,
        locked,
        amount,
        actor,
        from_location=location,
        reference=reference,
        reason=reason.strip(),
    )
    still_in_stock = (
        LotStatus.AVAILABLE,
        LotStatus.QUARANTINE,
        LotStatus.ON_HOLD,
    )
    if (
        locked is not None
        and locked.status in still_in_stock
        and lot_on_hand(locked) == 0
    ):
        _transition(locked, LotStatus.SCRAPPED, actor, reason.strip())
    return move


@transaction.atomic
def return_to_supplier(
    lot: Lot,
    quantity: Any,
    location: Location,
    actor: Any,
    reason: str,
    reference: str = "",
) -> StockMove:
    """Send stock of a lot back to its supplier (e.g. failed inspection)."""
    if not (reason or "").strip():
        raise StockError(_("Give a reason for the return."))
    stock_item, locked = _lock_stock(lot, None)
    amount = parse_quantity(quantity, stock_item)
    return _post(
        MoveKind.RETURN,
        stock_item,
        locked,
        amount,
        actor,
        from_location=location,
        reference=reference,
        reason=reason.strip(),
    )


def adjust_stock(
    item: Item,
    lot: Lot | None,
    location: Location,
    counted: Decimal,
    actor: Any,
    reason: str,
    reference: str = "",
) -> StockMove | None:
    """Post the difference between counted and booked stock as an adjustment.

    The caller holds the transaction; the stock owner is locked here.
    """
    stock_item, locked = _lock_stock(lot, item)
    balance = _balances(stock_item, locked, [location.pk]).first()
    booked = balance.quantity if balance else Decimal(0)
    difference = counted - booked
    if difference == 0:
        return None
    move = _post(
        MoveKind.ADJUSTMENT,
        stock_item,
        locked,
        abs(difference),
        actor,
        from_location=location if difference < 0 else None,
        to_location=location if difference > 0 else None,
        reference=reference,
        reason=reason,
    )
    if locked is not None:
        if difference > 0 and locked.status == LotStatus.CONSUMED:
            _transition(locked, LotStatus.AVAILABLE, actor, reason)
        _settle_lot(locked, actor, LotStatus.CONSUMED, reason)
    return move


# Proposals -----------------------------------------------------------------------


@dataclass(frozen=True)
class LotProposal:
    lot: Lot
    location: Location
    quantity: Decimal
    on_hand: Decimal


def propose_lots(
    item: Item,
    quantity: Any,
    strategy: str = "fefo",
    *,
    location: Location | None = None,
) -> list[LotProposal]:
    """Lots to take ``quantity`` of an item from, first expiring or first in.

    Only available, unexpired lots outside quarantine areas are proposed.
    The list may cover less than ``quantity`` when stock is short.
    """
    if strategy not in ("fefo", "fifo"):
        raise StockError(_("Unknown strategy %(name)s.") % {"name": strategy})
    amount = parse_quantity(quantity, item)
    today = timezone.localdate()
    balances = (
        StockBalance.objects.filter(
            item=item, lot__status=LotStatus.AVAILABLE, quantity__gt=0
        )
        .filter(Q(lot__expires_on__isnull=True) | Q(lot__expires_on__gte=today))
        .exclude(location__is_quarantine_area=True)
        .select_related("lot", "location")
        .annotate(
            arrived=Coalesce("lot__received_at", "lot__produced_at", "lot__created_at")
        )
    )
    if location is not None:
        balances = balances.filter(location=location)
    order = ["arrived", "lot_id", "location_id"]
    if strategy == "fefo":
        order = [F("lot__expires_on").asc(nulls_last=True), *order]
    proposals = []
    remaining = amount
    for balance in balances.order_by(*order):
        if remaining <= 0:
            break
        part = min(balance.quantity, remaining)
        proposals.append(
            LotProposal(balance.lot, balance.location, part, balance.quantity)
        )
        remaining -= part
    return proposals


# Purchase plans --------------------------------------------------------------------


@dataclass(frozen=True)
class PurchaseSuggestion:
    """A line to buy, as planning's shortages and reorder points suggest it."""

    item_id: int
    quantity: Decimal
    needed_by: datetime.date
    supplier_id: int | None = None
    note: str = ""


def _change_plan_status(
    plan: PurchasePlan, status: str, actor: Any, reason: str = ""
) -> None:
    old = plan.transition_to(status)
    plan.save(update_fields=["status"])
    audit.record_transition(plan, "status", old, status, actor=actor, reason=reason)


def _lock_plan(plan: PurchasePlan) -> PurchasePlan:
    return PurchasePlan.objects.select_for_update().get(pk=plan.pk)


@transaction.atomic
def create_purchase_plan(
    actor: Any, lines: Iterable[PurchaseSuggestion], note: str = ""
) -> PurchasePlan:
    """A draft purchase plan with the given lines (may be none yet)."""
    plan = PurchasePlan.objects.create(
        number=_next_number("materials_purchase_plan_seq", "PP"),
        note=note,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit.record_create(plan, actor=actor)
    for suggestion in lines:
        add_purchase_plan_line(
            plan,
            actor,
            item=Item.objects.select_related("unit").get(pk=suggestion.item_id),
            quantity=suggestion.quantity,
            needed_by=suggestion.needed_by,
            supplier=(
                Supplier.objects.get(pk=suggestion.supplier_id)
                if suggestion.supplier_id
                else None
            ),
            note=suggestion.note,
        )
    return plan


@transaction.atomic
def add_purchase_plan_line(
    plan: PurchasePlan,
    actor: Any,
    *,
    item: Item,
    quantity: Any,
    needed_by: datetime.date,
    supplier: Supplier | None = None,
    note: str = "",
) -> PurchasePlanLine:
    """Add a line to a draft or returned plan; supplier defaults to preferred."""
    locked = _lock_plan(plan)
    if not locked.can_edit:
        raise StockError(
            _("Purchase plan %(number)s is %(status)s and cannot be changed.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    amount = parse_quantity(quantity, item)
    line = PurchasePlanLine.objects.create(
        plan=locked,
        item=item,
        quantity=amount,
        needed_by=needed_by,
        supplier=supplier or item.preferred_supplier,
        note=(note or "")[:200],
    )
    audit.record_create(line, actor=actor)
    return line


@transaction.atomic
def remove_purchase_plan_line(line: PurchasePlanLine, actor: Any) -> None:
    """Delete a line of a draft or returned plan (recorded in the audit)."""
    locked = _lock_plan(line.plan)
    if not locked.can_edit:
        raise StockError(
            _("Purchase plan %(number)s is %(status)s and cannot be changed.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    audit.record_delete(line, actor=actor)
    line.delete()


@transaction.atomic
def submit_purchase_plan(plan: PurchasePlan, actor: Any) -> PurchasePlan:
    """Send a plan with at least one line for review."""
    locked = _lock_plan(plan)
    if not locked.lines.exists():
        raise StockError(_("Add at least one line before submitting."))
    _change_plan_status(locked, PurchasePlanStatus.SUBMITTED, actor)
    return locked


@transaction.atomic
def approve_purchase_plan(plan: PurchasePlan, actor: Any) -> PurchasePlan:
    """Approve a submitted plan; its open lines count as open receipts."""
    locked = _lock_plan(plan)
    if (
        not settings.ALLOW_SELF_APPROVAL
        and locked.created_by_id is not None
        and locked.created_by_id == getattr(actor, "pk", None)
    ):
        raise StockError(_("A plan must be approved by someone other than its author."))
    _change_plan_status(locked, PurchasePlanStatus.APPROVED, actor)
    locked.approved_by = actor
    locked.approved_at = timezone.now()
    locked.save(update_fields=["approved_by", "approved_at"])
    return locked


@transaction.atomic
def return_purchase_plan(plan: PurchasePlan, actor: Any, reason: str) -> PurchasePlan:
    """Send a submitted plan back to its author with a reason."""
    if not (reason or "").strip():
        raise StockError(_("Give a reason for returning the plan."))
    locked = _lock_plan(plan)
    _change_plan_status(locked, PurchasePlanStatus.RETURNED, actor, reason.strip())
    locked.return_reason = reason.strip()
    locked.save(update_fields=["return_reason"])
    return locked


@transaction.atomic
def cancel_purchase_plan(plan: PurchasePlan, actor: Any, reason: str) -> PurchasePlan:
    """Cancel a draft or returned plan, with a reason."""
    if not (reason or "").strip():
        raise StockError(_("Give a reason for cancelling the plan."))
    locked = _lock_plan(plan)
    _change_plan_status(locked, PurchasePlanStatus.CANCELLED, actor, reason.strip())
    return locked


@transaction.atomic
def close_purchase_plan(plan: PurchasePlan, actor: Any, reason: str) -> PurchasePlan:
    """Close an approved plan; lines not received in full stay short."""
    if not (reason or "").strip():
        raise StockError(_("Give a reason for closing the plan."))
    locked = _lock_plan(plan)
    _change_plan_status(locked, PurchasePlanStatus.CLOSED, actor, reason.strip())
    return locked


# Stock counts ------------------------------------------------------------------------


def _change_count_status(
    count: StockCount, status: str, actor: Any, reason: str = ""
) -> None:
    old = count.transition_to(status)
    count.save(update_fields=["status"])
    audit.record_transition(count, "status", old, status, actor=actor, reason=reason)


@transaction.atomic
def start_stock_count(
    actor: Any,
    *,
    location: Location | None = None,
    items: Sequence[Item] = (),
    note: str = "",
) -> StockCount:
    """Open a count of a location (and below) and/or some items.

    One line per balance with stock, holding the booked quantity now.
    """
    if location is None and not items:
        raise StockError(_("Choose a location or some items to count."))
    count = StockCount.objects.create(
        number=_next_number("materials_stock_count_seq", "SC"),
        location=location,
        note=note,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if items:
        count.items.set(items)
    balances = StockBalance.objects.filter(quantity__gt=0)
    if location is not None:
        balances = balances.filter(location_id__in=queries.locations_under(location.pk))
    if items:
        balances = balances.filter(item__in=items)
    StockCountLine.objects.bulk_create(
        StockCountLine(
            count=count,
            item_id=balance.item_id,
            lot_id=balance.lot_id,
            location_id=balance.location_id,
            expected_quantity=balance.quantity,
        )
        for balance in balances
    )
    audit.record_create(count, actor=actor)
    return count


@transaction.atomic
def record_count(
    count: StockCount,
    actor: Any,
    *,
    location: Location,
    counted: Any,
    lot: Lot | None = None,
    item: Item | None = None,
) -> StockCountLine:
    """Enter a counted quantity; stock found that was not booked adds a line."""
    locked = StockCount.objects.select_for_update().get(pk=count.pk)
    if not locked.can_count:
        raise StockError(
            _("Stock count %(number)s is %(status)s; counting is over.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    if lot is not None:
        if item is not None and lot.item_id != item.pk:
            raise StockError(
                _("Lot %(code)s is of item %(lot_item)s, not %(item)s.")
                % {"code": lot.code, "lot_item": lot.item.code, "item": item.code}
            )
        item = lot.item
    if item is None:
        raise StockError(_("Choose an item or a lot."))
    if lot is None and item.is_lot_controlled:
        raise StockError(
            _("Item %(item)s is lot-controlled: choose a lot.") % {"item": item.code}
        )
    amount = parse_quantity(counted, item, allow_zero=True)
    line, _created = StockCountLine.objects.get_or_create(
        count=locked, item=item, lot=lot, location=location
    )
    before = audit.snapshot(line)
    line.counted_quantity = amount
    line.counted_by = actor
    line.counted_at = timezone.now()
    line.save(update_fields=["counted_quantity", "counted_by", "counted_at"])
    audit.record_change(line, before, actor=actor)
    return line


@transaction.atomic
def submit_stock_count(count: StockCount, actor: Any) -> StockCount:
    """End counting once every line has a counted quantity."""
    locked = StockCount.objects.select_for_update().get(pk=count.pk)
    if locked.lines.filter(counted_quantity__isnull=True).exists():
        raise StockError(_("Count every line before submitting."))
    _change_count_status(locked, StockCountStatus.SUBMITTED, actor)
    return locked


@transaction.atomic
def reopen_stock_count(count: StockCount, actor: Any, reason: str) -> StockCount:
    """Send a submitted count back for recounting, with a reason."""
    if not (reason or "").strip():
        raise StockError(_("Give a reason for recounting."))
    locked = StockCount.objects.select_for_update().get(pk=count.pk)
    _change_count_status(locked, StockCountStatus.COUNTING, actor, reason.strip())
    return locked


@transaction.atomic
def cancel_stock_count(count: StockCount, actor: Any, reason: str) -> StockCount:
    """Drop a count that is not approved yet; nothing is posted."""
    if not (reason or "").strip():
        raise StockError(_("Give a reason for cancelling the count."))
    locked = StockCount.objects.select_for_update().get(pk=count.pk)
    _change_count_status(locked, StockCountStatus.CANCELLED, actor, reason.strip())
    return locked


@transaction.atomic
def approve_stock_count(count: StockCount, actor: Any) -> list[StockMove]:
    """Approve a submitted count and post its differences as adjustments.

    The adjustment brings the booked stock to the counted quantity, so
    moves posted while counting are not lost twice.
    """
    locked = StockCount.objects.select_for_update().get(pk=count.pk)
    if (
        not settings.ALLOW_SELF_APPROVAL
        and locked.created_by_id is not None
        and locked.created_by_id == getattr(actor, "pk", None)
    ):
        raise StockError(
            _("A count must be approved by someone other than its author.")
        )
    _change_count_status(locked, StockCountStatus.APPROVED, actor)
    locked.approved_by = actor
    locked.approved_at = timezone.now()
    locked.save(update_fields=["approved_by", "approved_at"])
    lines = locked.lines.select_related("item", "item__unit", "lot", "location")
    ordered = sorted(lines, key=lambda line: (line.lot_id or 0, line.item_id))
    moves = []
    reason = _("Stock count %(number)s") % {"number": locked.number}
    for line in ordered:
        move = adjust_stock(
            line.item,
            line.lot,
            line.location,
            line.counted_quantity,
            actor,
            reason,
            reference=locked.number,
        )
        if move is not None:
            moves.append(move)
    return moves
