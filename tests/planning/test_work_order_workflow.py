"""The work order state machine: every allowed and refused transition, per role."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mes.models import AuditEntry
from mes.roles import Role
from planning import services
from planning.models import (
    WORK_ORDER_TRANSITIONS,
    PlanningError,
    WorkOrder,
    WorkOrderStatus,
)
from tests.factories import make_user
from tests.factories.planning import make_product, make_work_order

pytestmark = pytest.mark.django_db

# verb, the call, the status it leads to
VERBS = {
    "submit": (
        lambda order, user: services.submit_work_order(order, user),
        WorkOrderStatus.SUBMITTED,
    ),
    "approve": (
        lambda order, user: services.approve_work_order(order, user),
        WorkOrderStatus.APPROVED,
    ),
    "return": (
        lambda order, user: services.return_work_order(order, user, "Check qty"),
        WorkOrderStatus.RETURNED,
    ),
    "release": (
        lambda order, user: services.release_work_order(order, user),
        WorkOrderStatus.RELEASED,
    ),
    "close": (
        lambda order, user: services.close_work_order(order, user),
        WorkOrderStatus.CLOSED,
    ),
    "cancel": (
        lambda order, user: services.cancel_work_order(order, user, "Not needed"),
        WorkOrderStatus.CANCELLED,
    ),
}

# Which roles may use each verb when the state machine allows it.
VERB_ROLES = {
    "submit": {Role.PLANNER, Role.SUPERVISOR, Role.ADMIN},
    "approve": {Role.SUPERVISOR, Role.ADMIN},
    "return": {Role.SUPERVISOR, Role.ADMIN},
    "release": {Role.SUPERVISOR, Role.ADMIN},
    "close": {Role.SUPERVISOR, Role.ADMIN},
}


def _cancel_roles(status):
    if status in (WorkOrderStatus.DRAFT, WorkOrderStatus.RETURNED):
        return {Role.PLANNER, Role.SUPERVISOR, Role.ADMIN}
    return {Role.SUPERVISOR, Role.ADMIN}


CASES = [
    (status, verb, role)
    for status in WorkOrderStatus.values
    for verb in VERBS
    for role in (Role.PLANNER, Role.SUPERVISOR, Role.OPERATOR, Role.ADMIN)
]


@pytest.mark.parametrize(("status", "verb", "role"), CASES)
def test_transition_is_allowed_exactly_when_state_and_role_allow(status, verb, role):
    # given an order in the status, entered by someone else, and a user
    author = make_user("author", Role.PLANNER)
    order = make_work_order(status=status, created_by=author)
    user = make_user("actor", role, is_superuser=role == Role.ADMIN)
    call, target = VERBS[verb]
    roles = _cancel_roles(status) if verb == "cancel" else VERB_ROLES[verb]
    expected = target in WORK_ORDER_TRANSITIONS[status] and role in roles

    # when the user tries the verb
    if expected:
        call(order, user)
    else:
        with pytest.raises(PlanningError):
            call(order, user)

    # then the order moved, or nothing changed at all
    order.refresh_from_db()
    if expected:
        assert order.status == target
        assert AuditEntry.objects.for_object(order).filter(action="transition")
    else:
        assert order.status == status
        assert not AuditEntry.objects.for_object(order).exists()
        assert not order.operations.exists()


def test_allowed_actions_follow_state_and_role(planner, supervisor):
    # given a submitted order entered by the planner
    order = make_work_order(status=WorkOrderStatus.SUBMITTED, created_by=planner)

    # then the planner sees no review actions, the supervisor does
    assert services.allowed_actions(planner, order) == frozenset()
    assert {"approve", "return", "cancel"} <= services.allowed_actions(
        supervisor, order
    )


def test_nobody_approves_their_own_order(supervisor, settings):
    # given an order the supervisor entered and submitted
    settings.ALLOW_SELF_APPROVAL = False
    order = services.create_work_order(
        supervisor,
        product=make_product(),
        quantity=Decimal("5"),
        due_date=timezone.localdate() + timedelta(days=5),
    )
    services.submit_work_order(order, supervisor)

    # when the supervisor approves it, then it is refused
    with pytest.raises(PlanningError) as error:
        services.approve_work_order(order, supervisor)
    assert error.value.code == "self_approval"
    assert services.can_approve(supervisor, order) is False
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.SUBMITTED


def test_the_plant_setting_allows_self_approval(supervisor, settings):
    # given a plant that allows self-approval
    settings.ALLOW_SELF_APPROVAL = True
    order = make_work_order(status=WorkOrderStatus.SUBMITTED, created_by=supervisor)

    # when the supervisor approves their own order, then it is approved
    services.approve_work_order(order, supervisor)
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.APPROVED
    assert order.approved_by == supervisor


def test_return_needs_a_reason_and_keeps_it(supervisor):
    # given a submitted order
    order = make_work_order(status=WorkOrderStatus.SUBMITTED)

    # when it is returned without a reason, then nothing changes
    with pytest.raises(PlanningError):
        services.return_work_order(order, supervisor, "  ")
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.SUBMITTED

    # when it is returned with a reason, the reason is kept and audited
    services.return_work_order(order, supervisor, "Quantity too high")
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.RETURNED
    assert order.return_reason == "Quantity too high"
    entry = AuditEntry.objects.for_object(order).first()
    assert entry.reason == "Quantity too high"


def test_planner_enters_and_submits_an_order(planner):
    # given a product with released definitions
    product = make_product()

    # when the planner enters and submits an order
    order = services.create_work_order(
        planner,
        product=product,
        quantity=Decimal("12"),
        due_date=timezone.localdate() + timedelta(days=3),
        priority=2,
    )
    services.submit_work_order(order, planner)

    # then it waits for review, with a number and a history
    order.refresh_from_db()
    assert order.number.startswith("WO-")
    assert order.status == WorkOrderStatus.SUBMITTED
    assert order.submitted_by == planner
    assert AuditEntry.objects.for_object(order).count() == 2


def test_bad_order_values_are_refused(planner):
    # given a product
    product = make_product()

    # when an order for zero is entered, then it is refused and nothing saved
    with pytest.raises(PlanningError):
        services.create_work_order(
            planner,
            product=product,
            quantity=Decimal("0"),
            due_date=timezone.localdate(),
        )
    assert not WorkOrder.objects.exists()


def test_an_unknown_priority_is_refused(planner):
    with pytest.raises(PlanningError):
        services.create_work_order(
            planner,
            product=make_product(),
            quantity=Decimal("1"),
            due_date=timezone.localdate(),
            priority=9,
        )
    assert not WorkOrder.objects.exists()


def test_only_drafts_can_be_deleted(planner):
    # given a draft and a submitted order
    draft = make_work_order(status=WorkOrderStatus.DRAFT)
    submitted = make_work_order(status=WorkOrderStatus.SUBMITTED)

    # when the planner deletes both
    services.delete_work_order(draft, planner)
    with pytest.raises(PlanningError):
        services.delete_work_order(submitted, planner)

    # then only the draft is gone, and its deletion is audited
    assert not WorkOrder.objects.filter(pk=draft.pk).exists()
    assert WorkOrder.objects.filter(pk=submitted.pk).exists()
    assert AuditEntry.objects.filter(action="delete", object_id=str(draft.pk))


def test_a_released_order_that_made_parts_cannot_be_cancelled(supervisor):
    # given a released order with output
    order = make_work_order(status=WorkOrderStatus.RELEASED, good_quantity=Decimal("1"))

    # when the supervisor cancels it, then it is refused
    with pytest.raises(PlanningError):
        services.cancel_work_order(order, supervisor, "Customer cancelled")
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.RELEASED
