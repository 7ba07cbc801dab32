from mes.roles import Role
from tests.access import Rule, roles

RULES = {
    "quality:home": Rule(roles=roles(Role.QUALITY, Role.SUPERVISOR, Role.ADMIN)),
}
