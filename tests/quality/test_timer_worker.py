"""The in-process inspection timer runs as a task on a real Celery worker."""

import pytest

from quality.models import InspectionOrder, InspectionTrigger
from quality.tasks import create_timed_inspections_task
from tests.factories.quality import (
    make_characteristic,
    make_operation,
    make_plan,
    make_standard,
)
from tests.workers import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_beat_task_creates_timed_orders_on_the_worker():
    # given a running operation with an every-15-minutes plan
    operation = make_operation()
    standard = make_standard("released", item=operation.work_order.product)
    make_characteristic(standard)
    make_plan(standard, trigger=InspectionTrigger.IN_PROCESS, every_minutes=15)

    # when beat's task runs on a worker, twice
    with running_worker(queues="celery"):
        first = create_timed_inspections_task.delay().get(timeout=60)
        second = create_timed_inspections_task.delay().get(timeout=60)

    # then one order was made for the current interval
    assert (first, second) in ((1, 0), (1, 1))
    assert InspectionOrder.objects.filter(operation=operation).count() == first + second
