"""In the browser: receive a lot on the tablet page, then trace it."""

import pytest
from playwright.sync_api import expect

from materials import services
from materials.models import ItemKind, Lot
from mes.roles import Role
from tests.browser import log_in
from tests.factories import make_user
from tests.factories.materials import make_item, make_location


@pytest.mark.browser
def test_receive_a_lot_and_trace_it(live_server, page, transactional_db):
    # given a materials handler, a casting item, a bin and a finished good
    handler = make_user("mia.materials", Role.MATERIALS, first_name="Mia")
    casting = make_item(code="CAST-9", name="Casting size 9")
    bin_ = make_location(code="RAW-09")
    housing = make_item(ItemKind.FINISHED_GOOD, code="HOUSING-9")
    log_in(page, live_server.url, "mia.materials")

    # when she receives 25 castings by scanning codes (Enter moves on)
    page.goto(f"{live_server.url}/materials/receive/")
    page.fill("#id_item", "cast-9")
    page.press("#id_item", "Enter")
    expect(page.locator("#id_quantity")).to_be_focused()
    page.keyboard.type("25")
    page.fill("#id_location", "RAW-09")
    page.click("button[type=submit].primary")

    # then the lot is received and its label is offered
    expect(page.locator(".messages")).to_contain_text("Received lot")
    lot = Lot.objects.get(item=casting)
    expect(page.locator(".last-lot")).to_contain_text(lot.code)

    # when production turns 5 of them into a housing lot
    services.record_output(
        housing, 1, bin_, "WO-000001/10", [(lot, 5)], handler, lot_code="HSG-0001"
    )

    # and she finds the casting lot by its code and follows the trace forward
    page.fill("#lot-search-code", lot.code.lower())
    page.press("#lot-search-code", "Enter")
    expect(page.locator("h1")).to_contain_text(lot.code)
    forward = page.locator("#trace-forward")
    expect(forward).to_contain_text("HSG-0001")
    forward.get_by_role("link", name="HSG-0001").click()

    # then the housing's backward trace leads to the casting lot, with 5 used
    backward = page.locator("#trace-backward")
    expect(backward).to_contain_text(lot.code)
    expect(backward).to_contain_text("× 5")

    # and the recall report of the casting names the housing
    page.goto(f"{live_server.url}/materials/lots/{lot.pk}/recall/")
    expect(page.locator("table")).to_contain_text("HSG-0001")
    expect(page.locator("table")).to_contain_text("RAW-09")
