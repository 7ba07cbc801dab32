"""Template context shared by every page: the navigation of the user's roles."""

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from mes.roles import Role, user_roles

# Menu entries: label, URL name, roles that see it.
NAVIGATION = [
    (_("Plans and orders"), "planning:home", {Role.PLANNER, Role.SUPERVISOR}),
    (_("Shop floor"), "dispatch:board", {Role.SUPERVISOR, Role.PLANNER}),
    (_("Terminal"), "dispatch:terminal", {Role.OPERATOR, Role.SUPERVISOR}),
    (_("Machines"), "equipment:board", {Role.OPERATOR}),
    (_("Downtime"), "equipment:downtime", {Role.OPERATOR}),
    (_("Report a fault"), "equipment:fault-report-new", {Role.OPERATOR}),
    (
        _("Equipment"),
        "equipment:home",
        {Role.MAINTENANCE, Role.SUPERVISOR, Role.PLANNER},
    ),
    (_("Quality"), "quality:home", {Role.QUALITY, Role.SUPERVISOR}),
    (
        _("Materials"),
        "materials:home",
        {Role.MATERIALS, Role.PLANNER, Role.SUPERVISOR, Role.QUALITY},
    ),
    (_("Admin"), "admin:index", {Role.ADMIN}),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": [], "user_roles": frozenset()}
    held = user_roles(user)
    # Built only when a template shows it: the partials that tablets and
    # boards refresh every few seconds do not.
    return {
        "navigation": SimpleLazyObject(lambda: _entries(request, held)),
        "user_roles": held,
    }


def _entries(request: HttpRequest, held: frozenset[str]) -> list[dict[str, Any]]:
    entries = []
    for label, url_name, roles in NAVIGATION:
        if not held & roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        entries.append(
            {"label": label, "url": url, "active": request.path.startswith(url)}
        )
    return entries
