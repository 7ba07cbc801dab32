"""In the browser: an inspector enters a failing result and the lot is held."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from materials.models import LotStatus
from mes.roles import Role
from quality import inspections
from quality.models import InspectionOrder, LotHold, Nonconformance
from tests.browser import log_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.factories.materials import make_item, make_location, make_lot
from tests.factories.quality import make_characteristic, make_plan, make_standard


@pytest.mark.browser
def test_a_failing_result_on_the_tablet_holds_the_lot(
    live_server, page, transactional_db
):
    # given a quarantined casting lot with an incoming inspection of 2 units
    inspector = make_user("quinn.quality", Role.QUALITY, first_name="Quinn")
    item = make_item(code="CAST-7", requires_incoming_inspection=True)
    standard = make_standard("released", item=item, created_by=inspector)
    make_characteristic(
        standard,
        name="Wall thickness",
        decimals=2,
        nominal=Decimal("8.00"),
        lower_limit=Decimal("7.50"),
        upper_limit=Decimal("8.50"),
    )
    plan = make_plan(standard, sample_size=2)
    lot = make_lot(item, 40, make_location())
    order = InspectionOrder.objects.filter(lot=lot).first() or inspections.create_order(
        plan, f"lot:{lot.pk}", lot=lot, lot_size=40
    )
    log_in(page, live_server.url, "quinn.quality")

    # when the inspector scans the lot code on the inspection tablet
    page.goto(f"{live_server.url}/quality/inspections/")
    expect(page.locator(".tiles")).to_contain_text(order.number)
    page.fill("#scan", lot.code)
    page.press("#scan", "Enter")
    expect(page.locator("h1")).to_contain_text(order.number)

    # and types a thin wall on sample 2 with the numeric keypad
    fields = page.locator("input[inputmode=decimal]")
    expect(fields).to_have_count(2)
    fields.nth(0).fill("8.02")
    fields.nth(1).fill("7.31")

    # then the thin wall is marked at once, before signing
    expect(page.locator(".sample.nonconforming")).to_have_count(1)

    # when the inspector signs with the password
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign and decide").click()

    # then the order failed, a nonconformance is open and the lot is held
    expect(page.locator(".messages")).to_contain_text("failed")
    expect(page.locator(".badge").first).to_contain_text("Failed")
    lot.refresh_from_db()
    assert lot.status == LotStatus.ON_HOLD
    report = Nonconformance.objects.get(inspection_order=order)
    assert LotHold.objects.get(lot=lot).nonconformance == report
    expect(page.get_by_role("link", name=report.number)).to_be_visible()
