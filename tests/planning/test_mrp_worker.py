"""The MRP page starts a run on a real Celery worker and shows its progress."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from planning.models import MrpRun, MrpRunStatus, WorkOrderStatus
from tests.factories.planning import make_product, make_work_order
from tests.workers import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_page_runs_mrp_on_the_worker(client, planner):
    # given an approved order
    make_work_order(
        make_product(),
        WorkOrderStatus.APPROVED,
        due_date=timezone.localdate() + timedelta(days=10),
    )
    client.force_login(planner)

    with running_worker(queues="celery"):
        # when the planner starts MRP on the page
        response = client.post(reverse("planning:mrp-start"))
        run = MrpRun.objects.get()
        assert response["Location"] == reverse("planning:mrp-run", args=[run.pk])

        # then the worker finishes it and the progress fragment tells the page
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.is_finished:
                break
            time.sleep(0.2)
    assert run.status == MrpRunStatus.SUCCEEDED, run.error
    fragment = client.get(
        reverse("planning:mrp-progress", args=[run.pk]),
        headers={"HX-Request": "true"},
    )
    assert fragment["HX-Refresh"] == "true"
    page = client.get(reverse("planning:mrp-run", args=[run.pk])).content.decode()
    assert "Purchase suggestions" in page
