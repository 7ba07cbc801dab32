"""Create the role groups with the model permissions of the base apps."""

from django.db import migrations

from mes.lib.permissions import grant
from mes.roles import BASE_PERMISSIONS


def create_role_groups(apps, schema_editor):
    grant(apps, BASE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("mes", "0002_audit_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("equipment", "0001_initial"),
        ("materials", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
