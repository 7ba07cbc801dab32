"""Prepared hot statements run on Django's own connection and transaction."""

from django.contrib.auth.models import Group

from mes.lib import sql

STATEMENT = "SELECT name FROM auth_group WHERE name = %(name)s"


def test_a_prepared_statement_sees_the_open_transaction(db):
    # given a row written in the test's transaction, not yet committed
    Group.objects.create(name="Night shift")

    # when a prepared statement reads it, twice (planned once, then reused)
    first = sql.fetch_all(STATEMENT, {"name": "Night shift"})
    again = sql.fetch_all(STATEMENT, {"name": "Night shift"})

    # then both see the row, and a different parameter gives nothing
    assert first == again == [("Night shift",)]
    assert sql.fetch_all(STATEMENT, {"name": "Day shift"}) == []


def test_a_hot_statement_is_prepared_once_per_connection(db):
    # when a statement no other test runs is run three times
    statement = "SELECT id FROM auth_group WHERE name = %(name)s ORDER BY id"
    for _ in range(3):
        sql.fetch_all(statement, {"name": "Night shift"})

    # then the server holds it prepared, executed three times
    prepared = sql.fetch_all(
        "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
        "WHERE statement = %(statement)s",
        {"statement": statement.replace("%(name)s", "$1")},
    )
    assert prepared == [(3,)]
