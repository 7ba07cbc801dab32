"""Per-user language and time zone, chosen once and kept across devices."""

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from mes.models import UserProfile


def _profile(request: HttpRequest) -> UserProfile | None:
    user = request.user
    if not user.is_authenticated:
        return None
    cached = getattr(request, "_mes_profile", None)
    if cached is None:
        cached = UserProfile.objects.filter(user=user).first() or UserProfile(user=user)
        request._mes_profile = cached  # type: ignore[attr-defined]
    return cached


class UserLanguageMiddleware:
    """Use the language stored on the user's profile, over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        profile = _profile(request)
        if profile is not None and profile.language:
            translation.activate(profile.language)
            request.LANGUAGE_CODE = profile.language  # type: ignore[attr-defined]
        return self.get_response(request)


class UserTimezoneMiddleware:
    """Show times in the user's time zone, or the plant's by default."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        profile = _profile(request)
        name = (profile.time_zone if profile else "") or settings.TIME_ZONE
        try:
            timezone.activate(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
