"""Tasks of the MES itself: the health round trip and the beat heartbeat."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "mes:beat-heartbeat"


@shared_task
def ping_task(token: str) -> str:
    """Echo the token back, proving broker, worker and result backend work."""
    return token


@shared_task
def heartbeat_task() -> str:
    """Record when beat last reached a worker, shown on the health page."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    logger.debug("Beat heartbeat at %s", now)
    return now
