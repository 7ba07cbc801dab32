from mes.roles import Role
from tests.access import Rule, roles

RULES = {
    "dispatch:board": Rule(roles=roles(Role.SUPERVISOR, Role.PLANNER, Role.ADMIN)),
    "dispatch:terminal": Rule(roles=roles(Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)),
}
