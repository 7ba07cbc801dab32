from mes.roles import Role
from tests.access import Rule, roles
from tests.factories.materials import make_item

MATERIALS_VIEWERS = roles(
    Role.MATERIALS, Role.PLANNER, Role.SUPERVISOR, Role.QUALITY, Role.ADMIN
)

RULES = {
    "materials:home": Rule(roles=MATERIALS_VIEWERS),
    "materials:item-detail": Rule(
        roles=MATERIALS_VIEWERS, kwargs=lambda: {"pk": make_item().pk}
    ),
}
