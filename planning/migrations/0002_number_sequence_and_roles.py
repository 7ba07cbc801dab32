"""The work order number sequence and the planning permissions of the roles."""

from django.db import migrations

from mes.lib.permissions import grant
from mes.roles import Role

PLANNING_PERMISSIONS = {
    Role.PLANNER: ["planning.view_*"],
    Role.SUPERVISOR: ["planning.view_*"],
    Role.ADMIN: ["planning.*"],
}


def grant_planning_permissions(apps, schema_editor):
    grant(apps, PLANNING_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0001_initial"),
        ("mes", "0003_role_groups"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS planning_work_order_number_seq",
            "DROP SEQUENCE IF EXISTS planning_work_order_number_seq",
        ),
        migrations.RunPython(grant_planning_permissions, migrations.RunPython.noop),
    ]
