"""The lot state machine and the services that obey it."""

import datetime

import pytest
from django.utils import timezone

from materials import services
from materials.models import LocationKind, LotStatus, StockMove
from materials.services import StockError
from mes import events
from mes.events import Event
from mes.models import AuditEntry
from tests.factories.materials import make_item, make_location, make_lot

pytestmark = pytest.mark.django_db


def test_hold_and_release_change_status_and_publish(
    quality_inspector, django_capture_on_commit_callbacks
):
    # given an available lot and a subscriber to lot events
    lot = make_lot(quantity=5)
    heard = []
    events.subscribe(Event.LOT_HELD, lambda **data: heard.append(("held", data)))
    events.subscribe(
        Event.LOT_RELEASED, lambda **data: heard.append(("released", data))
    )

    # when quality holds and releases it
    with django_capture_on_commit_callbacks(execute=True):
        services.hold_lot(lot, quality_inspector, "Suspect porosity")
    lot.refresh_from_db()
    assert lot.status == LotStatus.ON_HOLD
    with django_capture_on_commit_callbacks(execute=True):
        services.release_lot(lot, quality_inspector, "Checked, fine")

    # then both changes are in the audit trail and were published
    lot.refresh_from_db()
    assert lot.status == LotStatus.AVAILABLE
    assert ("held", {"lot_id": lot.pk}) in heard
    assert ("released", {"lot_id": lot.pk}) in heard
    reasons = set(
        AuditEntry.objects.filter(object_id=str(lot.pk)).values_list(
            "reason", flat=True
        )
    )
    assert {"Suspect porosity", "Checked, fine"} <= reasons


def test_a_lot_on_hold_cannot_be_issued_consumed_or_moved_to_line(
    materials_handler, quality_inspector
):
    store = make_location()
    line = make_location(LocationKind.LINE_SIDE)
    lot = make_lot(quantity=5, location=store)
    services.hold_lot(lot, quality_inspector, "Suspect")

    with pytest.raises(StockError, match="on hold"):
        services.consume(lot, 1, "WO-1", materials_handler)
    with pytest.raises(StockError, match="on hold"):
        services.issue_to_order(lot, 1, "WO-1", line, materials_handler)
    with pytest.raises(StockError, match="quarantine area"):
        services.transfer(1, store, line, materials_handler, lot=lot)
    assert StockMove.objects.filter(lot=lot).count() == 1


def test_a_quarantined_lot_stays_in_the_quarantine_area(materials_handler):
    # given a lot of an inspected item received into a quarantine area
    item = make_item(requires_incoming_inspection=True)
    quarantine = make_location(is_quarantine_area=True)
    other_quarantine = make_location(is_quarantine_area=True)
    lot = make_lot(item, 5, quarantine)

    # then it may move inside quarantine areas but not out, nor be consumed
    services.transfer(2, quarantine, other_quarantine, materials_handler, lot=lot)
    with pytest.raises(StockError, match="quarantine"):
        services.transfer(1, quarantine, make_location(), materials_handler, lot=lot)
    with pytest.raises(StockError, match="quarantine"):
        services.consume(lot, 1, "WO-1", materials_handler)


def test_an_expired_lot_cannot_be_consumed(materials_handler):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    lot = make_lot(quantity=5, expires_on=yesterday)

    with pytest.raises(StockError, match="expired"):
        services.consume(lot, 1, "WO-1", materials_handler)


def test_release_needs_a_lot_on_hold_or_in_quarantine(quality_inspector):
    lot = make_lot(quantity=5)

    with pytest.raises(StockError, match="not on hold"):
        services.release_lot(lot, quality_inspector, "why not")


def test_hold_needs_a_reason(quality_inspector):
    lot = make_lot(quantity=5)

    with pytest.raises(StockError, match="reason"):
        services.hold_lot(lot, quality_inspector, " ")
    lot.refresh_from_db()
    assert lot.status == LotStatus.AVAILABLE


def test_a_scrapped_lot_cannot_be_held(quality_inspector, materials_handler):
    bin_ = make_location()
    lot = make_lot(quantity=1, location=bin_)
    services.scrap(1, bin_, materials_handler, "Broken", lot=lot)

    with pytest.raises(StockError, match="cannot change"):
        services.hold_lot(lot, quality_inspector, "Suspect")


def test_receipt_publishes_lot_received(
    materials_handler, django_capture_on_commit_callbacks
):
    heard = []
    events.subscribe(Event.LOT_RECEIVED, lambda **data: heard.append(data))
    item = make_item(requires_incoming_inspection=True)

    with django_capture_on_commit_callbacks(execute=True):
        lot = make_lot(item, 3)

    assert {"lot_id": lot.pk, "needs_inspection": True} in heard


def test_an_expired_lot_stays_off_the_line(materials_handler):
    store = make_location()
    line = make_location(LocationKind.LINE_SIDE)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    lot = make_lot(quantity=5, location=store, expires_on=yesterday)

    with pytest.raises(StockError, match="expired"):
        services.transfer(1, store, line, materials_handler, lot=lot)
    services.transfer(1, store, make_location(), materials_handler, lot=lot)
