"""Drafting BOM and routing versions on the product page."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from materials.models import ItemKind
from mes.models import AuditEntry
from planning import services
from planning.models import Bom, BomLine, Routing, VersionStatus
from tests.factories.equipment import make_machine, make_work_center
from tests.factories.materials import make_item
from tests.factories.planning import make_bom

pytestmark = pytest.mark.django_db


def test_planner_drafts_a_bom_and_a_supervisor_releases_it(client, planner, supervisor):
    # given a product without definitions
    product = make_item(ItemKind.FINISHED_GOOD)
    component = make_item()
    client.force_login(planner)

    # when the planner drafts a BOM, adds a line and submits it
    client.post(reverse("planning:version-create", args=[product.pk, "bom"]))
    bom = Bom.objects.get(product=product)
    client.post(
        reverse("planning:bom-line-add", args=[bom.pk]),
        {
            "position": "10",
            "component": component.pk,
            "quantity": "2.5",
            "scrap_percent": "4",
        },
    )
    client.post(reverse("planning:version-submit", args=["bom", bom.pk]))

    # and the supervisor releases it
    client.force_login(supervisor)
    client.post(reverse("planning:version-release", args=["bom", bom.pk]))

    # then it is the product's released BOM, with its line, all audited
    assert services.released_bom(product) == bom
    line = bom.lines.get()
    assert (line.component, line.quantity, line.scrap_percent) == (
        component,
        Decimal("2.5"),
        Decimal("4"),
    )
    assert AuditEntry.objects.for_object(line).filter(action="create").exists()


def test_bad_lines_and_released_versions_are_refused(client, planner):
    product = make_item(ItemKind.FINISHED_GOOD)
    released = make_bom(product, [(make_item(), "1")])
    client.force_login(planner)
    url = reverse("planning:bom-line-add", args=[released.pk])

    # a line on a released BOM
    client.post(url, {"position": "20", "component": make_item().pk, "quantity": "1"})
    # a zero quantity and the product as its own component on a draft
    draft = services.new_version(released, planner)
    draft_url = reverse("planning:bom-line-add", args=[draft.pk])
    client.post(
        draft_url, {"position": "20", "component": make_item().pk, "quantity": "0"}
    )
    client.post(draft_url, {"position": "30", "component": product.pk, "quantity": "1"})

    assert released.lines.count() == 1
    assert draft.lines.count() == 1
    assert BomLine.objects.count() == 2


def test_planner_drafts_a_routing_with_machines_and_files(
    client, planner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    product = make_item(ItemKind.FINISHED_GOOD)
    work_center = make_work_center()
    machine = make_machine(work_center)
    client.force_login(planner)

    client.post(reverse("planning:version-create", args=[product.pk, "routing"]))
    routing = Routing.objects.get(product=product)
    client.post(
        reverse("planning:routing-operation-add", args=[routing.pk]),
        {
            "sequence": "10",
            "name": "Turning",
            "work_center": work_center.pk,
            "setup_minutes": "20",
            "run_minutes_per_unit": "3.5",
            "instructions": "Check the bore.",
        },
    )
    operation = routing.operations.get()
    client.post(
        reverse("planning:operation-machine-add", args=[operation.pk]),
        {"machine": machine.pk, "run_minutes_per_unit": "4"},
    )
    client.post(
        reverse("planning:instruction-file-add", args=[operation.pk]),
        {"title": "Drawing", "file": SimpleUploadedFile("drawing.pdf", b"%PDF-1.4")},
    )

    choice = operation.machines.get()
    assert (choice.machine, choice.run_minutes_per_unit) == (machine, Decimal("4"))
    assert operation.files.get().title == "Drawing"
    page = client.get(reverse("planning:product-detail", args=[product.pk]))
    assert b"Drawing" in page.content
    assert routing.status == VersionStatus.DRAFT
