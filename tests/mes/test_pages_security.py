"""Pages under the Content Security Policy, with no request to the internet."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_carry_a_nonce_policy_and_htmx_uses_the_nonce(planner):
    client = Client()
    client.force_login(planner)

    response = client.get(reverse("planning:home"))

    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    page = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert scripts, "the page loads htmx and the MES script"
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert any("htmx" in tag for tag in scripts)


def test_no_page_refers_to_another_host(planner, supervisor, operator):
    pages = [
        (planner, reverse("planning:home")),
        (supervisor, reverse("dispatch:board")),
        (operator, reverse("dispatch:terminal")),
    ]
    for user, url in pages:
        client = Client()
        client.force_login(user)
        page = client.get(url).content.decode()
        remote = re.findall(r'(?:src|href)="(https?://[^"]+)"', page)
        assert remote == [], f"{url} loads {remote}"


def test_htmx_is_served_from_our_static_files():
    assert finders.find("django_htmx/htmx-2.min.js")
