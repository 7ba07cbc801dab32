"""Nonconformance dispositions post materials moves; closure is verified."""

from datetime import date
from decimal import Decimal

import pytest

from materials.models import LotStatus, MoveKind, StockMove
from quality import holds, nonconformances
from quality.models import ElectronicSignature, QualityError
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.factories.materials import make_item, make_location, make_lot, make_supplier
from tests.factories.quality import make_nonconformance

pytestmark = pytest.mark.django_db


def test_scrap_books_the_quantity_out_of_stock(quality_inspector):
    report = make_nonconformance(quantity=Decimal("5"))

    nonconformances.disposition(report, quality_inspector, "scrap")

    move = StockMove.objects.get(lot=report.lot, kind=MoveKind.SCRAP)
    assert move.quantity == Decimal("5")
    assert move.reference == report.number
    report.refresh_from_db()
    assert report.status == "dispositioned"


def test_return_to_supplier_books_a_return(quality_inspector):
    lot = make_lot(make_item(), 20, make_location(), supplier=make_supplier())
    report = make_nonconformance(lot=lot, quantity=Decimal("20"))

    nonconformances.disposition(report, quality_inspector, "return")

    assert StockMove.objects.get(lot=lot, kind=MoveKind.RETURN).quantity == 20


def test_rework_moves_the_stock_to_the_rework_location(quality_inspector):
    report = make_nonconformance(quantity=Decimal("3"))
    rework = make_location()

    with pytest.raises(QualityError, match="rework location"):
        nonconformances.disposition(report, quality_inspector, "rework")

    nonconformances.disposition(
        report,
        quality_inspector,
        "rework",
        rework_location=rework,
        rework_reference="WO-RW-1",
    )
    move = StockMove.objects.get(lot=report.lot, kind=MoveKind.TRANSFER)
    assert move.to_location == rework
    assert move.reference == "WO-RW-1"


def test_use_as_is_needs_an_approvers_signature_and_releases_the_lot(
    quality_inspector, supervisor
):
    report = make_nonconformance()
    holds.hold_lots(report.lot, quality_inspector, "Cosmetic", nonconformance=report)

    with pytest.raises(QualityError, match="Enter your password"):
        nonconformances.disposition(report, supervisor, "use_as_is")
    report.lot.refresh_from_db()
    assert report.lot.status == LotStatus.ON_HOLD

    nonconformances.disposition(
        report, supervisor, "use_as_is", password=DEFAULT_PASSWORD
    )
    report.lot.refresh_from_db()
    assert report.lot.status == LotStatus.AVAILABLE
    signature = ElectronicSignature.objects.get(meaning="approved")
    assert signature.signer == supervisor


def test_closure_needs_done_actions_and_a_signed_verification(quality_inspector):
    report = make_nonconformance()
    nonconformances.disposition(report, quality_inspector, "scrap")
    owner = make_user("otto.owner")
    action = nonconformances.add_action(
        report, quality_inspector, "Replace the worn insert", owner, date.today()
    )

    with pytest.raises(QualityError, match="Every corrective action"):
        nonconformances.close_nonconformance(
            report,
            quality_inspector,
            "Worn insert",
            "Checked 20 parts",
            DEFAULT_PASSWORD,
        )

    nonconformances.complete_action(action, owner, "Insert replaced")
    nonconformances.close_nonconformance(
        report, quality_inspector, "Worn insert", "Checked 20 parts", DEFAULT_PASSWORD
    )
    report.refresh_from_db()
    assert report.status == "closed"
    assert (
        ElectronicSignature.objects.get(meaning="verified").signer == quality_inspector
    )


def test_a_closed_report_cannot_be_dispositioned_again(quality_inspector):
    report = make_nonconformance()
    nonconformances.disposition(report, quality_inspector, "scrap")
    with pytest.raises(QualityError, match="cannot become"):
        nonconformances.disposition(report, quality_inspector, "scrap")
    assert StockMove.objects.filter(kind=MoveKind.SCRAP).count() == 1
