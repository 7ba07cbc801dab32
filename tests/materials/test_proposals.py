"""Lot proposals: first expired first out, or first in first out."""

import datetime

import pytest
from django.utils import timezone

from materials import services
from tests.factories.materials import make_item, make_location, make_lot

pytestmark = pytest.mark.django_db


def test_fefo_proposes_the_lot_expiring_first(materials_handler, quality_inspector):
    # given three lots received in order with different expiries
    item = make_item()
    today = timezone.localdate()
    late = make_lot(item, 5, expires_on=today + datetime.timedelta(days=90))
    early = make_lot(item, 5, expires_on=today + datetime.timedelta(days=10))
    never = make_lot(item, 5)
    held = make_lot(item, 5, expires_on=today + datetime.timedelta(days=1))
    services.hold_lot(held, quality_inspector, "Suspect")

    # when 8 are wanted
    proposals = services.propose_lots(item, 8, "fefo")

    # then the earliest expiry comes first, held lots never
    assert [(p.lot, p.quantity) for p in proposals] == [(early, 5), (late, 3)]
    assert never not in [p.lot for p in proposals]


def test_fifo_proposes_the_oldest_lot(materials_handler):
    item = make_item()
    first = make_lot(item, 5, expires_on=timezone.localdate())
    second = make_lot(item, 5)

    proposals = services.propose_lots(item, 12, "fifo")

    assert [(p.lot, p.quantity) for p in proposals] == [(first, 5), (second, 5)]


def test_expired_and_quarantine_area_stock_is_not_proposed(materials_handler):
    item = make_item()
    make_lot(item, 5, expires_on=timezone.localdate() - datetime.timedelta(days=1))
    make_lot(item, 5, location=make_location(is_quarantine_area=True))

    assert services.propose_lots(item, 1) == []
