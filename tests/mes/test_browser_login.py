"""In headless Chromium: a planner and an operator log in and switch to Chinese."""

import pytest
from playwright.sync_api import expect

from mes.roles import Role
from tests.browser import log_in
from tests.factories import make_user
from tests.factories.equipment import make_machine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_planner_logs_in_and_switches_to_chinese(live_server, page):
    # given a planner
    make_user("pat", Role.PLANNER)

    # when they log in
    log_in(page, live_server.url, "pat")

    # then they see the plans page, and in Chinese after switching
    expect(page.locator("h1")).to_have_text("Plans and orders")
    page.click("button[name=language][value=zh-hans]")
    expect(page.locator("h1")).to_have_text("计划与工单")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_operator_lands_on_the_terminal_with_the_scanner_focused(live_server, page):
    # given an operator and a machine
    make_user("olga", Role.OPERATOR)
    make_machine(code="T01", name="Lathe T01")

    # when they log in
    log_in(page, live_server.url, "olga")

    # then the tablet terminal shows with the scanner field ready for a code
    expect(page.locator("body.tablet")).to_be_visible()
    expect(page.locator("#scan")).to_be_focused()
    page.click("button[name=language][value=zh-hans]")
    expect(page.locator("label[for=scan]")).to_have_text("扫描或输入编码")

    # and scanning the machine's code signs them on at it
    page.fill("#scan", "T01")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("T01")
