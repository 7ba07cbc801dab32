"""The user roles of the MES and what each may do.

A role is a Django group of the same name. Views declare the roles that may
use them with ``role_required``; a superuser holds every role.
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLANNER = "planner", _("Planner")
    SUPERVISOR = "supervisor", _("Supervisor")
    OPERATOR = "operator", _("Operator")
    MAINTENANCE = "maintenance", _("Maintenance technician")
    QUALITY = "quality", _("Quality inspector")
    MATERIALS = "materials", _("Materials handler")
    ADMIN = "admin", _("Admin")


# Where each role lands after login, in order of precedence for users who
# hold several roles.
ROLE_HOME = {
    Role.ADMIN: "admin:index",
    Role.SUPERVISOR: "dispatch:board",
    Role.PLANNER: "planning:home",
    Role.MAINTENANCE: "equipment:home",
    Role.QUALITY: "quality:home",
    Role.MATERIALS: "materials:home",
    Role.OPERATOR: "dispatch:terminal",
}

# Model permissions of each role, as "app_label.codename" or "app_label.*"
# (every permission of the app) or "app_label.view_*" (every view
# permission). Apps extend this through data migrations that call
# ``mes.lib.permissions.grant``.
BASE_PERMISSIONS: dict[str, list[str]] = {
    Role.PLANNER: ["materials.view_*", "equipment.view_*", "mes.view_auditentry"],
    Role.SUPERVISOR: ["materials.view_*", "equipment.view_*", "mes.view_auditentry"],
    Role.OPERATOR: ["equipment.view_machine", "materials.view_item"],
    Role.MAINTENANCE: ["equipment.view_*", "materials.view_item"],
    Role.QUALITY: ["materials.view_*", "equipment.view_*", "mes.view_auditentry"],
    Role.MATERIALS: ["materials.*", "equipment.view_*"],
    Role.ADMIN: [
        "equipment.*",
        "materials.*",
        "auth.*",
        "mes.view_auditentry",
        "mes.change_userprofile",
        "mes.view_userprofile",
    ],
}


def user_roles(user: Any) -> frozenset[str]:
    """The roles a user holds; cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_mes_roles", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        roles = frozenset(Role.values)
    else:
        valid = set(Role.values)
        names = user.groups.values_list("name", flat=True)
        roles = frozenset(name for name in names if name in valid)
    user._mes_roles = roles
    return roles


def has_role(user: Any, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def home_url_name(user: Any) -> str | None:
    held = user_roles(user)
    for role, url_name in ROLE_HOME.items():
        if role in held:
            return url_name
    return None


def role_required(
    *roles: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Let only logged-in users holding one of the roles reach the view.

    Anonymous users are sent to the login page; others get 403.
    """
    allowed = frozenset(roles)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not user_roles(request.user) & allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return login_required(wrapper)

    return decorator


def all_roles(roles: Iterable[str] = ()) -> tuple[str, ...]:
    """Every role, for pages any signed-in user may open."""
    return tuple(roles) or tuple(Role.values)
