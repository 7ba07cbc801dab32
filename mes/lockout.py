"""Login lockout: too many failed logins lock a user name and an address.

Counters live in Redis (the cache) so every web process shares them, and
expire on their own after the lockout period.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def is_locked(username: str, address: str) -> bool:
    failures = cache.get_many([_key("user", username), _key("address", address)])
    return (
        failures.get(_key("user", username), 0) >= settings.LOGIN_FAILURE_LIMIT
        or failures.get(_key("address", address), 0)
        >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
    )


def record_failure(username: str, address: str) -> None:
    for key in (_key("user", username), _key("address", address)):
        cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        count = cache.incr(key)
        cache.touch(key, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        if count in (
            settings.LOGIN_FAILURE_LIMIT,
            settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        ):
            logger.warning("Login locked after %s failures (%s)", count, key)


def clear_failures(username: str) -> None:
    cache.delete(_key("user", username))
