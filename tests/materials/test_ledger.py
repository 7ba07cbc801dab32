"""The stock ledger: moves, balances and their invariants."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from materials import queries, services
from materials.models import (
    ItemKind,
    LocationKind,
    Lot,
    LotLink,
    LotStatus,
    MoveKind,
    StockBalance,
    StockMove,
)
from materials.services import StockError
from tests.factories.materials import make_item, make_location, make_lot, make_unit

pytestmark = pytest.mark.django_db


def on_hand(lot, location=None):
    balances = StockBalance.objects.filter(lot=lot)
    if location is not None:
        balances = balances.filter(location=location)
    return sum((balance.quantity for balance in balances), Decimal(0))


def ledger_total(lot, location):
    total = Decimal(0)
    for move in StockMove.objects.filter(lot=lot):
        if move.to_location_id == location.pk:
            total += move.quantity
        if move.from_location_id == location.pk:
            total -= move.quantity
    return total


def test_receipt_creates_an_available_lot_with_a_generated_code(materials_handler):
    # given an item that needs no inspection and a bin
    item = make_item()
    bin_ = make_location()

    # when 25 are received
    lot = services.receive(item, "25", bin_, materials_handler)

    # then the lot is available with a code, and the ledger has the receipt
    assert lot.status == LotStatus.AVAILABLE
    assert lot.code.startswith("L")
    assert on_hand(lot, bin_) == 25
    move = StockMove.objects.get(lot=lot)
    assert move.kind == MoveKind.RECEIPT
    assert move.moved_by == materials_handler


def test_receipt_of_an_item_needing_inspection_is_in_quarantine(materials_handler):
    item = make_item(requires_incoming_inspection=True, shelf_life_days=30)

    lot = make_lot(item, 5, actor=materials_handler)

    assert lot.status == LotStatus.QUARANTINE
    assert lot.expires_on is not None


def test_receipt_with_a_supplier_lot_code_keeps_it(materials_handler):
    lot = make_lot(lot_code="SUP-4711", supplier_lot_code="A-1")

    assert lot.code == "SUP-4711"
    with pytest.raises(StockError, match="exists"):
        make_lot(lot_code="SUP-4711")


@pytest.mark.parametrize("bad", ["0", "-3", "abc", "", "NaN", "1.5", "1e20"])
def test_bad_quantities_are_refused_and_change_nothing(materials_handler, bad):
    # given an item counted in whole pieces
    item = make_item(unit=make_unit("pcs"))
    bin_ = make_location()

    # when a bad quantity is received, then it is refused and nothing changes
    with pytest.raises(StockError):
        services.receive(item, bad, bin_, materials_handler)
    assert not Lot.objects.filter(item=item).exists()
    assert not StockMove.objects.filter(item=item).exists()


def test_transfer_moves_stock_and_keeps_the_ledger_equal(materials_handler):
    # given a lot of 10 in a bin
    source = make_location()
    target = make_location()
    lot = make_lot(quantity=10, location=source)

    # when 4 are moved
    services.transfer(4, source, target, materials_handler, lot=lot)

    # then both balances match the ledger
    assert on_hand(lot, source) == 6 == ledger_total(lot, source)
    assert on_hand(lot, target) == 4 == ledger_total(lot, target)


def test_moving_more_than_on_hand_is_refused(materials_handler):
    source = make_location()
    lot = make_lot(quantity=3, location=source)

    with pytest.raises(StockError, match="Only 3"):
        services.transfer(4, source, make_location(), materials_handler, lot=lot)

    assert on_hand(lot, source) == 3
    assert StockMove.objects.filter(lot=lot).count() == 1


def test_issue_to_a_line_side_location_then_consume_there(materials_handler):
    # given a lot in the warehouse and a line-side location
    store = make_location()
    line = make_location(LocationKind.LINE_SIDE)
    lot = make_lot(quantity=10, location=store)

    # when 6 are issued to the order and 6 consumed
    services.issue_to_order(lot, 6, "WO-000001/10", line, materials_handler)
    services.consume(lot, 6, "WO-000001/10", materials_handler)

    # then the consumption came from line side and 4 remain in store
    assert on_hand(lot, line) == 0
    assert on_hand(lot, store) == 4
    lot.refresh_from_db()
    assert lot.status == LotStatus.AVAILABLE


def test_consuming_the_last_stock_makes_the_lot_consumed(materials_handler):
    lot = make_lot(quantity=2)

    services.consume(lot, 2, "WO-1", materials_handler)

    lot.refresh_from_db()
    assert lot.status == LotStatus.CONSUMED
    with pytest.raises(StockError, match="already consumed"):
        services.consume(lot, 1, "WO-1", materials_handler)


def test_consumption_needs_a_reference(materials_handler):
    lot = make_lot(quantity=2)

    with pytest.raises(StockError, match="order"):
        services.consume(lot, 1, "  ", materials_handler)

    assert on_hand(lot) == 2


def test_a_lot_of_the_wrong_item_is_refused(materials_handler):
    lot = make_lot(quantity=2)
    other = make_item()

    with pytest.raises(StockError, match="not"):
        services.consume(lot, 1, "WO-1", materials_handler, item=other)

    assert on_hand(lot) == 2


def test_record_output_links_inputs_to_the_new_lot(materials_handler):
    # given two input lots and a finished good
    casting = make_lot(quantity=10)
    oring = make_lot(quantity=10)
    housing = make_item(ItemKind.FINISHED_GOOD)
    store = make_location()
    services.consume(oring, 3, "WO-7", materials_handler)

    # when output is recorded with one pair consumed now and one bare lot
    output = services.record_output(
        housing, 3, store, "WO-7", [(casting, 3), oring], materials_handler
    )

    # then both inputs link to the output with their quantities
    links = {link.parent_id: link.quantity for link in LotLink.objects.all()}
    assert links == {casting.pk: 3, oring.pk: 3}
    assert on_hand(output, store) == 3
    assert on_hand(casting) == 7


def test_scrap_needs_a_reason_and_scraps_an_empty_lot(materials_handler):
    bin_ = make_location()
    lot = make_lot(quantity=2, location=bin_)

    with pytest.raises(StockError, match="reason"):
        services.scrap(2, bin_, materials_handler, "", lot=lot)
    services.scrap(2, bin_, materials_handler, "Dropped", lot=lot)

    lot.refresh_from_db()
    assert lot.status == LotStatus.SCRAPPED


def test_non_lot_stock_is_kept_per_item(materials_handler):
    # given a bolt that is not lot-controlled
    bolt = make_item(ItemKind.PURCHASED_PART, is_lot_controlled=False)
    store = make_location()
    line = make_location(LocationKind.LINE_SIDE)

    # when received, issued and consumed
    assert services.receive(bolt, 100, store, materials_handler) is None
    services.issue_to_order(None, 40, "WO-2", line, materials_handler, item=bolt)
    services.consume(None, 15, "WO-2", materials_handler, item=bolt)

    # then balances are per item and location
    balances = {
        balance.location_id: balance.quantity
        for balance in StockBalance.objects.filter(item=bolt)
    }
    assert balances == {store.pk: 60, line.pk: 25}


def test_stock_moves_cannot_be_changed_or_deleted(materials_handler):
    lot = make_lot(quantity=1)
    move = StockMove.objects.get(lot=lot)

    with pytest.raises(PermissionError):
        move.save()
    with pytest.raises(PermissionError):
        StockMove.objects.filter(pk=move.pk).delete()
    sql = "UPDATE materials_stockmove SET quantity = 5 WHERE id = %s"
    with (
        pytest.raises(Exception, match="cannot be changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [move.pk])


def test_the_database_refuses_a_negative_balance(materials_handler):
    lot = make_lot(quantity=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(lot=lot).update(quantity=-1)


def test_find_lot_by_code_forgives_case_and_spaces(materials_handler):
    lot = make_lot(lot_code="ABC-123")

    assert services.find_lot_by_code("  abc-123 ") == lot
    with pytest.raises(StockError, match="No lot"):
        services.find_lot_by_code("ABC-124")
    with pytest.raises(StockError):
        services.find_lot_by_code("")


def test_lot_codes_follow_the_configured_pattern(settings, materials_handler):
    settings.MATERIALS_LOT_CODE_PATTERN = "{item}-{date:%Y}-{sequence:06d}"
    item = make_item(code="CAST-7")

    lot = make_lot(item, 1)

    assert lot.code.startswith("CAST-7-20")
    assert len(lot.code.rsplit("-", 1)[1]) == 6


def test_lots_issued_to_an_order(materials_handler):
    line = make_location(LocationKind.LINE_SIDE)
    issued = make_lot(quantity=5)
    consumed = make_lot(quantity=5)
    make_lot(quantity=5)
    services.issue_to_order(issued, 2, "WO-000042/10", line, materials_handler)
    services.consume(consumed, 1, "WO-000042/10", materials_handler)

    lots = queries.lots_issued_to("WO-000042/10")

    assert set(lots) == {issued, consumed}
