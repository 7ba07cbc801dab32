"""Celery tasks of planning: the MRP run."""

import logging

from celery import shared_task

from planning import mrp
from planning.models import MrpRun, MrpRunStatus

logger = logging.getLogger(__name__)


@shared_task
def run_mrp_task(run_id: int) -> str:
    """Compute a queued MRP run; a run already started or gone is left alone."""
    run = MrpRun.objects.filter(pk=run_id, status=MrpRunStatus.QUEUED).first()
    if run is None:
        logger.info("MRP run %s is gone or already started", run_id)
        return "skipped"
    return mrp.execute(run).status


@shared_task
def scheduled_mrp_task() -> int:
    """Queue an MRP run from beat, so shortages stay fresh without a click.

    An unfinished run already queued is reused rather than doubled.
    """
    from planning import services

    run = services.start_mrp_run(None)
    return run.pk
