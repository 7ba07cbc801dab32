"""Celery tasks of the equipment app: polling, maintenance due checks, pruning.

Polling: beat runs ``start_polling_task`` every few seconds on the default
queue; it sends ``poll_group_task`` to the queue ``plc-<group>`` of every
polling group that nobody polls right now. A worker consuming that queue
runs the group's loop (``equipment.polling.run_polling_group``) for up to
``POLLING_RUN_SECONDS`` and then returns, so workers are recycled and a
group moves to another worker when its worker dies (its Redis lease runs
out after 30 seconds).

Poller workers run the threads pool (``--pool=threads``): a warm shutdown
(SIGTERM) then reaches the polling loops, which finish within a second. Under
the prefork pool the loop would only end with its run.

Limitations: between the end of a group's run and the next kick from beat
there is a gap of up to the beat period (a few seconds) without polls; the
PLC counters still hold the parts, so no production is lost.
"""

import logging
from datetime import timedelta

import redis
from celery import shared_task
from celery.signals import worker_shutting_down
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from equipment import polling, services
from equipment.models import MeasuredValue, PlcDevice

logger = logging.getLogger(__name__)


def polling_run_seconds() -> float:
    return float(getattr(settings, "POLLING_RUN_SECONDS", 3600))


@worker_shutting_down.connect
def _stop_polling(**kwargs: object) -> None:
    polling.shutting_down.set()


@shared_task(acks_late=False)
def poll_group_task(group: str, seconds: float | None = None) -> dict[str, object]:
    """Poll the group's PLCs for a while; a no-op when another worker does."""
    stats = polling.run_polling_group(
        group,
        seconds=seconds or polling_run_seconds(),
        stats=polling.PollStats(keep_samples=False),
    )
    return {
        "group": group,
        "polls": stats.polls,
        "failures": stats.failures,
        "rows_written": stats.rows_written,
        "poller": stats.poller,
    }


@shared_task
def start_polling_task() -> list[str]:
    """Send a polling run to the queue of every group without a live poller."""
    groups = set(
        PlcDevice.objects.filter(is_enabled=True, machine__is_active=True)
        .order_by()
        .values_list("polling_group", flat=True)
        .distinct()
    )
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    started = []
    for group in sorted(groups):
        if cache.get(polling.GroupLock(group).key) is not None:
            continue
        queue = f"plc-{group}"
        # A kick still waiting means no worker consumes the queue yet: do not
        # pile up more of them.
        if broker.llen(queue):
            continue
        poll_group_task.apply_async(args=[group], queue=queue, expires=30)
        started.append(group)
    return started


@shared_task
def create_due_maintenance_orders_task() -> int:
    """Open maintenance orders for plans that fell due (calendar or usage)."""
    return len(services.create_due_orders())


@shared_task
def prune_measured_values_task() -> int:
    """Delete measured values older than MEASURED_VALUE_RETENTION_DAYS."""
    days = int(getattr(settings, "MEASURED_VALUE_RETENTION_DAYS", 90))
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _rows = MeasuredValue.objects.filter(measured_at__lt=cutoff).delete()
    logger.info("Pruned %s measured values older than %s days", deleted, days)
    return deleted
