"""The authorization matrix: who may open every URL of the project.

Each app lists its URL names in ``tests/<app>/access_rules.py`` as
``RULES = {"app:url-name": Rule(...)}``. The matrix test walks every URL
pattern and fails for a name that no rules file mentions, so no page ships
without a decision about who may use it.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from mes.roles import Role

APPS = ["mes", "equipment", "materials", "planning", "dispatch", "quality"]

EVERY_ROLE = frozenset(Role.values)


@dataclass(frozen=True)
class Rule:
    """Roles allowed on a URL; the rest of the signed-in users get 403.

    ``public`` URLs are open to anonymous users too. ``kwargs`` builds the
    records a URL with parameters needs and returns its keyword arguments.
    ``data`` is the body sent with a POST. ``lands_on_login`` marks URLs
    whose normal answer is the login page (logging out).
    """

    roles: frozenset[str] = frozenset()
    method: str = "get"
    public: bool = False
    kwargs: Callable[[], dict[str, Any]] | None = None
    data: dict[str, Any] = field(default_factory=dict)
    lands_on_login: bool = False


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


def all_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for app in APPS:
        try:
            module = import_module(f"tests.{app}.access_rules")
        except ModuleNotFoundError:
            continue
        rules.update(module.RULES)
    return rules


def url_names() -> list[str]:
    """Every named URL pattern of the project, with its namespace."""
    return sorted(set(_walk(get_resolver().url_patterns, "")))


def _walk(patterns: list[Any], namespace: str) -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"
