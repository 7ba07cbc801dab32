"""Pages of the materials app, one module per feature.

Who may do what: everyone who works with stock may look; materials
handlers (and admins) move it; planners also edit and approve purchase
plans; supervisors also approve stock counts.
"""

from mes.roles import Role

VIEWERS = (Role.MATERIALS, Role.PLANNER, Role.SUPERVISOR, Role.QUALITY, Role.ADMIN)
HANDLERS = (Role.MATERIALS, Role.ADMIN)
PLAN_EDITORS = (Role.MATERIALS, Role.PLANNER, Role.ADMIN)
COUNT_APPROVERS = (Role.MATERIALS, Role.SUPERVISOR, Role.ADMIN)
