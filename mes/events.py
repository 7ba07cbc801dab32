"""Events from lower apps to higher ones, the one way they talk upward.

Apps depend one way (materials and equipment at the bottom, quality at the
top). When a lower app has news for a higher one, a machine went down or a
lot was put on hold, it calls ``publish`` with an event name from ``Event``
and keyword data of plain values (primary keys, codes). A higher app
subscribes in its ``AppConfig.ready``::

    events.subscribe(events.Event.MACHINE_DOWN, on_machine_down)

Handlers run after the publishing transaction commits, so they never see a
change that is later rolled back, and in the publishing process. A handler
that needs long work sends a Celery task. A failing handler is logged and
does not stop the others.

Limitations: delivery is in-process and not persisted; an event published by
a process that dies between commit and delivery is lost. Handlers that must
not miss an event also reconcile from the database on their periodic jobs.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[..., None]


class Event(StrEnum):
    MACHINE_STATE_CHANGED = "equipment.machine_state_changed"
    MACHINE_DOWN = "equipment.machine_down"
    MACHINE_UP = "equipment.machine_up"
    MAINTENANCE_STARTED = "equipment.maintenance_started"
    MAINTENANCE_FINISHED = "equipment.maintenance_finished"
    LOT_RECEIVED = "materials.lot_received"
    LOT_HELD = "materials.lot_held"
    LOT_RELEASED = "materials.lot_released"
    MATERIAL_SHORT = "materials.material_short"
    WORK_ORDER_RELEASED = "planning.work_order_released"
    WORK_ORDER_ADJUSTED = "planning.work_order_adjusted"
    WORK_ORDER_CANCELLED = "planning.work_order_cancelled"
    OPERATION_STARTED = "dispatch.operation_started"
    OPERATION_REPORTED = "dispatch.operation_reported"
    OPERATION_COMPLETED = "dispatch.operation_completed"


_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(event: Event, handler: Handler) -> None:
    """Call ``handler(**data)`` for every publication of ``event``."""
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def unsubscribe(event: Event, handler: Handler) -> None:
    if handler in _handlers[event]:
        _handlers[event].remove(handler)


def publish(event: Event, **data: Any) -> None:
    """Deliver the event to its subscribers once the transaction commits."""
    transaction.on_commit(lambda: _deliver(event, data))


def _deliver(event: Event, data: dict[str, Any]) -> None:
    for handler in list(_handlers[event]):
        try:
            handler(**data)
        except Exception:
            logger.exception("Handler %s failed for event %s", handler, event)
