from mes.roles import Role
from tests.access import Rule, roles
from tests.factories.equipment import make_machine

EQUIPMENT_VIEWERS = roles(Role.MAINTENANCE, Role.SUPERVISOR, Role.PLANNER, Role.ADMIN)

RULES = {
    "equipment:home": Rule(roles=EQUIPMENT_VIEWERS),
    "equipment:machine-detail": Rule(
        roles=EQUIPMENT_VIEWERS, kwargs=lambda: {"pk": make_machine().pk}
    ),
}
