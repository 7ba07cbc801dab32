"""A plain CP-SAT job-shop model, kept only as the benchmark's yardstick.

The MES never schedules with it. It exists so that ``jobshop_compare`` can
check the promise the scheduler makes: on instances it was not tuned on, it
is never worse than the model anyone would write first, given the same time
and workers. That model is: one interval per operation (for a flexible
operation, one optional interval per eligible machine, exactly one present),
precedence within each job, no overlap on each machine, minimise the
makespan. Nothing more: no hint, no search strategy, no tightened horizon, no
redundant constraint, CP-SAT's default parameters apart from the time limit,
the workers and the seed. Making it stronger would make the yardstick lie.

Limitations: only the benchmark families are understood (makespan, no
calendars, changeovers, releases, kept operations or setups); a problem with
any of them is refused with ``ValueError`` rather than solved partly.
"""

import time
from dataclasses import dataclass
from typing import Any

from dispatch.scheduling.problem import Assignment, Problem, Schedule


@dataclass(frozen=True, slots=True)
class PlainResult:
    """The yardstick's answer; ``schedule`` is None when it found none."""

    schedule: Schedule | None
    status: str
    makespan: int | None
    lower_bound: int
    seconds: float


def solve(
    problem: Problem, time_limit: float = 10.0, workers: int = 2, seed: int = 0
) -> PlainResult:
    """Solve the problem with the plain model within ``time_limit`` seconds.

    The limit counts from the call, model building included, as the MES
    scheduler's does. Raises ``ValueError`` for problems outside the
    benchmark families.
    """
    from ortools.sat.python import cp_model

    started = time.monotonic()
    _refuse_what_is_not_plain(problem)
    model, starts, presences, makespan = _build(problem)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(
        0.01, time_limit - (time.monotonic() - started)
    )
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)

    seconds = time.monotonic() - started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PlainResult(None, "unknown", None, 0, seconds)
    schedule = _read(solver, problem, starts, presences)
    return PlainResult(
        schedule=schedule,
        status="optimal" if status == cp_model.OPTIMAL else "feasible",
        makespan=solver.value(makespan),
        lower_bound=round(solver.best_objective_bound),
        seconds=seconds,
    )


def _refuse_what_is_not_plain(problem: Problem) -> None:
    if problem.unavailable or problem.has_changeovers or problem.reference:
        raise ValueError("the plain model takes no calendars or changeovers")
    for operation in problem.operations():
        if (
            operation.setup
            or operation.fixed_machine is not None
            or operation.fixed_start is not None
            or problem.release_of(operation)
        ):
            raise ValueError("the plain model takes no setups, locks or releases")


def _build(problem: Problem) -> tuple[Any, dict, dict, Any]:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    horizon = sum(
        max(mode.duration for mode in op.modes) for op in problem.operations()
    )
    starts: dict[object, Any] = {}
    presences: dict[object, list[tuple[object, Any]]] = {}
    by_machine: dict[object, list[Any]] = {}
    makespan = model.new_int_var(0, horizon, "makespan")

    for job in problem.jobs:
        previous_end = None
        for operation in job.operations:
            start = model.new_int_var(0, horizon, "")
            end = model.new_int_var(0, horizon, "")
            choices = _add_modes(model, operation, start, end, by_machine)
            starts[operation.id] = (start, end)
            presences[operation.id] = choices
            if previous_end is not None:
                model.add(start >= previous_end)
            previous_end = end
        if previous_end is not None:
            model.add(makespan >= previous_end)

    for intervals in by_machine.values():
        model.add_no_overlap(intervals)
    model.minimize(makespan)
    return model, starts, presences, makespan


def _add_modes(
    model: Any, operation: Any, start: Any, end: Any, by_machine: dict
) -> list[tuple[object, Any]]:
    """The operation's interval, or one optional interval per machine."""
    if len(operation.modes) == 1:
        mode = operation.modes[0]
        interval = model.new_interval_var(start, mode.duration, end, "")
        by_machine.setdefault(mode.machine, []).append(interval)
        return [(mode.machine, None)]
    choices = []
    for mode in operation.modes:
        present = model.new_bool_var("")
        interval = model.new_optional_interval_var(
            start, mode.duration, end, present, ""
        )
        by_machine.setdefault(mode.machine, []).append(interval)
        choices.append((mode.machine, present))
    model.add_exactly_one(present for _machine, present in choices)
    return choices


def _read(solver: Any, problem: Problem, starts: dict, presences: dict) -> Schedule:
    assignments = {}
    for operation in problem.operations():
        start, end = starts[operation.id]
        choices = presences[operation.id]
        machine = choices[0][0]
        if len(choices) > 1:
            machine = next(m for m, present in choices if solver.boolean_value(present))
        assignments[operation.id] = Assignment(
            machine, solver.value(start), solver.value(end)
        )
    return Schedule(assignments)
