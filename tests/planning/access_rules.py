from mes.roles import Role
from planning.models import WorkOrderStatus
from tests.access import Rule, roles
from tests.factories.materials import make_item
from tests.factories.planning import make_bom, make_plan, make_product, make_work_order

VIEWERS = roles(Role.PLANNER, Role.SUPERVISOR, Role.ADMIN)
ENTRY = roles(Role.PLANNER, Role.SUPERVISOR, Role.ADMIN)
APPROVERS = roles(Role.SUPERVISOR, Role.ADMIN)


def order(status=WorkOrderStatus.DRAFT):
    return lambda: {"pk": make_work_order(status=status).pk}


def definition():
    product = make_product()
    bom = make_bom(product, [(make_item(), "1")], status="draft", version=2)
    return {"kind": "bom", "pk": bom.pk}


RULES = {
    "planning:home": Rule(roles=VIEWERS),
    "planning:plan-create": Rule(roles=ENTRY),
    "planning:plan-detail": Rule(roles=VIEWERS, kwargs=lambda: {"pk": make_plan().pk}),
    "planning:work-order-list": Rule(roles=VIEWERS),
    "planning:work-order-create": Rule(roles=ENTRY),
    "planning:work-order-import": Rule(roles=ENTRY),
    "planning:work-order-detail": Rule(roles=VIEWERS, kwargs=order()),
    "planning:work-order-edit": Rule(roles=ENTRY, kwargs=order()),
    "planning:work-order-submit": Rule(roles=ENTRY, method="post", kwargs=order()),
    "planning:work-order-approve": Rule(
        roles=APPROVERS, method="post", kwargs=order(WorkOrderStatus.SUBMITTED)
    ),
    "planning:work-order-return": Rule(
        roles=APPROVERS,
        method="post",
        kwargs=order(WorkOrderStatus.SUBMITTED),
        data={"reason": "Check"},
    ),
    "planning:work-order-release": Rule(
        roles=APPROVERS, method="post", kwargs=order(WorkOrderStatus.APPROVED)
    ),
    "planning:work-order-adjust": Rule(
        roles=ENTRY,
        method="post",
        kwargs=order(WorkOrderStatus.RELEASED),
        data={"priority": "1", "reason": "Rush"},
    ),
    "planning:work-order-close": Rule(
        roles=APPROVERS, method="post", kwargs=order(WorkOrderStatus.COMPLETED)
    ),
    "planning:work-order-cancel": Rule(
        roles=ENTRY, method="post", kwargs=order(), data={"reason": "Not needed"}
    ),
    "planning:work-order-delete": Rule(roles=ENTRY, method="post", kwargs=order()),
    "planning:review-queue": Rule(roles=VIEWERS),
    "planning:product-list": Rule(roles=VIEWERS),
    "planning:product-detail": Rule(
        roles=VIEWERS, kwargs=lambda: {"pk": make_product().pk}
    ),
    "planning:version-submit": Rule(roles=ENTRY, method="post", kwargs=definition),
    "planning:version-release": Rule(roles=APPROVERS, method="post", kwargs=definition),
    "planning:version-return": Rule(
        roles=APPROVERS, method="post", kwargs=definition, data={"reason": "No"}
    ),
    "planning:version-new": Rule(roles=ENTRY, method="post", kwargs=definition),
}


def mrp_run():
    from planning.models import MrpRun

    return {"pk": MrpRun.objects.create(status="succeeded").pk}


RULES |= {
    "planning:mrp": Rule(roles=VIEWERS),
    "planning:mrp-start": Rule(roles=VIEWERS, method="post"),
    "planning:mrp-run": Rule(roles=VIEWERS, kwargs=mrp_run),
    "planning:mrp-progress": Rule(roles=VIEWERS, kwargs=mrp_run),
    "planning:mrp-purchase-plan": Rule(
        roles=ENTRY, method="post", kwargs=mrp_run, data={"row": "1"}
    ),
}

RULES |= {
    "planning:capacity": Rule(roles=VIEWERS),
    "planning:performance": Rule(roles=VIEWERS),
    "planning:performance-export": Rule(
        roles=VIEWERS, kwargs=lambda: {"file_format": "csv"}
    ),
}


def draft_routing_operation():
    from planning.models import Routing, RoutingOperation
    from tests.factories.equipment import make_work_center

    product = make_item()
    routing = Routing.objects.create(product=product)
    operation = RoutingOperation.objects.create(
        routing=routing,
        sequence=10,
        name="Op",
        work_center=make_work_center(),
        run_minutes_per_unit=1,
    )
    return {"pk": operation.pk}


def draft_bom():
    return {"pk": make_bom(make_item(), [(make_item(), "1")], status="draft").pk}


def draft_bom_line():
    bom = make_bom(make_item(), [(make_item(), "1")], status="draft")
    return {"pk": bom.lines.get().pk}


def draft_routing():
    from planning.models import Routing

    return {"pk": Routing.objects.create(product=make_item()).pk}


RULES |= {
    "planning:version-create": Rule(
        roles=ENTRY,
        method="post",
        kwargs=lambda: {"pk": make_item().pk, "kind": "bom"},
    ),
    "planning:bom-line-add": Rule(roles=ENTRY, method="post", kwargs=draft_bom),
    "planning:bom-line-delete": Rule(roles=ENTRY, method="post", kwargs=draft_bom_line),
    "planning:routing-operation-add": Rule(
        roles=ENTRY, method="post", kwargs=draft_routing
    ),
    "planning:routing-operation-delete": Rule(
        roles=ENTRY, method="post", kwargs=draft_routing_operation
    ),
    "planning:operation-machine-add": Rule(
        roles=ENTRY, method="post", kwargs=draft_routing_operation
    ),
    "planning:instruction-file-add": Rule(
        roles=ENTRY, method="post", kwargs=draft_routing_operation
    ),
}

RULES |= {
    "planning:plan-target-set": Rule(
        roles=ENTRY,
        method="post",
        kwargs=lambda: {"pk": make_plan().pk},
        data={"quantity": "1"},
    ),
}

RULES |= {"planning:plan-list": Rule(roles=VIEWERS)}

RULES |= {
    "planning:mrp-work-orders": Rule(
        roles=ENTRY, method="post", kwargs=mrp_run, data={"row": "1"}
    ),
}
