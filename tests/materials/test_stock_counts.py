"""Stock counts: count, submit, approve, adjust through the ledger."""

from decimal import Decimal

import pytest

from materials import services
from materials.models import (
    LotStatus,
    MoveKind,
    StockBalance,
    StockCountStatus,
    StockMove,
)
from materials.services import StockError
from mes.roles import Role
from tests.factories import make_user
from tests.factories.materials import make_item, make_location, make_lot

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(db):
    return make_user("abe.approver", Role.MATERIALS)


def test_count_of_a_location_posts_differences_after_approval(
    materials_handler, approver
):
    # given a zone with a bin holding two lots
    zone = make_location("zone")
    bin_ = make_location(parent=zone)
    short = make_lot(quantity=10, location=bin_)
    exact = make_lot(quantity=4, location=bin_)
    elsewhere = make_lot(quantity=3)

    # when the zone is counted: 8 of the first lot, 4 of the second
    count = services.start_stock_count(materials_handler, location=zone)
    assert count.lines.count() == 2
    services.record_count(count, materials_handler, location=bin_, counted=8, lot=short)
    services.record_count(count, materials_handler, location=bin_, counted=4, lot=exact)
    services.submit_stock_count(count, materials_handler)

    # then nothing moves until approval, which posts one adjustment
    assert StockBalance.objects.get(lot=short).quantity == 10
    moves = services.approve_stock_count(count, approver)
    assert [(m.kind, m.lot, m.quantity) for m in moves] == [
        (MoveKind.ADJUSTMENT, short, Decimal(2))
    ]
    assert StockBalance.objects.get(lot=short).quantity == 8
    assert StockBalance.objects.get(lot=elsewhere).quantity == 3
    count.refresh_from_db()
    assert count.status == StockCountStatus.APPROVED


def test_found_stock_adds_a_line_and_revives_a_consumed_lot(
    materials_handler, approver
):
    bin_ = make_location()
    lot = make_lot(quantity=2, location=bin_)
    services.consume(lot, 2, "WO-1", materials_handler)
    count = services.start_stock_count(materials_handler, location=bin_)
    assert count.lines.count() == 0

    services.record_count(count, materials_handler, location=bin_, counted=1, lot=lot)
    services.submit_stock_count(count, materials_handler)
    services.approve_stock_count(count, approver)

    lot.refresh_from_db()
    assert lot.status == LotStatus.AVAILABLE
    assert StockBalance.objects.get(lot=lot, location=bin_).quantity == 1


def test_uncounted_lines_block_submission(materials_handler):
    bin_ = make_location()
    make_lot(quantity=2, location=bin_)
    count = services.start_stock_count(materials_handler, location=bin_)

    with pytest.raises(StockError, match="Count every line"):
        services.submit_stock_count(count, materials_handler)


def test_the_counter_cannot_approve_and_bad_counts_are_refused(materials_handler):
    bin_ = make_location()
    lot = make_lot(quantity=2, location=bin_)
    count = services.start_stock_count(materials_handler, items=[lot.item])

    with pytest.raises(StockError):
        services.record_count(
            count, materials_handler, location=bin_, counted="-1", lot=lot
        )
    with pytest.raises(StockError, match="not"):
        services.record_count(
            count,
            materials_handler,
            location=bin_,
            counted=1,
            lot=lot,
            item=make_item(),
        )
    services.record_count(count, materials_handler, location=bin_, counted=0, lot=lot)
    services.submit_stock_count(count, materials_handler)
    with pytest.raises(StockError, match="someone other"):
        services.approve_stock_count(count, materials_handler)
    assert StockMove.objects.filter(kind=MoveKind.ADJUSTMENT).count() == 0
