"""The dispatch permissions of the roles, for Django admin."""

from django.db import migrations

from mes.lib.permissions import grant
from mes.roles import Role

DISPATCH_PERMISSIONS = {
    Role.SUPERVISOR: ["dispatch.view_*"],
    Role.PLANNER: ["dispatch.view_*"],
    Role.ADMIN: ["dispatch.*"],
}


def grant_dispatch_permissions(apps, schema_editor):
    grant(apps, DISPATCH_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0001_initial"),
        ("mes", "0003_role_groups"),
    ]

    operations = [
        migrations.RunPython(grant_dispatch_permissions, migrations.RunPython.noop),
    ]
