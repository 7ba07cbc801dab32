"""Reach PostgreSQL and Redis before anything else, with advice when down."""

import psycopg
import redis
from django.conf import settings
from django.core.management.base import CommandError

POSTGRES_ADVICE = (
    "Start it with: pg_ctlcluster --skip-systemctl-redirect "
    "$(ls /etc/postgresql) main start (or set DATABASE_URL)."
)
REDIS_ADVICE = (
    "Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 "
    '--save "" --appendonly no (or set REDIS_URL).'
)


def maintenance_connection() -> psycopg.Connection:
    """A connection to the server's ``postgres`` database, autocommit on."""
    database = settings.DATABASES["default"]
    try:
        return psycopg.connect(
            dbname="postgres",
            user=database["USER"] or None,
            password=database["PASSWORD"] or None,
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            connect_timeout=3,
            autocommit=True,
        )
    except psycopg.OperationalError as error:
        where = f"{database['HOST'] or 'local socket'}:{database['PORT'] or 5432}"
        raise CommandError(
            f"PostgreSQL at {where} cannot be reached: {error}\n{POSTGRES_ADVICE}"
        ) from None


def require_redis() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        raise CommandError(
            f"Redis at {settings.REDIS_URL} cannot be reached: {error}\n{REDIS_ADVICE}"
        ) from None
    finally:
        client.close()
