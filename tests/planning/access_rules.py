from mes.roles import Role
from tests.access import Rule, roles

RULES = {
    "planning:home": Rule(roles=roles(Role.PLANNER, Role.SUPERVISOR, Role.ADMIN)),
}
