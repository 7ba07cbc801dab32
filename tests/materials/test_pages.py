"""The materials pages, driven through the test client and real forms."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from materials import services
from materials.models import (
    ItemKind,
    LocationKind,
    Lot,
    LotStatus,
    PurchasePlan,
    PurchasePlanStatus,
    StockBalance,
    StockCountStatus,
    StockMove,
)
from mes.roles import Role
from tests.factories import make_user
from tests.factories.materials import make_item, make_location, make_lot, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler_client(client, materials_handler):
    client.force_login(materials_handler)
    return client


def test_receive_page_creates_a_lot_from_scanned_codes(handler_client):
    # given an item and a bin known by their codes
    item = make_item(code="CAST-100")
    make_location(code="A-01-01")

    # when the form is sent with scanned codes (odd case and spaces)
    response = handler_client.post(
        reverse("materials:receive"),
        {"item": " cast-100", "quantity": "12", "location": "a-01-01 "},
    )

    # then a lot of 12 is in the bin and the page offers its label
    lot = Lot.objects.get(item=item)
    assert response.status_code == 302
    assert response.url.endswith(f"?lot={lot.pk}")
    page = handler_client.get(response.url)
    assert reverse("materials:lot-label", args=[lot.pk]) in page.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"item": "NOPE", "quantity": "1", "location": "BIN"}, "No active item"),
        ({"item": "ITM", "quantity": "-2", "location": "BIN"}, "greater than zero"),
        ({"item": "ITM", "quantity": "two", "location": "BIN"}, "not a quantity"),
        ({"item": "ITM", "quantity": "1", "location": "NOWHERE"}, "No active location"),
    ],
)
def test_receive_page_refuses_bad_input(handler_client, data, message):
    make_item(code="ITM")
    make_location(code="BIN")

    response = handler_client.post(reverse("materials:receive"), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StockMove.objects.exists()


def test_move_page_refuses_a_lot_on_hold(handler_client, quality_inspector):
    store = make_location(code="STORE")
    make_location(LocationKind.LINE_SIDE, code="LINE")
    lot = make_lot(quantity=5, location=store, lot_code="HELD-1")
    services.hold_lot(lot, quality_inspector, "Suspect")

    response = handler_client.post(
        reverse("materials:issue"),
        {
            "stock": "HELD-1",
            "quantity": "1",
            "reference": "WO-1",
            "to_location": "LINE",
        },
    )

    assert "on hold" in response.content.decode()
    assert StockBalance.objects.get(lot=lot).quantity == 5


def test_move_page_moves_stock(handler_client):
    store = make_location(code="STORE")
    other = make_location(code="OTHER")
    lot = make_lot(quantity=5, location=store, lot_code="MOVE-1")

    response = handler_client.post(
        reverse("materials:move"),
        {
            "stock": "MOVE-1",
            "quantity": "2",
            "from_location": "STORE",
            "to_location": "OTHER",
        },
    )

    assert response.status_code == 302
    assert StockBalance.objects.get(lot=lot, location=other).quantity == 2


def test_lot_page_shows_both_traces_and_the_label_has_a_qr_code(
    handler_client, materials_handler
):
    # given a casting that went into a housing
    casting = make_lot(quantity=5, lot_code="CAST-LOT")
    housing = services.record_output(
        make_item(ItemKind.FINISHED_GOOD),
        1,
        make_location(),
        "WO-9",
        [(casting, 2)],
        materials_handler,
        lot_code="HOUSING-LOT",
    )

    # when the pages of both lots are opened
    casting_page = handler_client.get(
        reverse("materials:lot-detail", args=[casting.pk])
    )
    housing_page = handler_client.get(
        reverse("materials:lot-detail", args=[housing.pk])
    )
    label = handler_client.get(reverse("materials:lot-label", args=[housing.pk]))

    # then each shows the other in its trace, and the label holds an SVG
    assert "HOUSING-LOT" in casting_page.content.decode()
    assert "CAST-LOT" in housing_page.content.decode()
    assert "<svg" in label.content.decode()
    assert "HOUSING-LOT" in label.content.decode()


def test_recall_report_as_page_and_csv(handler_client, materials_handler):
    store = make_location(code="FG-STORE")
    casting = make_lot(quantity=5)
    services.record_output(
        make_item(ItemKind.FINISHED_GOOD),
        1,
        store,
        "WO-9",
        [(casting, 2)],
        materials_handler,
        lot_code="FG-1",
    )
    url = reverse("materials:recall", args=[casting.pk])

    page = handler_client.get(url)
    export = handler_client.get(url, {"format": "csv"})

    assert "FG-1" in page.content.decode()
    assert "FG-1" in export.content.decode()
    assert "FG-STORE" in export.content.decode()


def test_find_lot_opens_the_lot_or_says_it_is_unknown(handler_client):
    lot = make_lot(lot_code="FIND-ME")

    found = handler_client.get(reverse("materials:lot-find"), {"code": "find-me"})
    missing = handler_client.get(
        reverse("materials:lot-find"), {"code": "NOPE"}, follow=True
    )

    assert found.url == reverse("materials:lot-detail", args=[lot.pk])
    assert "No lot has the code NOPE" in missing.content.decode()


def test_purchase_plan_pages_from_draft_to_receipt(client, materials_handler):
    # given a planner who drafts a plan and a handler who approves it
    planner = make_user("pia.planner", Role.PLANNER)
    item = make_item(code="ORING")
    make_location(code="BIN")
    client.force_login(planner)
    client.post(reverse("materials:purchase-plan-create"))
    plan = PurchasePlan.objects.get()
    client.post(
        reverse("materials:purchase-plan-add-line", args=[plan.pk]),
        {"item": "ORING", "quantity": "100", "needed_by": "2027-01-10"},
    )
    client.post(reverse("materials:purchase-plan-submit", args=[plan.pk]))

    # when the handler approves and receives 40 against the line
    client.force_login(materials_handler)
    client.post(reverse("materials:purchase-plan-approve", args=[plan.pk]))
    line = plan.lines.get()
    receive_page = client.get(reverse("materials:receive"), {"line": line.pk})
    client.post(
        reverse("materials:receive"),
        {
            "item": "ORING",
            "quantity": "40",
            "location": "BIN",
            "purchase_plan_line": line.pk,
        },
    )

    # then the plan is approved with 40 received and the form was prefilled
    plan.refresh_from_db()
    line.refresh_from_db()
    assert plan.status == PurchasePlanStatus.APPROVED
    assert line.received_quantity == Decimal(40)
    assert 'value="100"' in receive_page.content.decode()
    assert Lot.objects.get(item=item).reference == plan.number


def test_reorder_page_creates_a_plan(handler_client):
    item = make_item(reorder_point=10, reorder_quantity=50)

    page = handler_client.get(reverse("materials:reorder"))
    response = handler_client.post(reverse("materials:reorder-plan"), {"item": item.pk})

    assert item.code in page.content.decode()
    plan = PurchasePlan.objects.get()
    assert response.url == reverse("materials:purchase-plan-detail", args=[plan.pk])
    assert plan.lines.get().quantity == 50


def test_count_pages_count_submit_and_approve(client, materials_handler, supervisor):
    # given a bin with a lot of 10
    bin_ = make_location(code="BIN-C")
    lot = make_lot(quantity=10, location=bin_, lot_code="COUNT-1")
    client.force_login(materials_handler)

    # when the handler counts 9 and submits, and the supervisor approves
    client.post(reverse("materials:stock-count-start"), {"location": "BIN-C"})
    count = lot.item.stock_counts.model.objects.get()
    recorded = client.post(
        reverse("materials:stock-count-record", args=[count.pk]),
        {"stock": "COUNT-1", "location": "BIN-C", "quantity": "9"},
    )
    assert recorded.url.endswith("?location=BIN-C")
    next_scan = client.get(recorded.url).content.decode()
    assert 'value="BIN-C"' in next_scan
    client.post(reverse("materials:stock-count-submit", args=[count.pk]))
    client.force_login(supervisor)
    client.post(reverse("materials:stock-count-approve", args=[count.pk]))

    # then the balance is 9 and the count approved
    count.refresh_from_db()
    assert count.status == StockCountStatus.APPROVED
    assert StockBalance.objects.get(lot=lot).quantity == 9


def test_stock_overview_filters_by_location(handler_client):
    zone = make_location("zone", code="ZONE-A")
    inside = make_location(parent=zone)
    make_lot(make_item(code="INSIDE"), 3, inside)
    make_lot(make_item(code="OUTSIDE"), 3)

    page = handler_client.get(reverse("materials:home"), {"location": "ZONE-A"})

    content = page.content.decode()
    assert "INSIDE" in content
    assert "OUTSIDE" not in content


def test_expired_lot_status_shows(handler_client):
    lot = make_lot(
        quantity=1, expires_on=datetime.date.today() - datetime.timedelta(days=3)
    )

    page = handler_client.get(reverse("materials:lot-detail", args=[lot.pk]))

    assert "Expired" in page.content.decode()
    assert lot.status == LotStatus.AVAILABLE


def test_scrap_page_needs_a_reason_and_scraps(handler_client):
    bin_ = make_location(code="BIN-S")
    lot = make_lot(quantity=3, location=bin_, lot_code="SCRAP-1")
    url = reverse("materials:scrap")

    refused = handler_client.post(
        url, {"stock": "SCRAP-1", "quantity": "3", "location": "BIN-S"}
    )
    handler_client.post(
        url,
        {"stock": "SCRAP-1", "quantity": "3", "location": "BIN-S", "reason": "Rust"},
    )

    assert "This field is required" in refused.content.decode()
    lot.refresh_from_db()
    assert lot.status == LotStatus.SCRAPPED


def test_receive_page_lists_expected_deliveries(handler_client, materials_handler):
    # given an approved plan with an open line
    item = make_item(code="SEAL-1")
    planner = make_user("pia.planner", Role.PLANNER)
    plan = services.create_purchase_plan(
        planner,
        [services.PurchaseSuggestion(item.pk, Decimal(30), datetime.date(2027, 1, 5))],
    )
    services.submit_purchase_plan(plan, planner)
    services.approve_purchase_plan(plan, materials_handler)
    line = plan.lines.get()

    # when the receive page is opened, with and without the line chosen
    listing = handler_client.get(reverse("materials:receive")).content.decode()
    chosen = handler_client.get(reverse("materials:receive"), {"line": line.pk})

    # then the line is offered, and choosing it names the plan
    assert f"?line={line.pk}" in listing
    assert plan.number in chosen.content.decode()
    assert "30 pcs still open" in chosen.content.decode()


def test_lots_page_lists_lots_in_stock_and_by_status(handler_client, quality_inspector):
    in_stock = make_lot(quantity=2, lot_code="IN-STOCK")
    held = make_lot(quantity=2, lot_code="HELD-2")
    services.hold_lot(held, quality_inspector, "Suspect")

    everything = handler_client.get(reverse("materials:lots")).content.decode()
    on_hold = handler_client.get(
        reverse("materials:lots"), {"status": LotStatus.ON_HOLD}
    ).content.decode()

    assert in_stock.code in everything and held.code in everything
    assert held.code in on_hold and in_stock.code not in on_hold


def test_locations_page_shows_the_tree(handler_client):
    warehouse = make_location(LocationKind.WAREHOUSE, code="WH-T")
    zone = make_location("zone", parent=warehouse, code="WH-T-Z")
    make_location(parent=zone, code="WH-T-Z-01")

    content = handler_client.get(reverse("materials:locations")).content.decode()

    assert content.index("WH-T-Z-01") > content.index("WH-T-Z") > 0
    assert 'class="depth-2"' in content


def test_pages_speak_chinese(client, materials_handler):
    client.force_login(materials_handler)

    page = client.get(reverse("materials:home"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "现存量" in page.content.decode()


def test_issue_page_proposes_lots_first_expiry_first(handler_client):
    item = make_item(code="PAINT-X", unit=make_unit("l", decimals=2))
    today = datetime.date.today()
    later = make_lot(item, 5, expires_on=today + datetime.timedelta(days=60))
    sooner = make_lot(item, 5, expires_on=today + datetime.timedelta(days=5))

    page = handler_client.get(
        reverse("materials:issue"),
        {
            "proposal-item": "PAINT-X",
            "proposal-quantity": "7",
            "proposal-strategy": "fefo",
        },
    )

    content = page.content.decode()
    assert content.index(sooner.code) < content.index(later.code)


def test_stock_overview_exports_csv_and_excel(handler_client):
    make_lot(make_item(code="EXPORT-ME"), 7)
    url = reverse("materials:home")

    as_csv = handler_client.get(url, {"in_stock": "1", "format": "csv"})
    as_excel = handler_client.get(url, {"in_stock": "1", "format": "xlsx"})

    text = as_csv.content.decode("utf-8-sig")
    assert "EXPORT-ME" in text and ",7,7," in text
    assert as_excel["Content-Type"].startswith("application/vnd.openxmlformats")
    assert as_excel.content[:2] == b"PK"


def test_move_page_finds_the_source_when_the_lot_is_in_one_place(handler_client):
    # given a lot in one bin, and another lot split over two bins
    first_bin = make_location(code="BIN-1")
    second_bin = make_location(code="BIN-2")
    make_location(code="DEST")
    single = make_lot(quantity=5, location=first_bin, lot_code="ONE-PLACE")
    split = make_lot(quantity=5, location=first_bin, lot_code="TWO-PLACES")
    services.transfer(2, first_bin, second_bin, None, lot=split)
    url = reverse("materials:move")

    # when both are moved without naming the source
    moved = handler_client.post(
        url, {"stock": "ONE-PLACE", "quantity": "1", "to_location": "DEST"}
    )
    refused = handler_client.post(
        url, {"stock": "TWO-PLACES", "quantity": "1", "to_location": "DEST"}
    )

    # then the single place is used, and the split lot asks which one
    assert moved.status_code == 302
    assert StockBalance.objects.get(lot=single, location=first_bin).quantity == 4
    assert "several locations" in refused.content.decode()
