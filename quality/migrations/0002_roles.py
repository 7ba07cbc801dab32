"""The quality permissions of the roles, for Django admin."""

from django.db import migrations

from mes.lib.permissions import grant
from mes.roles import Role

QUALITY_PERMISSIONS = {
    Role.QUALITY: ["quality.view_*"],
    Role.SUPERVISOR: ["quality.view_*"],
    Role.ADMIN: ["quality.*"],
}


def grant_quality_permissions(apps, schema_editor):
    grant(apps, QUALITY_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0001_initial"),
        ("mes", "0003_role_groups"),
    ]

    operations = [
        migrations.RunPython(grant_quality_permissions, migrations.RunPython.noop),
    ]
