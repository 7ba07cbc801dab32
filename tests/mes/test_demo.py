"""The demo plant loader, run twice."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from equipment.models import Area, Machine, WorkCenter
from materials.models import Item
from mes.demo import DEMO_PASSWORD
from mes.roles import Role, user_roles

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "users": User.objects.count(),
        "areas": Area.objects.count(),
        "work_centers": WorkCenter.objects.count(),
        "machines": Machine.objects.count(),
        "items": Item.objects.count(),
    }


def test_demo_plant_loads_and_a_second_run_changes_nothing():
    # given an empty plant, when the demo is loaded twice
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    planner = User.objects.get(username="planner")
    planner.set_password("changed-by-the-planner")
    planner.save()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    # then the plant has the promised size, and nothing doubled or reset
    assert first == _counts()
    assert first["areas"] == 2
    assert first["work_centers"] == 4
    assert first["machines"] == 8
    assert first["items"] >= 24
    planner.refresh_from_db()
    assert planner.check_password("changed-by-the-planner")


def test_every_role_has_a_demo_user_with_the_printed_password():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    for role in Role.values:
        users = [user for user in User.objects.all() if role in user_roles(user)]
        assert users, f"no demo user for {role}"
    assert User.objects.get(username="operator").check_password(DEMO_PASSWORD)
