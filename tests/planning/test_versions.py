"""BOM and routing versions: draft, review, release, one released at a time."""

import pytest

from materials.models import ItemKind
from planning import services
from planning.models import PlanningError, VersionStatus
from tests.factories.materials import make_item
from tests.factories.planning import make_bom, make_routing

pytestmark = pytest.mark.django_db


def test_a_new_bom_version_is_drafted_reviewed_and_released(planner, supervisor):
    # given a product with released BOM version 1
    product = make_item(ItemKind.FINISHED_GOOD)
    first = make_bom(product, [(make_item(), "2"), (make_item(), "1")])

    # when version 2 is drafted, submitted and released
    second = services.new_version(first, planner)
    assert second.status == VersionStatus.DRAFT
    assert second.lines.count() == 2
    services.submit_version(second, planner)
    services.release_version(second, supervisor)

    # then version 2 is the released one and version 1 is obsolete
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (
        VersionStatus.OBSOLETE,
        VersionStatus.RELEASED,
    )
    assert services.released_bom(product) == second


def test_a_draft_cannot_be_released_without_review(supervisor):
    product = make_item(ItemKind.FINISHED_GOOD)
    draft = make_bom(product, [(make_item(), "1")], status=VersionStatus.DRAFT)

    with pytest.raises(PlanningError):
        services.release_version(draft, supervisor)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_the_author_does_not_release_their_own_version(supervisor, settings):
    settings.ALLOW_SELF_APPROVAL = False
    product = make_item(ItemKind.FINISHED_GOOD)
    routing = make_routing(product, status=VersionStatus.DRAFT)
    services.submit_version(routing, supervisor)

    with pytest.raises(PlanningError):
        services.release_version(routing, supervisor)


def test_a_version_in_review_can_be_returned_with_a_reason(planner, supervisor):
    product = make_item(ItemKind.FINISHED_GOOD)
    bom = make_bom(product, [(make_item(), "1")], status=VersionStatus.DRAFT)
    services.submit_version(bom, planner)

    with pytest.raises(PlanningError):
        services.return_version(bom, supervisor, "")
    services.return_version(bom, supervisor, "Wrong casting")
    bom.refresh_from_db()
    assert bom.status == VersionStatus.DRAFT


def test_a_bom_cycle_is_refused(planner, supervisor):
    # given A made of B, released
    item_a = make_item(ItemKind.FINISHED_GOOD, code="A")
    item_b = make_item(ItemKind.SEMI_FINISHED, code="B")
    make_bom(item_a, [(item_b, "1")])

    # when a BOM of B containing A goes to release
    bom_b = make_bom(item_b, [(item_a, "1")], status=VersionStatus.DRAFT)
    services.submit_version(bom_b, planner)
    with pytest.raises(PlanningError) as error:
        services.release_version(bom_b, supervisor)

    # then it is refused, naming the loop, and stays in review
    assert error.value.code == "bom_cycle"
    assert "A" in error.value.messages[0] and "B" in error.value.messages[0]
    bom_b.refresh_from_db()
    assert bom_b.status == VersionStatus.IN_REVIEW


def test_an_empty_bom_cannot_be_submitted(planner):
    product = make_item(ItemKind.FINISHED_GOOD)
    bom = make_bom(product, [], status=VersionStatus.DRAFT)
    with pytest.raises(PlanningError):
        services.submit_version(bom, planner)
