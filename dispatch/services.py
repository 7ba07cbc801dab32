"""Domain verbs of scheduling: runs, versions, publishing, locks, exceptions.

Shop-floor execution (the terminal's verbs) lives in ``dispatch.execution``.
A scheduling run is queued here and executed by ``tasks.run_schedule_task``
in a Celery worker; its live figures go through the cache so the page can
show them while the solver works, and a stop request reaches the solver the
same way.
"""

import logging
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import (
    DispatchError,
    ExceptionStatus,
    Goal,
    Method,
    OperationLock,
    ProductionException,
    RunKind,
    RunStatus,
    ScheduledOperation,
    ScheduleRun,
    ScheduleVersion,
    VersionStatus,
)
from dispatch.planner import PlantProblem, build_problem, published_version
from dispatch.scheduling import rules
from dispatch.scheduling.check import violations
from dispatch.scheduling.model import Result, solve
from dispatch.scheduling.problem import Goal as SolverGoal
from dispatch.scheduling.problem import Objective, ProblemError, Schedule
from equipment.models import Machine
from mes import audit
from planning.models import WorkOrderOperation

logger = logging.getLogger(__name__)

MAX_TIME_LIMIT = 600
REPAIR_TIME_LIMIT = 8
PROGRESS_TIMEOUT = 3600


# Scheduling runs -------------------------------------------------------------


def progress_key(run_id: int) -> str:
    return f"dispatch:run:{run_id}:progress"


def stop_key(run_id: int) -> str:
    return f"dispatch:run:{run_id}:stop"


def request_run(
    actor: Any,
    goal: str = Goal.MIX,
    method: str = Method.SOLVER,
    time_limit: int = 30,
    kind: str = RunKind.FULL,
    reason: str = "",
) -> ScheduleRun:
    """Queue a scheduling run; the worker starts it after the commit."""
    if not 1 <= time_limit <= MAX_TIME_LIMIT:
        raise DispatchError(
            _("The time limit must be between 1 and %(max)s seconds.")
            % {"max": MAX_TIME_LIMIT}
        )
    with transaction.atomic():
        run = ScheduleRun.objects.create(
            kind=kind,
            goal=goal,
            method=method,
            time_limit_seconds=time_limit,
            reason=reason[:200],
            created_by=actor,
        )
        audit.record_create(run, actor=actor, reason=reason)
        transaction.on_commit(lambda: _send(run.pk))
    logger.info("Scheduling run %s queued (%s, %s)", run.pk, method, goal)
    return run


def _send(run_id: int) -> None:
    from dispatch.tasks import run_schedule_task

    run_schedule_task.delay(run_id)


def stop_run(run: ScheduleRun, actor: Any) -> None:
    """Ask a running solve to stop; it keeps the best schedule found."""
    if not run.is_active:
        raise DispatchError(_("This run has already finished."))
    cache.set(stop_key(run.pk), True, timeout=PROGRESS_TIMEOUT)
    ScheduleRun.objects.filter(pk=run.pk).update(stop_requested=True)
    logger.info("Stop requested for scheduling run %s by %s", run.pk, actor)


def live_progress(run: ScheduleRun) -> dict[str, Any]:
    """The figures of a run: from the cache while it runs, else the row."""
    figures = cache.get(progress_key(run.pk)) if run.is_active else None
    if figures:
        return figures
    return {
        "solutions": run.solutions,
        "objective": run.objective,
        "bound": run.bound,
        "seconds": None,
    }


def execute_run(run_id: int) -> ScheduleVersion | None:
    """Solve the plant for a queued run and save the schedule as a draft.

    Idempotent: a run that is no longer queued is left alone. Bad input ends
    the run as failed with the translated reasons.
    """
    claimed = ScheduleRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        logger.info("Scheduling run %s is gone or already taken", run_id)
        return None
    run = ScheduleRun.objects.get(pk=run_id)
    reference = published_version()
    try:
        plant = build_problem(reference=reference)
        if not plant.problem.jobs:
            raise ProblemError([_("There are no open operations to schedule.")])
        result = _solve(run, plant, reference is not None)
        version = save_version(run, plant, result, reference)
    except (ProblemError, DispatchError) as error:
        _finish(run, RunStatus.FAILED, message="\n".join(map(str, error.messages)))
        return None
    except Exception:
        logger.exception("Scheduling run %s failed", run_id)
        _finish(run, RunStatus.FAILED, message=_("The run failed; see the log."))
        raise
    _finish(run, RunStatus.FINISHED, result=result)
    return version


