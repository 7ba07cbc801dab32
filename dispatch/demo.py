"""Demo data of dispatch: operator badges and a first published schedule.

Operators sign on at the demo terminals with badge OP-1001 / OP-1002 or user
name and PIN 1234. When planning's demo released work orders and nothing is
scheduled yet, they are scheduled by earliest due date and published, so the
dispatch lists, Gantt chart and terminals have work to show.
"""

from django.contrib.auth.models import User

from dispatch import execution, services
from dispatch.models import Goal, Method, OperatorBadge, ScheduleVersion
from dispatch.planner import build_problem
from dispatch.scheduling import rules
from dispatch.scheduling.model import Result
from dispatch.scheduling.problem import Goal as SolverGoal
from dispatch.scheduling.problem import Objective

DEMO_PIN = "1234"
DEMO_BADGES = [
    ("operator", "OP-1001"),
    ("operator2", "OP-1002"),
    ("supervisor", "SV-2001"),
]


def load() -> str:
    badges = 0
    for username, code in DEMO_BADGES:
        user = User.objects.filter(username=username).first()
        if user is None or OperatorBadge.objects.filter(user=user).exists():
            continue
        execution.set_badge(user, code, DEMO_PIN, actor=None)
        badges += 1
    published = _first_schedule()
    return f"{badges} badges, " + (
        f"schedule {published.number} published" if published else "schedule kept"
    )


def _first_schedule() -> ScheduleVersion | None:
    """Schedule the released orders by EDD once, when no version exists."""
    if ScheduleVersion.objects.exists():
        return None
    plant = build_problem()
    if not plant.problem.jobs:
        return None
    schedule = rules.dispatch(plant.problem, rules.Rule.EDD)
    cost = schedule.cost(plant.problem, Objective(goal=SolverGoal.MIX))
    result = Result(schedule, "rule", cost, 0, 0.0, 0.0, 1, rule=Method.EDD)
    version = services.save_version(None, plant, result, None, note="Demo")
    version.method = Method.EDD
    version.goal = Goal.MIX
    version.save(update_fields=["method", "goal"])
    supervisor = User.objects.filter(username="supervisor").first()
    return services.publish_version(version, supervisor)
