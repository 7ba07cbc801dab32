"""Background work of quality: the in-process inspection timer."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def create_timed_inspections_task() -> int:
    """Every minute from beat: in-process orders that fell due by time.

    Idempotent: each order is keyed by its interval number.
    """
    from quality.inspections import create_timed_orders

    created = create_timed_orders()
    if created:
        logger.info("Created %s timed in-process inspection orders", created)
    return created
