"""Logging in: landing pages per role, lockout, session rotation."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mes.middleware import TOUCHED_KEY
from mes.roles import Role
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _log_in(client, username, password=DEFAULT_PASSWORD, address="10.1.1.1"):
    return client.post(
        reverse("mes:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.PLANNER, "planning:home"),
        (Role.SUPERVISOR, "dispatch:board"),
        (Role.OPERATOR, "dispatch:terminal"),
        (Role.MAINTENANCE, "equipment:home"),
        (Role.QUALITY, "quality:home"),
        (Role.MATERIALS, "materials:home"),
        (Role.ADMIN, "admin:index"),
    ],
)
def test_each_role_lands_on_its_home_page(role, landing):
    # given a user of the role
    make_user("someone", role)
    client = Client()

    # when they log in and follow the redirects
    response = _log_in(client, "someone")
    home = client.get(response.headers["Location"])

    # then they land on their role's page
    assert response.status_code == 302
    assert home.status_code == 302
    assert home.headers["Location"] == reverse(landing)
    assert client.get(reverse(landing)).status_code == 200


def test_user_without_role_is_told_so(outsider):
    client = Client()
    _log_in(client, outsider.username)

    response = client.get(reverse("mes:home"))

    assert response.status_code == 403
    assert b"No role assigned" in response.content


def test_wrong_password_is_refused_with_a_clear_message(planner):
    response = _log_in(Client(), planner.username, "wrong")

    assert response.status_code == 200
    assert b"Please enter a correct" in response.content


def test_user_is_locked_after_repeated_failures(planner):
    # given as many failed logins as the limit allows, from changing addresses
    for attempt in range(settings.LOGIN_FAILURE_LIMIT):
        _log_in(Client(), planner.username, "wrong", address=f"10.0.0.{attempt}")

    # when the right password is then given
    client = Client()
    response = _log_in(client, planner.username, address="10.9.9.9")

    # then the login is refused with the lockout message and no session starts
    assert response.status_code == 200
    assert b"Too many failed logins" in response.content
    assert "_auth_user_id" not in client.session


def test_address_is_locked_after_failures_across_users(planner, settings):
    # given an address that tried many user names
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    for attempt in range(4):
        _log_in(Client(), f"guess{attempt}", "wrong", address="10.6.6.6")

    # when a valid user logs in from that address, and from another
    refused = _log_in(Client(), planner.username, address="10.6.6.6")
    allowed = _log_in(Client(), planner.username, address="10.7.7.7")

    # then only the locked address is refused
    assert b"Too many failed logins" in refused.content
    assert allowed.status_code == 302


def test_successful_login_clears_the_user_counter(planner):
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _log_in(Client(), planner.username, "wrong")
    assert _log_in(Client(), planner.username).status_code == 302

    # a later failure starts counting from zero again
    _log_in(Client(), planner.username, "wrong")
    assert _log_in(Client(), planner.username).status_code == 302


def test_login_rotates_the_session_key(planner):
    # given a visitor with an anonymous session
    client = Client()
    client.get(reverse("mes:login"))
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key

    # when they log in
    _log_in(client, planner.username)

    # then the session key has changed
    assert client.session.session_key != before


def test_idle_expiry_is_renewed_by_use_at_most_once_a_minute(planner):
    # given a planner whose session was last renewed two minutes ago
    client = Client()
    client.force_login(planner)
    client.get(reverse("planning:home"))
    session = client.session
    session[TOUCHED_KEY] = time.time() - 120
    session.save()
    stale_expiry = Session.objects.get(session_key=session.session_key).expire_date

    # when they use a page twice
    client.get(reverse("planning:home"))
    renewed = Session.objects.get(session_key=session.session_key).expire_date
    client.get(reverse("planning:home"))
    unchanged = Session.objects.get(session_key=session.session_key).expire_date

    # then the first use renews the idle expiry and the second writes nothing
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert renewed > stale_expiry
    assert unchanged == renewed


def test_repeated_pages_do_not_read_roles_and_preferences_again(planner):
    # given a planner who has opened a page
    client = Client()
    client.force_login(planner)
    client.get(reverse("planning:home"))

    # when the page is opened again
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("planning:home"))

    # then neither the profile nor the groups are read
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "mes_userprofile" not in tables
    assert "auth_user_groups" not in tables


def test_logout_needs_post_and_ends_the_session(planner):
    client = Client()
    client.force_login(planner)

    assert client.get(reverse("mes:logout")).status_code == 405
    client.post(reverse("mes:logout"))

    assert "_auth_user_id" not in client.session
