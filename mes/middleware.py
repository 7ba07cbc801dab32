"""Per-user preferences and the idle timeout, at little cost per request.

The user's language, time zone and roles are read from the database once
and kept in the session for ``PREFERENCES_MAX_AGE`` seconds, so a shop-floor
tablet refreshing every few seconds does not query them each time; a change
by an admin reaches an open session within that time, a change of language
at once. The session's idle expiry is renewed at most once a minute instead
of on every request.
"""

import time
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from mes.models import UserProfile
from mes.roles import user_roles

PREFERENCES_KEY = "mes:preferences"
PREFERENCES_MAX_AGE = 60
TOUCHED_KEY = "mes:touched"
TOUCH_INTERVAL = 60


def preferences(request: HttpRequest) -> dict[str, Any] | None:
    """Language, time zone and roles of the signed-in user, or None."""
    user = request.user
    if not user.is_authenticated:
        return None
    cached = request.session.get(PREFERENCES_KEY)
    now = time.time()
    if (
        cached
        and cached.get("user") == user.pk
        and now - cached["at"] < PREFERENCES_MAX_AGE
    ):
        user._mes_roles = frozenset(cached["roles"])  # type: ignore[union-attr]
        return cached
    profile = UserProfile.objects.filter(user=user).first()
    fresh = {
        "user": user.pk,
        "at": now,
        "language": profile.language if profile else "",
        "time_zone": profile.time_zone if profile else "",
        "roles": sorted(user_roles(user)),
    }
    request.session[PREFERENCES_KEY] = fresh
    return fresh


def forget_preferences(request: HttpRequest) -> None:
    """Make the next request read the preferences again (after a change)."""
    request.session.pop(PREFERENCES_KEY, None)


class UserPreferencesMiddleware:
    """Use the user's own language and time zone, over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = preferences(request)
        if chosen and chosen["language"]:
            translation.activate(chosen["language"])
            request.LANGUAGE_CODE = chosen["language"]  # type: ignore[attr-defined]
        name = (chosen["time_zone"] if chosen else "") or settings.TIME_ZONE
        try:
            timezone.activate(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class SessionIdleMiddleware:
    """Renew the session's idle expiry, at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = time.time()
            if now - session.get(TOUCHED_KEY, 0) >= TOUCH_INTERVAL:
                session[TOUCHED_KEY] = now
        return self.get_response(request)


class ServerTimingMiddleware:
    """Tell each response's server time in a ``Server-Timing`` header.

    Outermost, so the figure covers every middleware, the view and the
    template: what a browser's developer tools and the tablet load bench
    read as the page's server time.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
        return response
