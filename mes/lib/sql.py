"""Hot read statements, run as prepared statements.

The shop-floor pages are refreshed every few seconds by every tablet and
board, and each refresh runs the same few statements. Prepared, a statement
is planned once per database connection instead of once per request, which
is a large share of its cost. Django's cursors bind parameters on the client
and so never prepare; ``fetch_all`` runs a statement through a psycopg cursor
with server-side binding on Django's own connection, inside whatever
transaction is open.

Limitations: statements run here do not appear in Django's query log
(``connection.queries``, the test suite's query counters). A connection
pooler in transaction mode needs prepared-statement support (PgBouncer 1.21
or later) to sit between the MES and PostgreSQL; without it, set
``DATABASE_PREPARED_STATEMENTS=false`` and the statements run unprepared.
"""

from typing import Any

import psycopg
from django.db import connection


def fetch_all(sql: str, parameters: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` with ``%(name)s`` parameters, prepared on first use."""
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, parameters, prepare=True)
        return cursor.fetchall()
