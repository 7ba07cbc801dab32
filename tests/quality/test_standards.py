"""Quality standards, their versions and review, and inspection plans."""

from decimal import Decimal

import pytest
from django.urls import reverse

from mes.models import AuditEntry
from mes.roles import Role
from quality import services
from quality.models import (
    Characteristic,
    InspectionPlan,
    QualityError,
    QualityStandard,
    StandardStatus,
)
from tests.factories import make_user
from tests.factories.materials import make_item
from tests.factories.quality import make_characteristic, make_standard

pytestmark = pytest.mark.django_db


def test_an_inspector_drafts_a_standard_through_the_pages(client, quality_inspector):
    # given an item and an inspector at the desk
    item = make_item()
    client.force_login(quality_inspector)

    # when they create a standard and add a measured characteristic
    response = client.post(
        reverse("quality:standard-create"),
        {"code": "QS-BORE", "name": "Bore", "item": item.pk},
    )
    standard = QualityStandard.objects.get(code="QS-BORE")
    assert response.status_code == 302
    response = client.post(
        reverse("quality:characteristic-create", args=[standard.pk]),
        {
            "sequence": 10,
            "name": "Bore diameter",
            "kind": "variable",
            "unit": "mm",
            "decimals": 3,
            "nominal": "52.000",
            "lower_limit": "51.990",
            "upper_limit": "52.010",
            "subgroup_size": 5,
        },
    )

    # then the draft holds it and the audit trail records both
    assert response.status_code == 302
    assert standard.characteristics.get().name == "Bore diameter"
    assert AuditEntry.objects.filter(object_repr__contains="Bore").count() == 2
    page = client.get(reverse("quality:standard-detail", args=[standard.pk]))
    assert "Bore diameter" in page.content.decode()


def test_crossed_specification_limits_are_refused(client, quality_inspector):
    # given a draft standard
    standard = make_standard()
    client.force_login(quality_inspector)

    # when the lower limit is above the upper one
    response = client.post(
        reverse("quality:characteristic-create", args=[standard.pk]),
        {
            "sequence": 10,
            "name": "Length",
            "kind": "variable",
            "decimals": 2,
            "lower_limit": "12",
            "upper_limit": "10",
            "subgroup_size": 5,
        },
    )

    # then the form says so and nothing is saved
    assert response.status_code == 200
    assert "must be above the lower one" in response.content.decode()
    assert not Characteristic.objects.exists()


def test_measured_characteristic_without_limits_is_refused(quality_inspector):
    standard = make_standard()
    with pytest.raises(QualityError, match="at least one specification limit"):
        services.save_characteristic(
            standard, quality_inspector, name="Length", kind="variable"
        )
    assert not Characteristic.objects.exists()


def test_review_and_release_by_a_second_inspector(quality_inspector):
    # given a draft with one characteristic, drafted by one inspector
    standard = make_standard(created_by=quality_inspector)
    make_characteristic(standard)
    services.submit_standard(standard, quality_inspector)

    # when the author tries to release it, then that is refused
    with pytest.raises(QualityError, match="someone else"):
        services.release_standard(standard, quality_inspector)

    # when a second inspector releases it
    reviewer = make_user("rita.reviewer", Role.QUALITY)
    services.release_standard(standard, reviewer)

    # then it is released, by the reviewer
    standard.refresh_from_db()
    assert standard.status == StandardStatus.RELEASED
    assert standard.released_by == reviewer


def test_a_new_version_replaces_the_released_one(quality_inspector):
    # given a released standard with a characteristic
    standard = make_standard(StandardStatus.RELEASED)
    make_characteristic(standard, name="Width")

    # when a new version is drafted, reviewed and released
    draft = services.new_standard_version(standard, quality_inspector)
    services.submit_standard(draft, quality_inspector)
    services.release_standard(draft, make_user("rita.reviewer", Role.QUALITY))

    # then it carries a copy of the characteristics and the old one is obsolete
    standard.refresh_from_db()
    draft.refresh_from_db()
    assert draft.version == 2
    assert list(draft.characteristics.values_list("name", flat=True)) == ["Width"]
    assert standard.status == StandardStatus.OBSOLETE
    assert draft.status == StandardStatus.RELEASED


def test_released_standards_cannot_be_edited_or_submitted_empty(quality_inspector):
    released = make_standard(StandardStatus.RELEASED)
    with pytest.raises(QualityError, match="draft a new version"):
        services.save_characteristic(
            released, quality_inspector, name="X", kind="attribute"
        )
    empty = make_standard()
    with pytest.raises(QualityError, match="at least one characteristic"):
        services.submit_standard(empty, quality_inspector)


