"""The scheduling run as a Celery job, through a real worker."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch import services
from dispatch.models import RunStatus, ScheduleRun, VersionStatus
from tests.factories import make_user
from tests.factories.dispatch import make_released_order
from tests.factories.planning import make_product
from tests.workers import running_worker

pytestmark = [pytest.mark.worker]


def wait_for(run_id, condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = ScheduleRun.objects.get(pk=run_id)
        if condition(run):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} is still {run.status}")


@pytest.mark.django_db(transaction=True)
def test_a_run_in_the_worker_produces_a_draft_and_its_figures():
    # given released orders and a supervisor
    for _ in range(4):
        make_released_order()
    supervisor = make_user("worker.supervisor", "supervisor")

    with running_worker():
        # when a run is requested
        run = services.request_run(supervisor, time_limit=5)

        # then the worker finishes it with a draft and its figures
        run = wait_for(run.pk, lambda r: r.status == RunStatus.FINISHED)
    assert run.version.status == VersionStatus.DRAFT
    assert run.solutions >= 1
    assert run.objective is not None and run.bound is not None
    assert run.version.entries.count() == 8


@pytest.mark.django_db(transaction=True)
def test_a_stopped_run_ends_early_and_keeps_its_best_schedule():
    # given thirty orders of one product, all due tomorrow, competing for the
    # same machines: a problem the solver cannot prove optimal at once
    product = make_product()
    tomorrow = timezone.localdate() + timedelta(days=1)
    for _ in range(30):
        make_released_order(product=product, due_date=tomorrow)
    supervisor = make_user("worker.stopper", "supervisor")

    with running_worker():
        run = services.request_run(supervisor, time_limit=120)
        wait_for(run.pk, lambda r: r.status == RunStatus.RUNNING)
        progress = None
        deadline = time.monotonic() + 30
        while progress is None and time.monotonic() < deadline:
            progress = services.live_progress(ScheduleRun.objects.get(pk=run.pk))
            progress = progress if progress.get("seconds") is not None else None
            time.sleep(0.2)
        started = time.monotonic()
        services.stop_run(ScheduleRun.objects.get(pk=run.pk), supervisor)
        run = wait_for(run.pk, lambda r: not r.is_active, seconds=30)

    assert progress is not None and progress["solutions"] >= 1
    assert time.monotonic() - started < 20
    assert run.status == RunStatus.FINISHED
    assert run.version.entries.count() == 60
