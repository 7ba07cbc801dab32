"""Grant model permissions to the role groups from data migrations."""

from fnmatch import fnmatch
from typing import Any

from django.contrib.auth.management import create_permissions


def grant(apps: Any, grants: dict[str, list[str]]) -> None:
    """Give each role group the permissions matching its patterns.

    Patterns are "app_label.codename" with shell wildcards in the codename.
    Groups are created when missing. Permissions of apps migrated in the same
    run are created first, since Django only adds them after migrate ends.
    """
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permissions = list(permission_model.objects.select_related("content_type").all())
    for role, patterns in grants.items():
        group, _created = group_model.objects.get_or_create(name=role)
        matching = [
            permission
            for permission in permissions
            if any(_matches(permission, pattern) for pattern in patterns)
        ]
        group.permissions.add(*matching)


def _matches(permission: Any, pattern: str) -> bool:
    app_label, _dot, codename = pattern.partition(".")
    return permission.content_type.app_label == app_label and fnmatch(
        permission.codename, codename
    )
