"""Shared fixtures: the personas of the MES and real services.

Tests run against the real PostgreSQL and Redis named by DATABASE_URL and
REDIS_URL (``make test`` uses Redis database 15, apart from development).
"""

import os

import pytest
from django.core.cache import cache
from django.utils import translation

from mes.roles import Role
from tests.factories import make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _clean_cache():
    """Every test starts with an empty cache (lockout counters, sessions)."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _english_by_default():
    """A language a test (or a page it renders) activates ends with it."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing strength is Django's concern; tests need speed."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def planner(db):
    return make_user("pat.planner", Role.PLANNER, first_name="Pat")


@pytest.fixture
def supervisor(db):
    return make_user("sam.supervisor", Role.SUPERVISOR, first_name="Sam")


@pytest.fixture
def operator(db):
    return make_user("olga.operator", Role.OPERATOR, first_name="Olga")


@pytest.fixture
def maintenance_technician(db):
    return make_user("max.maintenance", Role.MAINTENANCE, first_name="Max")


@pytest.fixture
def quality_inspector(db):
    return make_user("quinn.quality", Role.QUALITY, first_name="Quinn")


@pytest.fixture
def materials_handler(db):
    return make_user("mia.materials", Role.MATERIALS, first_name="Mia")


@pytest.fixture
def admin_user(db):
    return make_user("ada.admin", Role.ADMIN, first_name="Ada", is_superuser=True)


@pytest.fixture
def outsider(db):
    """A signed-up user who holds no role at all."""
    return make_user("oscar.outsider")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }
