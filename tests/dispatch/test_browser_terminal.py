"""In headless Chromium: an operator works an operation on the tablet while
the supervisor's board follows along."""

import pytest
from playwright.sync_api import expect

from mes.roles import Role
from tests.browser import log_in
from tests.factories import make_user
from tests.factories.dispatch import (
    issue_materials,
    make_badge,
    make_released_order,
    operations_of,
    publish_schedule,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_starts_reports_and_completes_while_the_board_updates(
    live_server, browser
):
    # given a published schedule with its materials issued, an operator with
    # a badge and a supervisor watching the board
    order = make_released_order()
    issue_materials(order)
    supervisor = make_user("sam", Role.SUPERVISOR)
    version = publish_schedule(supervisor)
    first = operations_of(order)[0]
    machine = version.entries.get(operation=first).machine
    operator = make_user("olga", Role.OPERATOR, first_name="Olga")
    make_badge(operator, "BADGE-OLGA", "2468")
    board = browser.new_context().new_page()
    log_in(board, live_server.url, "sam")
    board.goto(f"{live_server.url}/dispatch/board/")
    expect(board.locator(".running-operation")).to_have_count(0)

    # when the operator signs on by scanning the badge into the scanner field
    tablet = browser.new_context().new_page()
    log_in(tablet, live_server.url, "olga")
    tablet.goto(f"{live_server.url}/dispatch/terminal/{machine.pk}/")
    tablet.fill("#scan", "BADGE-OLGA")
    tablet.press("#scan", "Enter")
    expect(tablet.locator(".signed-on")).to_contain_text("Olga")

    # and starts the first operation of the queue
    tablet.locator(".job-link", has_text=first.reference).click()
    tablet.click(".start-button")
    expect(tablet.locator(".job-status")).to_contain_text("running here")

    # then the board shows it running without a reload
    expect(board.locator(".running-operation")).to_contain_text(
        first.reference, timeout=12_000
    )

    # when the operator reports 10 good parts, twice by a double tap
    tablet.fill("input[name=good]", "10")
    with tablet.expect_navigation():
        tablet.locator(".report-button").dblclick()
    expect(tablet.locator(".job-good")).to_contain_text("10 / 10")

    # and completes the operation
    tablet.click(".complete-button")
    expect(tablet.locator(".message.success")).to_contain_text("Completed")

    # then the board no longer shows it running, and nothing was counted twice
    expect(board.locator(".running-operation")).to_have_count(0, timeout=12_000)
    first.refresh_from_db()
    assert first.good_quantity == 10
    assert first.status == "completed"
