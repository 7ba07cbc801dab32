from decimal import Decimal

from materials import services
from mes.roles import Role
from tests.access import Rule, roles
from tests.factories import make_user
from tests.factories.materials import make_item, make_lot

VIEWERS = roles(Role.MATERIALS, Role.PLANNER, Role.SUPERVISOR, Role.QUALITY, Role.ADMIN)
HANDLERS = roles(Role.MATERIALS, Role.ADMIN)
PLAN_EDITORS = roles(Role.MATERIALS, Role.PLANNER, Role.ADMIN)
COUNT_APPROVERS = roles(Role.MATERIALS, Role.SUPERVISOR, Role.ADMIN)


def lot_pk():
    return {"pk": make_lot().pk}


def plan():
    author = make_user(None, Role.MATERIALS)
    suggestion = services.PurchaseSuggestion(
        make_item().pk, Decimal(5), "2027-01-01", None
    )
    return services.create_purchase_plan(author, [suggestion])


def plan_pk():
    return {"pk": plan().pk}


def plan_line():
    created = plan()
    return {"pk": created.pk, "line": created.lines.get().pk}


def count_pk():
    return {"pk": services.start_stock_count(None, items=[make_item()]).pk}


def post(allowed, kwargs=None, data=None):
    return Rule(roles=allowed, method="post", kwargs=kwargs, data=data or {})


RULES = {
    "materials:home": Rule(roles=VIEWERS),
    "materials:item-detail": Rule(roles=VIEWERS, kwargs=lambda: {"pk": make_item().pk}),
    "materials:lots": Rule(roles=VIEWERS),
    "materials:lot-find": Rule(roles=VIEWERS),
    "materials:locations": Rule(roles=VIEWERS),
    "materials:lot-detail": Rule(roles=VIEWERS, kwargs=lot_pk),
    "materials:lot-label": Rule(roles=VIEWERS, kwargs=lot_pk),
    "materials:recall": Rule(roles=VIEWERS, kwargs=lot_pk),
    "materials:receive": Rule(roles=HANDLERS),
    "materials:move": Rule(roles=HANDLERS),
    "materials:issue": Rule(roles=HANDLERS),
    "materials:scrap": Rule(roles=HANDLERS),
    "materials:purchase-plans": Rule(roles=VIEWERS),
    "materials:purchase-plan-create": post(PLAN_EDITORS),
    "materials:purchase-plan-detail": Rule(roles=VIEWERS, kwargs=plan_pk),
    "materials:purchase-plan-add-line": post(PLAN_EDITORS, plan_pk),
    "materials:purchase-plan-remove-line": post(PLAN_EDITORS, plan_line),
    "materials:purchase-plan-submit": post(PLAN_EDITORS, plan_pk),
    "materials:purchase-plan-approve": post(PLAN_EDITORS, plan_pk),
    "materials:purchase-plan-return": post(PLAN_EDITORS, plan_pk),
    "materials:purchase-plan-cancel": post(PLAN_EDITORS, plan_pk),
    "materials:purchase-plan-close": post(PLAN_EDITORS, plan_pk),
    "materials:reorder": Rule(roles=VIEWERS),
    "materials:reorder-plan": post(PLAN_EDITORS),
    "materials:stock-counts": Rule(roles=VIEWERS),
    "materials:stock-count-start": post(HANDLERS),
    "materials:stock-count-detail": Rule(roles=VIEWERS, kwargs=count_pk),
    "materials:stock-count-record": post(HANDLERS, count_pk),
    "materials:stock-count-submit": post(HANDLERS, count_pk),
    "materials:stock-count-approve": post(COUNT_APPROVERS, count_pk),
    "materials:stock-count-reopen": post(COUNT_APPROVERS, count_pk),
    "materials:stock-count-cancel": post(COUNT_APPROVERS, count_pk),
}