def _solve(run: ScheduleRun, plant: PlantProblem, has_reference: bool) -> Result:
    goal = SolverGoal(run.goal)
    stability = 1 if run.kind == RunKind.REPAIR and has_reference else 0
    objective = Objective(goal=goal, stability=stability)
    if run.method != Method.SOLVER:
        schedule = rules.dispatch(plant.problem, rules.Rule(run.method))
        cost = schedule.cost(plant.problem, objective)
        return Result(schedule, "rule", cost, 0, 0.0, 0.0, 1, rule=run.method)

    def on_progress(figures: dict[str, Any]) -> None:
        figures["time_limit"] = run.time_limit_seconds
        cache.set(progress_key(run.pk), figures, timeout=PROGRESS_TIMEOUT)

    return solve(
        plant.problem,
        objective,
        time_limit=run.time_limit_seconds,
        workers=2,
        on_progress=on_progress,
        should_stop=lambda: bool(cache.get(stop_key(run.pk))),
    )


def _finish(
    run: ScheduleRun, status: str, message: str = "", result: Result | None = None
) -> None:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    fields = ["status", "message", "finished_at"]
    if result is not None:
        run.solutions = result.solutions
        run.objective = result.objective
        run.bound = result.lower_bound
        run.rule_objectives = {
            rule: cost
            for rule, cost in result.rule_costs.items()
            if rule in rules.PUBLIC_RULES
        }
        fields += ["solutions", "objective", "bound", "rule_objectives"]
    run.save(update_fields=fields)
    cache.delete_many([progress_key(run.pk), stop_key(run.pk)])
    logger.info("Scheduling run %s %s", run.pk, status)


