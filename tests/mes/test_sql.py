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