def test_an_operator_may_not_change_standards(operator):
    with pytest.raises(QualityError, match="Only quality inspectors"):
        services.create_standard(operator, code="X", name="X", item=make_item())


def test_inspection_plan_rules(quality_inspector):
    # given a released standard
    characteristic = make_characteristic()
    standard = characteristic.standard
    values = {
        "code": "IP-1",
        "name": "Receipt",
        "standard": standard,
        "trigger": "receipt",
        "sampling": "aql",
    }

    # an AQL outside the tables is refused
    with pytest.raises(QualityError) as refused:
        services.save_plan(quality_inspector, aql=Decimal("3.000"), **values)
    assert "not an AQL" in str(refused.value.message_dict["aql"])

    # in-process inspection needs an interval
    with pytest.raises(QualityError) as refused:
        services.save_plan(
            quality_inspector,
            **(values | {"trigger": "in_process", "aql": Decimal("1.0")}),
        )
    assert "every N parts" in str(refused.value.message_dict["every_parts"])

    # a draft standard cannot carry a plan
    with pytest.raises(QualityError, match="released quality standard"):
        services.save_plan(
            quality_inspector,
            **(values | {"standard": make_standard(), "aql": Decimal("1.0")}),
        )
    assert not InspectionPlan.objects.exists()

    # a valid plan is kept
    plan = services.save_plan(
        quality_inspector,
        aql=Decimal("1.0"),
        characteristics=[characteristic],
        **values,
    )
    assert list(plan.inspected_characteristics()) == [characteristic]


def test_plan_form_shows_refusals(client, quality_inspector):
    characteristic = make_characteristic()
    client.force_login(quality_inspector)
    response = client.post(
        reverse("quality:plan-create"),
        {
            "code": "IP-9",
            "name": "Plan",
            "standard": characteristic.standard.pk,
            "trigger": "receipt",
            "sampling": "aql",
            "aql": "3",
            "due_minutes": 60,
        },
    )
    assert response.status_code == 200
    assert "not an AQL" in response.content.decode()
    assert not InspectionPlan.objects.exists()


def test_quality_pages_read_in_chinese(client, quality_inspector):
    make_characteristic()
    client.force_login(quality_inspector)
    for name in ("quality:home", "quality:standard-list", "quality:plan-list"):
        response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
    assert (
        "质量标准" in response.content.decode()
        or "检验计划" in response.content.decode()
    )


def test_a_draft_can_be_renamed_but_a_released_one_not(client, quality_inspector):
    draft = make_standard()
    client.force_login(quality_inspector)
    url = reverse("quality:standard-edit", args=[draft.pk])
    response = client.post(url, {"name": "Bore, revised", "item": draft.item_id})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Bore, revised"

    released = make_standard(StandardStatus.RELEASED)
    url = reverse("quality:standard-edit", args=[released.pk])
    response = client.post(url, {"name": "Changed", "item": released.item_id})
    assert "draft a new version" in response.content.decode()
    released.refresh_from_db()
    assert released.name != "Changed"


def test_the_standard_list_filters_by_text_and_status(client, quality_inspector):
    make_standard(code="QS-BORE", name="Bore")
    make_standard(StandardStatus.RELEASED, code="QS-FACE", name="Face")
    client.force_login(quality_inspector)
    url = reverse("quality:standard-list")

    page = client.get(url, {"q": "bore"}).content.decode()
    assert "QS-BORE" in page and "QS-FACE" not in page
    page = client.get(url, {"status": "released"}).content.decode()
    assert "QS-FACE" in page and "QS-BORE" not in page


def test_admin_shows_quality_records_and_keeps_signatures_read_only(client, admin_user):
    from quality.models import ElectronicSignature

    ElectronicSignature.objects.create(
        signer=admin_user, meaning="released", record_type="x", record_id="1"
    )
    client.force_login(admin_user)
    for model in (
        "qualitystandard",
        "inspectionplan",
        "inspectionorder",
        "nonconformance",
        "electronicsignature",
    ):
        response = client.get(reverse(f"admin:quality_{model}_changelist"))
        assert response.status_code == 200, model
    signature = ElectronicSignature.objects.get()
    response = client.post(
        reverse("admin:quality_electronicsignature_delete", args=[signature.pk]),
        {"post": "yes"},
    )
    assert response.status_code == 403
    assert ElectronicSignature.objects.exists()
