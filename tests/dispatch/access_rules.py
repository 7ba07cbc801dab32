from dispatch.models import ExceptionKind, RunStatus, ScheduleRun
from dispatch.services import raise_exception
from mes.roles import Role
from tests.access import Rule, roles
from tests.factories.dispatch import (
    make_released_order,
    operations_of,
    publish_schedule,
)
from tests.factories.equipment import make_machine

VIEWERS = roles(Role.SUPERVISOR, Role.PLANNER, Role.ADMIN)
SUPERVISORS = roles(Role.SUPERVISOR, Role.ADMIN)
TERMINAL = roles(Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)


def operation():
    return {"pk": operations_of(make_released_order())[0].pk}


def version():
    make_released_order()
    return {"pk": publish_schedule().pk}


def run():
    return {"pk": ScheduleRun.objects.create(status=RunStatus.FINISHED).pk}


def exception():
    found = raise_exception(ExceptionKind.HELP_CALL, "Help", source_key="matrix")
    return {"pk": found.pk}


def machine():
    return {"pk": make_machine().pk}


def job():
    first = operations_of(make_released_order())[0]
    return {
        "machine_pk": first.eligible_machines.first().machine_id,
        "pk": first.pk,
    }


RULES = {
    "dispatch:board": Rule(roles=VIEWERS),
    "dispatch:dispatch-list": Rule(roles=VIEWERS),
    "dispatch:exceptions": Rule(roles=VIEWERS),
    "dispatch:exception-acknowledge": Rule(
        roles=SUPERVISORS, method="post", kwargs=exception
    ),
    "dispatch:exception-resolve": Rule(
        roles=SUPERVISORS, method="post", kwargs=exception, data={"resolution": "Done"}
    ),
    "dispatch:schedule": Rule(roles=VIEWERS),
    "dispatch:run-create": Rule(
        roles=SUPERVISORS,
        method="post",
        data={"goal": "mix", "method": "edd", "time_limit": "0"},
    ),
    "dispatch:run-detail": Rule(roles=VIEWERS, kwargs=run),
    "dispatch:run-stop": Rule(roles=SUPERVISORS, method="post", kwargs=run),
    "dispatch:version-detail": Rule(roles=VIEWERS, kwargs=version),
    "dispatch:version-publish": Rule(roles=SUPERVISORS, method="post", kwargs=version),
    "dispatch:gantt": Rule(roles=VIEWERS),
    "dispatch:operation-detail": Rule(roles=VIEWERS, kwargs=operation),
    "dispatch:operation-lock": Rule(roles=SUPERVISORS, method="post", kwargs=operation),
    "dispatch:operation-unlock": Rule(
        roles=SUPERVISORS, method="post", kwargs=operation
    ),
    "dispatch:terminal": Rule(roles=TERMINAL),
    "dispatch:terminal-machine": Rule(roles=TERMINAL, kwargs=machine),
    "dispatch:terminal-sign-on": Rule(roles=TERMINAL, method="post", kwargs=machine),
    "dispatch:terminal-sign-off": Rule(roles=TERMINAL, method="post", kwargs=machine),
    "dispatch:terminal-help": Rule(roles=TERMINAL, method="post", kwargs=machine),
    "dispatch:terminal-job": Rule(roles=TERMINAL, kwargs=job),
    "dispatch:terminal-start": Rule(roles=TERMINAL, method="post", kwargs=job),
    "dispatch:terminal-pause": Rule(roles=TERMINAL, method="post", kwargs=job),
    "dispatch:terminal-report": Rule(roles=TERMINAL, method="post", kwargs=job),
    "dispatch:terminal-complete": Rule(roles=TERMINAL, method="post", kwargs=job),
}
