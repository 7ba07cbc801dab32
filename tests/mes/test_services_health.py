"""The health endpoint and the Celery round trip, through real services."""

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from mes.tasks import ping_task
from tests.workers import running_worker


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_celery_round_trip_and_healthy_services():
    # given a real worker on the default queue
    with running_worker():
        # when a task goes through broker, worker and result backend
        token = uuid.uuid4().hex
        result = ping_task.delay(token).get(timeout=20)

        # and the health endpoint is asked
        response = Client().get(reverse("mes:health"))

    # then both answer: the token came back and every service is ok
    assert result == token
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "database": "ok",
        "redis": "ok",
        "celery": "ok",
    }


@pytest.mark.django_db
def test_health_reports_unreachable_redis(settings):
    # given a Redis address where nothing listens
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    # when the load balancer asks
    response = Client().get(reverse("mes:health"))

    # then it gets 503 naming the failing services
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["database"] == "ok"
    assert body["redis"].startswith("error:")
    assert body["celery"] == "error: the broker (Redis) is unreachable"


@pytest.mark.django_db
def test_health_reports_missing_workers():
    response = Client().get(reverse("mes:health"))

    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["redis"] == "ok"
    assert body["celery"] == "error: no Celery worker answered"
