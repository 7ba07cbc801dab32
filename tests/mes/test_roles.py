"""The role groups and their permissions."""

import pytest
from django.contrib.auth.models import Group

from mes.roles import Role

pytestmark = pytest.mark.django_db


def test_every_role_group_exists():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_roles_hold_the_permissions_of_their_work():
    materials = Group.objects.get(name=Role.MATERIALS)
    operator = Group.objects.get(name=Role.OPERATOR)
    admin = Group.objects.get(name=Role.ADMIN)

    materials_codes = set(materials.permissions.values_list("codename", flat=True))
    operator_codes = set(operator.permissions.values_list("codename", flat=True))
    admin_codes = set(admin.permissions.values_list("codename", flat=True))

    assert {"add_item", "change_item", "view_item"} <= materials_codes
    assert "change_item" not in operator_codes
    assert "view_machine" in operator_codes
    assert {"change_machine", "add_user", "view_auditentry"} <= admin_codes
    assert "change_auditentry" not in admin_codes