def save_version(
    run: ScheduleRun | None,
    plant: PlantProblem,
    result: Result,
    reference: ScheduleVersion | None,
    note: str = "",
) -> ScheduleVersion:
    """Store a checked schedule as a new draft version."""
    broken = violations(plant.problem, result.schedule)
    if broken:
        raise DispatchError(broken[0])
    schedule = result.schedule
    late, tardiness = _lateness(plant, schedule)
    affected = _affected(plant, schedule, reference)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('dispatch-version'))")
        number = (ScheduleVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ScheduleVersion.objects.create(
            number=number,
            run=run,
            is_proposal=bool(run and run.kind == RunKind.REPAIR),
            method=run.method if run else Method.SOLVER,
            goal=run.goal if run else Goal.MIX,
            origin=plant.origin,
            makespan_end=plant.moment(schedule.makespan()),
            weighted_tardiness_minutes=tardiness,
            late_orders=late,
            note=(note or (run.reason if run else ""))[:200],
        )
        ScheduledOperation.objects.bulk_create(
            ScheduledOperation(
                version=version,
                operation_id=operation_id,
                machine_id=assignment.machine,
                start=plant.moment(assignment.start),
                end=plant.moment(assignment.end),
                is_kept=operation_id in plant.kept,
                is_affected=operation_id in affected,
            )
            for operation_id, assignment in schedule.assignments.items()
        )
    return version


def _lateness(plant: PlantProblem, schedule: Schedule) -> tuple[int, int]:
    late = 0
    for job in plant.problem.jobs:
        if job.due is not None and schedule.job_end(job) > job.due:
            late += 1
    return late, schedule.tardiness(plant.problem)


def _affected(
    plant: PlantProblem, schedule: Schedule, reference: ScheduleVersion | None
) -> set[object]:
    """Operations whose machine or start differs from the reference."""
    if reference is None:
        return set()
    before = plant.problem.reference
    return {
        operation_id
        for operation_id, after in schedule.assignments.items()
        if operation_id in before
        and (
            before[operation_id].machine != after.machine
            or before[operation_id].start != after.start
        )
    }


# Versions --------------------------------------------------------------------


def publish_version(version: ScheduleVersion, actor: Any) -> ScheduleVersion:
    """Make a draft the published schedule; the previous one is superseded."""
    with transaction.atomic():
        locked = list(
            ScheduleVersion.objects.select_for_update()
            .filter(status__in=[VersionStatus.PUBLISHED, VersionStatus.DRAFT])
            .order_by("pk")
        )
        current = next((v for v in locked if v.pk == version.pk), None)
        if current is None or current.status != VersionStatus.DRAFT:
            raise DispatchError(_("Only a draft schedule can be published."))
        for other in locked:
            if other.status == VersionStatus.PUBLISHED:
                other.status = VersionStatus.SUPERSEDED
                other.save(update_fields=["status"])
                audit.record_transition(
                    other,
                    "status",
                    VersionStatus.PUBLISHED,
                    VersionStatus.SUPERSEDED,
                    actor=actor,
                )
        current.status = VersionStatus.PUBLISHED
        current.published_by = actor
        current.published_at = timezone.now()
        current.save(update_fields=["status", "published_by", "published_at"])
        audit.record_transition(
            current, "status", VersionStatus.DRAFT, VersionStatus.PUBLISHED, actor=actor
        )
    logger.info("Schedule version %s published by %s", current.number, actor)
    return current


# Locks and moves -------------------------------------------------------------


def lock_operation(
    operation: WorkOrderOperation,
    machine: Machine,
    start: datetime | None,
    actor: Any,
) -> OperationLock:
    """Keep an operation on a machine (and at a start) in the next runs."""
    eligible = operation.eligible_machines.filter(machine=machine).exists()
    if not eligible:
        raise DispatchError(
            _("Machine %(machine)s is not eligible for operation %(operation)s.")
            % {"machine": machine.code, "operation": operation.reference}
        )
    if start is not None:
        _check_lock_overlap(operation, machine, start)
    with transaction.atomic():
        lock = OperationLock.objects.filter(operation=operation).first()
        before = audit.snapshot(lock) if lock else None
        lock, created = OperationLock.objects.update_or_create(
            operation=operation,
            defaults={"machine": machine, "start": start, "created_by": actor},
        )
        if created:
            audit.record_create(lock, actor=actor)
        else:
            audit.record_change(lock, before or {}, actor=actor)
    return lock


def _check_lock_overlap(
    operation: WorkOrderOperation, machine: Machine, start: datetime
) -> None:
    """Two locked operations may not overlap on one machine."""
    from datetime import timedelta

    duration = operation.eligible_machines.get(machine=machine).duration_minutes
    end = start + timedelta(minutes=float(duration))
    others = OperationLock.objects.filter(machine=machine, start__isnull=False).exclude(
        operation=operation
    )
    for other in others.select_related("operation"):
        other_duration = other.operation.eligible_machines.get(
            machine=machine
        ).duration_minutes
        other_end = other.start + timedelta(minutes=float(other_duration))
        if other.start < end and start < other_end:
            raise DispatchError(
                _("The lock overlaps operation %(other)s, locked on %(machine)s.")
                % {"other": other.operation.reference, "machine": machine.code}
            )


def unlock_operation(operation: WorkOrderOperation, actor: Any) -> None:
    with transaction.atomic():
        lock = OperationLock.objects.filter(operation=operation).first()
        if lock is None:
            return
        audit.record_delete(lock, actor=actor)
        lock.delete()


# Exceptions ------------------------------------------------------------------


def raise_exception(
    kind: str,
    message: str,
    *,
    machine_id: int | None = None,
    work_order_id: int | None = None,
    operation_id: int | None = None,
    source_key: str = "",
    actor: Any = None,
) -> ProductionException:
    """Open an exception; an open one from the same source is returned instead."""
    if source_key:
        existing = ProductionException.objects.filter(source_key=source_key).exclude(
            status=ExceptionStatus.RESOLVED
        )
        found = existing.first()
        if found is not None:
            return found
    exception = ProductionException.objects.create(
        kind=kind,
        message=message[:300],
        machine_id=machine_id,
        work_order_id=work_order_id,
        operation_id=operation_id,
        source_key=source_key,
        raised_by=actor,
    )
    logger.info("Exception %s raised: %s", exception.pk, kind)
    return exception


def resolve_exceptions_from(source_key: str, actor: Any, resolution: str) -> int:
    """Resolve the open exceptions a source raised, e.g. a lifted quality stop."""
    open_ones = ProductionException.objects.filter(source_key=source_key).exclude(
        status=ExceptionStatus.RESOLVED
    )
    resolved = 0
    for exception in open_ones:
        resolve_exception(exception, actor, resolution)
        resolved += 1
    return resolved


def acknowledge_exception(exception: ProductionException, actor: Any) -> None:
    _move_exception(exception, ExceptionStatus.ACKNOWLEDGED, actor, "")


def resolve_exception(
    exception: ProductionException, actor: Any, resolution: str
) -> None:
    if not resolution.strip():
        raise DispatchError(_("Say what was done to resolve the exception."))
    _move_exception(exception, ExceptionStatus.RESOLVED, actor, resolution.strip())


def _move_exception(
    exception: ProductionException, status: str, actor: Any, resolution: str
) -> None:
    with transaction.atomic():
        locked = ProductionException.objects.select_for_update().get(pk=exception.pk)
        old = locked.transition_to(status)
        now = timezone.now()
        fields = ["status"]
        if status == ExceptionStatus.ACKNOWLEDGED or locked.acknowledged_by_id is None:
            locked.acknowledged_by = actor
            locked.acknowledged_at = now
            fields += ["acknowledged_by", "acknowledged_at"]
        if status == ExceptionStatus.RESOLVED:
            locked.resolved_by = actor
            locked.resolved_at = now
            locked.resolution = resolution
            fields += ["resolved_by", "resolved_at", "resolution"]
        locked.save(update_fields=fields)
        audit.record_transition(locked, "status", old, status, actor=actor)
