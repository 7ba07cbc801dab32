"""Traceability from a failed result: lot, genealogy, machines and people."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dispatch.models import WorkLog
from materials import services as materials
from tests.factories.equipment import make_machine
from tests.factories.materials import make_item, make_location, make_lot
from tests.factories.quality import make_inspection_order, make_operation, make_plan

pytestmark = pytest.mark.django_db


def test_trace_from_a_failed_order_names_machines_and_operators(
    client, quality_inspector, operator
):
    # given a turned lot made on a machine by an operator from a casting lot
    location = make_location()
    casting = make_lot(make_item(), 50, location)
    operation = make_operation()
    machine = make_machine(code="T77")
    WorkLog.objects.create(
        operation=operation,
        machine=machine,
        operator=operator,
        started_at=timezone.now(),
    )
    turned = materials.record_output(
        operation.work_order.product,
        10,
        location,
        operation.reference,
        [(casting, 10)],
        operator,
    )
    order = make_inspection_order(make_plan(), lot=turned)
    client.force_login(quality_inspector)

    # when the trace page is opened from the inspection order
    response = client.get(reverse("quality:trace"), {"order": order.pk})

    # then it shows both directions of the genealogy, machine and operator
    page = response.content.decode()
    assert turned.code in page
    assert casting.code in page
    assert "T77" in page
    assert "Olga" in page or "olga.operator" in page
    assert order.number in page


def test_trace_of_an_unknown_lot_says_so(client, quality_inspector):
    client.force_login(quality_inspector)
    response = client.get(reverse("quality:trace"), {"lot": "NOPE"})
    assert "No lot has the code NOPE" in response.content.decode()
