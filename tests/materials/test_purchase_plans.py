"""Purchase plans: review and approval, receipts against them, reorders."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from materials import queries, services
from materials.models import LotStatus, PurchasePlanStatus, StockMove
from materials.services import PurchaseSuggestion, StockError
from mes.roles import Role
from tests.factories import make_user
from tests.factories.materials import (
    make_item,
    make_location,
    make_lot,
    make_supplier,
)

pytestmark = pytest.mark.django_db

SOON = datetime.date(2027, 1, 15)


@pytest.fixture
def approver(db):
    return make_user("abe.approver", Role.MATERIALS)


def approved_plan(author, approver, *lines):
    plan = services.create_purchase_plan(author, lines)
    services.submit_purchase_plan(plan, author)
    return services.approve_purchase_plan(plan, approver)


def test_plan_goes_from_draft_through_review_to_approved(materials_handler, approver):
    # given a draft plan from a shortage suggestion
    item = make_item(preferred_supplier=make_supplier())
    plan = services.create_purchase_plan(
        materials_handler, [PurchaseSuggestion(item.pk, Decimal(100), SOON)]
    )
    assert plan.status == PurchasePlanStatus.DRAFT
    assert plan.lines.get().supplier == item.preferred_supplier

    # when submitted, returned, resubmitted and approved
    services.submit_purchase_plan(plan, materials_handler)
    services.return_purchase_plan(plan, approver, "Quantity too high")
    services.submit_purchase_plan(plan, materials_handler)
    plan = services.approve_purchase_plan(plan, approver)

    # then it is approved by the second person
    assert plan.status == PurchasePlanStatus.APPROVED
    assert plan.approved_by == approver


def test_the_author_cannot_approve_their_own_plan(materials_handler):
    plan = services.create_purchase_plan(
        materials_handler, [PurchaseSuggestion(make_item().pk, Decimal(5), SOON)]
    )
    services.submit_purchase_plan(plan, materials_handler)

    with pytest.raises(StockError, match="someone other"):
        services.approve_purchase_plan(plan, materials_handler)
    plan.refresh_from_db()
    assert plan.status == PurchasePlanStatus.SUBMITTED


def test_an_empty_plan_cannot_be_submitted(materials_handler):
    plan = services.create_purchase_plan(materials_handler, [])

    with pytest.raises(StockError, match="at least one line"):
        services.submit_purchase_plan(plan, materials_handler)


def test_partial_then_complete_receipt_closes_the_plan(materials_handler, approver):
    # given an approved plan for 100
    item = make_item()
    plan = approved_plan(
        materials_handler, approver, PurchaseSuggestion(item.pk, Decimal(100), SOON)
    )
    line = plan.lines.get()
    store = make_location()

    # when 60 are received, the plan stays open with 40 to come
    services.receive(item, 60, store, materials_handler, purchase_plan_line=line)
    line.refresh_from_db()
    assert line.received_quantity == 60
    assert [r.quantity for r in queries.open_receipts_by_item([item.pk])] == [40]

    # then receiving more than is open is refused, and the rest closes the plan
    with pytest.raises(StockError, match="Only 40"):
        services.receive(item, 41, store, materials_handler, purchase_plan_line=line)
    services.receive(item, 40, store, materials_handler, purchase_plan_line=line)
    plan.refresh_from_db()
    assert plan.status == PurchasePlanStatus.CLOSED
    assert queries.open_receipts_by_item([item.pk]) == []
    assert StockMove.objects.filter(reference=plan.number).count() == 2


def test_receipt_of_an_inspected_item_is_quarantined(materials_handler, approver):
    item = make_item(requires_incoming_inspection=True)
    plan = approved_plan(
        materials_handler, approver, PurchaseSuggestion(item.pk, Decimal(10), SOON)
    )

    lot = services.receive(
        item,
        10,
        make_location(),
        materials_handler,
        purchase_plan_line=plan.lines.get(),
    )

    assert lot.status == LotStatus.QUARANTINE
    assert queries.on_hand_by_item([item.pk]) == {}


def test_a_draft_plan_cannot_be_received_against(materials_handler):
    item = make_item()
    plan = services.create_purchase_plan(
        materials_handler, [PurchaseSuggestion(item.pk, Decimal(10), SOON)]
    )

    with pytest.raises(StockError, match="only approved"):
        services.receive(
            item,
            10,
            make_location(),
            materials_handler,
            purchase_plan_line=plan.lines.get(),
        )
    assert not StockMove.objects.filter(item=item).exists()


def test_receipt_of_the_wrong_item_is_refused(materials_handler, approver):
    item = make_item()
    plan = approved_plan(
        materials_handler, approver, PurchaseSuggestion(item.pk, Decimal(10), SOON)
    )

    with pytest.raises(StockError, match="is for"):
        services.receive(
            make_item(),
            10,
            make_location(),
            materials_handler,
            purchase_plan_line=plan.lines.get(),
        )


def test_on_hand_counts_only_usable_stock(materials_handler, quality_inspector):
    # given an item with an available, a held, and an expired lot
    item = make_item()
    make_lot(item, 10)
    held = make_lot(item, 5)
    services.hold_lot(held, quality_inspector, "Suspect")
    make_lot(item, 7, expires_on=timezone.localdate() - datetime.timedelta(days=1))

    # then only the available lot counts
    assert queries.on_hand_by_item([item.pk]) == {item.pk: Decimal(10)}


def test_reorder_suggestions_count_open_receipts(materials_handler, approver):
    # given two items below their reorder point, one with a receipt coming
    short = make_item(reorder_point=50, reorder_quantity=100, lead_time_days=7)
    covered = make_item(reorder_point=50, reorder_quantity=100)
    make_lot(short, 10)
    approved_plan(
        materials_handler, approver, PurchaseSuggestion(covered.pk, Decimal(60), SOON)
    )

    # when suggestions are computed
    suggestions = queries.reorder_suggestions()

    # then only the uncovered item is suggested, with its reorder quantity
    assert [(s.item, s.quantity) for s in suggestions] == [(short, Decimal(100))]
    assert suggestions[0].needed_by == timezone.localdate() + datetime.timedelta(7)
