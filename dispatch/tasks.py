"""Background work of dispatch: scheduling runs and overrun checks."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def run_schedule_task(run_id: int) -> int | None:
    """Solve a queued scheduling run; returns the new version's number."""
    from dispatch.services import execute_run

    version = execute_run(run_id)
    return version.number if version else None


@shared_task
def check_overruns_task() -> int:
    """Raise an exception for every running operation past its planned end."""
    from dispatch.execution import raise_overruns

    return raise_overruns()
