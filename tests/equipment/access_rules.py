from django.utils import timezone

from equipment.models import DowntimeEvent, MaintenanceOrder
from mes.roles import Role
from tests.access import Rule, roles
from tests.factories.equipment import make_machine

EQUIPMENT_VIEWERS = roles(Role.MAINTENANCE, Role.SUPERVISOR, Role.PLANNER, Role.ADMIN)
BOARD_VIEWERS = EQUIPMENT_VIEWERS | roles(Role.OPERATOR)
FLOOR = roles(Role.OPERATOR, Role.SUPERVISOR, Role.MAINTENANCE, Role.ADMIN)
MAINTENANCE = roles(Role.MAINTENANCE, Role.SUPERVISOR, Role.ADMIN)
TECHNICIANS = roles(Role.MAINTENANCE, Role.ADMIN)


def machine_kwargs():
    return {"pk": make_machine().pk}


def stop_kwargs():
    event = DowntimeEvent.objects.create(
        machine=make_machine(), started_at=timezone.now()
    )
    return {"pk": event.pk}


def order_kwargs():
    order = MaintenanceOrder.objects.create(
        number=f"MO-M{MaintenanceOrder.objects.count()}",
        machine=make_machine(),
        kind="repair",
        due_at=timezone.now(),
    )
    return {"pk": order.pk}


RULES = {
    "equipment:home": Rule(roles=EQUIPMENT_VIEWERS),
    "equipment:board": Rule(roles=BOARD_VIEWERS),
    "equipment:machine-detail": Rule(roles=BOARD_VIEWERS, kwargs=machine_kwargs),
    "equipment:downtime": Rule(roles=FLOOR),
    "equipment:downtime-new": Rule(roles=FLOOR),
    "equipment:downtime-classify": Rule(roles=FLOOR, method="post", kwargs=stop_kwargs),
    "equipment:fault-report-new": Rule(roles=FLOOR),
    "equipment:order-list": Rule(roles=MAINTENANCE),
    "equipment:order-detail": Rule(roles=MAINTENANCE, kwargs=order_kwargs),
    "equipment:order-start": Rule(
        roles=TECHNICIANS, method="post", kwargs=order_kwargs
    ),
    "equipment:order-complete": Rule(
        roles=TECHNICIANS, method="post", kwargs=order_kwargs
    ),
    "equipment:order-close": Rule(
        roles=MAINTENANCE, method="post", kwargs=order_kwargs
    ),
    "equipment:order-cancel": Rule(
        roles=MAINTENANCE, method="post", kwargs=order_kwargs
    ),
    "equipment:order-assign": Rule(
        roles=MAINTENANCE, method="post", kwargs=order_kwargs
    ),
    "equipment:oee": Rule(roles=EQUIPMENT_VIEWERS),
    "equipment:oee-export": Rule(roles=EQUIPMENT_VIEWERS),
}
