"""Events from lower apps reach subscribers only after commit."""

import pytest
from django.db import transaction

from mes import events

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def received():
    seen = []

    def handler(**data):
        seen.append(data)

    events.subscribe(events.Event.MACHINE_DOWN, handler)
    yield seen
    events.unsubscribe(events.Event.MACHINE_DOWN, handler)


def test_subscriber_gets_the_event_after_commit(received):
    with transaction.atomic():
        events.publish(events.Event.MACHINE_DOWN, machine_id=7, reason="alarm")
        assert received == []

    assert received == [{"machine_id": 7, "reason": "alarm"}]


def test_rolled_back_change_publishes_nothing(received):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(events.Event.MACHINE_DOWN, machine_id=7, reason="alarm")
        raise RuntimeError("change failed")

    assert received == []


def test_a_failing_handler_does_not_stop_the_others(received):
    def broken(**data):
        raise ValueError("broken handler")

    events.subscribe(events.Event.MACHINE_DOWN, broken)
    try:
        events.publish(events.Event.MACHINE_DOWN, machine_id=3, reason="x")
    finally:
        events.unsubscribe(events.Event.MACHINE_DOWN, broken)

    assert received == [{"machine_id": 3, "reason": "x"}]
