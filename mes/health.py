"""Checks of the services the MES needs, for /health/ and start-up."""

import redis
from django.conf import settings
from django.db import connection

from mes.celery import app as celery_app

OK = "ok"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"error: {error}".strip()
    return OK


def check_redis(url: str | None = None) -> str:
    client = redis.Redis.from_url(
        url or settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
    )
    try:
        client.ping()
    except Exception as error:
        return f"error: {error}"
    finally:
        client.close()
    return OK


def check_celery(redis_state: str) -> str:
    """Ask the workers to answer; needs the broker, so Redis is checked first."""
    if redis_state != OK:
        return "error: the broker (Redis) is unreachable"
    try:
        replies = celery_app.control.ping(timeout=1.0)
    except Exception as error:
        return f"error: {error}"
    if not replies:
        return "error: no Celery worker answered"
    return OK


def check_all() -> dict[str, str]:
    redis_state = check_redis()
    return {
        "database": check_database(),
        "redis": redis_state,
        "celery": check_celery(redis_state),
    }
