"""Views of dispatch, by audience: scheduling, the floor, the terminal."""

from mes.roles import Role

BOARD_ROLES = (Role.SUPERVISOR, Role.PLANNER, Role.ADMIN)
SUPERVISOR_ROLES = (Role.SUPERVISOR, Role.ADMIN)
TERMINAL_ROLES = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)
