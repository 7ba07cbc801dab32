"""Helpers for browser tests in headless Chromium (pytest-playwright).

Browser tests take the ``live_server`` and ``page`` fixtures, are marked
``@pytest.mark.browser`` and use ``transactional_db`` (the server thread
has its own connection).
"""

from playwright.sync_api import Page, expect

from tests.factories import DEFAULT_PASSWORD


def log_in(page: Page, base_url: str, username: str, password: str = DEFAULT_PASSWORD):
    """Log in through the real login form and wait for the landing page."""
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    expect(page.locator("header.topbar .who")).to_be_visible()
