"""Factories of dispatch records: released orders, schedules, badges."""

from decimal import Decimal
from itertools import count

from dispatch import execution
from dispatch.models import OperatorBadge, ScheduleVersion
from dispatch.planner import build_problem, published_version
from dispatch.scheduling.model import solve
from dispatch.scheduling.problem import Goal, Mode, Objective, Operation
from dispatch.services import publish_version, save_version
from materials import services as materials_services
from materials.models import Lot
from mes.roles import Role
from planning import services as planning_services
from planning.models import WorkOrder, WorkOrderOperation, WorkOrderStatus
from tests.factories import make_user
from tests.factories.materials import make_location, make_lot
from tests.factories.planning import make_product, make_work_order

_sequence = count(1)

# The benchmark instances and their best-known bounds (read-only).
BENCHDATA = "/work/shared/benchdata"


def op(name: str, *modes: tuple[object, int], **fields: object) -> Operation:
    """A scheduling operation with ``(machine, duration)`` modes."""
    return Operation(id=name, modes=tuple(Mode(m, d) for m, d in modes), **fields)


def release(order: WorkOrder | None = None, **fields: object) -> WorkOrder:
    """An order released through planning: operations and materials exist."""
    order = order or make_work_order(status=WorkOrderStatus.APPROVED, **fields)
    supervisor = make_user(f"releaser{next(_sequence)}", Role.SUPERVISOR)
    return planning_services.release_work_order(order, supervisor)


def make_released_order(**fields: object) -> WorkOrder:
    return release(None, **fields)


def operations_of(order: WorkOrder) -> list[WorkOrderOperation]:
    return list(order.operations.order_by("sequence"))


def issue_materials(order: WorkOrder, actor: object = None) -> list[Lot]:
    """Receive and issue every component the order needs, one lot each."""
    lots = []
    for need in order.materials.select_related("item"):
        lot = make_lot(need.item, need.quantity * 2)
        materials_services.issue_to_order(lot, need.quantity, order.number, None, actor)
        lots.append(lot)
    return lots


def make_lot_for(order: WorkOrder, quantity: Decimal | int = 100) -> Lot:
    """An available lot of the order's first component, not yet issued."""
    need = order.materials.select_related("item").first()
    return make_lot(need.item, quantity, make_location())


def make_badge(user: object, badge_code: str = "", pin: str = "1234") -> OperatorBadge:
    code = badge_code or f"BADGE-{next(_sequence)}"
    return execution.set_badge(user, code, pin, actor=None)


def publish_schedule(actor: object = None, time_limit: float = 2) -> ScheduleVersion:
    """Schedule the open operations now and publish the result."""
    reference = published_version()
    plant = build_problem(reference=reference)
    result = solve(plant.problem, Objective(goal=Goal.MIX), time_limit=time_limit)
    version = save_version(None, plant, result, reference)
    actor = actor or make_user(f"publisher{next(_sequence)}", Role.SUPERVISOR)
    return publish_version(version, actor)


def make_product_with_routing(**fields: object):
    return make_product(**fields)
