"""Dispatching rules: quick schedules for comparison, warm start and fallback.

Each rule builds an active schedule with the Giffler-Thompson scheme: take
the operation that could finish first, look at the operations competing for
its machine before that moment, and start the one the rule prefers. An
operation goes on the eligible machine where it would finish first, into the
first gap of that machine's timeline that fits it (unavailable windows and
changeovers between families respected).

Operations with a kept start (locked or started) are placed first; the
others are scheduled around them.

Limitations: a kept operation whose predecessor ends after its kept start
stays where it is, so the result breaks precedence; the checker reports it.
"""

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from dispatch.scheduling.problem import (
    Assignment,
    Job,
    MachineId,
    Operation,
    Problem,
    Schedule,
)


class Rule(StrEnum):
    EDD = "edd", _("Earliest due date")
    SPT = "spt", _("Shortest processing time")
    FIFO = "fifo", _("First in, first out")
    MWKR = "mwkr", _("Most work remaining")

    def __new__(cls, value: str, label: object = "") -> "Rule":
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label  # type: ignore[attr-defined]
        return member


# The rules a supervisor can choose on the page; MWKR is used as a warm start.
PUBLIC_RULES = (Rule.EDD, Rule.SPT, Rule.FIFO)


class Timeline:
    """The busy spans of one machine, sorted and never overlapping."""

    __slots__ = ("starts", "ends", "families")

    def __init__(self, windows: list[tuple[int, int]]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.families: list[str] = []
        for start, end in sorted(windows):
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
                continue
            self.starts.append(start)
            self.ends.append(end)
            self.families.append("")

    def earliest_start(
        self,
        problem: Problem,
        ready: int,
        duration: int,
        family: str,
    ) -> int:
        """The first start at or after ``ready`` where the operation fits."""
        index = bisect_right(self.ends, ready)
        cursor = ready
        if index > 0:
            cursor = max(
                ready,
                self.ends[index - 1]
                + problem.changeover(self.families[index - 1], family),
            )
        count = len(self.starts)
        while index < count:
            after = problem.changeover(family, self.families[index])
            if cursor + duration + after <= self.starts[index]:
                return cursor
            cursor = max(
                cursor,
                self.ends[index] + problem.changeover(self.families[index], family),
            )
            index += 1
        return cursor

    def reserve(self, start: int, end: int, family: str) -> None:
        index = bisect_right(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)
        self.families.insert(index, family)


@dataclass(slots=True)
class _Candidate:
    job_index: int
    operation: Operation
    machine: MachineId
    start: int
    end: int
    ready: int


def dispatch(problem: Problem, rule: Rule) -> Schedule:
    """An active schedule built by the dispatching rule."""
    timelines = {
        machine: Timeline(problem.unavailable.get(machine, []))
        for machine in problem.machines()
    }
    assignments = _place_kept(problem, timelines)
    priority = _priority(problem, rule)
    progress = [0] * len(problem.jobs)

    candidates: dict[int, _Candidate] = {}
    for job_index, job in enumerate(problem.jobs):
        _advance(problem, timelines, assignments, job_index, job, progress, candidates)

    while candidates:
        first = min(candidates.values(), key=lambda c: (c.end, c.job_index))
        machine = first.machine
        conflict = [
            c
            for c in candidates.values()
            if c.machine == machine and c.start < first.end
        ]
        chosen = min(conflict, key=lambda c: priority(c.operation, c.job_index))
        operation = chosen.operation
        timelines[machine].reserve(chosen.start, chosen.end, operation.family)
        assignments[operation.id] = Assignment(machine, chosen.start, chosen.end)
        del candidates[chosen.job_index]
        job = problem.jobs[chosen.job_index]
        progress[chosen.job_index] += 1
        _advance(
            problem,
            timelines,
            assignments,
            chosen.job_index,
            job,
            progress,
            candidates,
            ready=chosen.end,
        )
        _refresh(problem, timelines, candidates, machine)
    return Schedule(assignments)


def _place_kept(
    problem: Problem, timelines: dict[MachineId, Timeline]
) -> dict[object, Assignment]:
    assignments: dict[object, Assignment] = {}
    for operation in problem.operations():
        if operation.fixed_start is None or operation.fixed_machine is None:
            continue
        duration = operation.duration_on(operation.fixed_machine) or 0
        end = operation.fixed_start + duration
        timelines[operation.fixed_machine].reserve(
            operation.fixed_start, end, operation.family
        )
        assignments[operation.id] = Assignment(
            operation.fixed_machine, operation.fixed_start, end
        )
    return assignments


def _advance(
    problem: Problem,
    timelines: dict[MachineId, Timeline],
    assignments: dict[object, Assignment],
    job_index: int,
    job: Job,
    progress: list[int],
    candidates: dict[int, _Candidate],
    ready: int | None = None,
) -> None:
    """Make the job's next unplaced operation a candidate."""
    if ready is None:
        ready = job.release
    while progress[job_index] < len(job.operations):
        operation = job.operations[progress[job_index]]
        placed = assignments.get(operation.id)
        if placed is None:
            ready = max(ready, problem.release_of(operation))
            candidates[job_index] = _best(
                problem, timelines, job_index, operation, ready
            )
            return
        ready = max(ready, placed.end)
        progress[job_index] += 1


def _best(
    problem: Problem,
    timelines: dict[MachineId, Timeline],
    job_index: int,
    operation: Operation,
    ready: int,
) -> _Candidate:
    best: _Candidate | None = None
    for mode in operation.eligible_modes():
        duration = mode.duration + operation.setup
        start = timelines[mode.machine].earliest_start(
            problem, ready, duration, operation.family
        )
        end = start + duration
        if best is None or end < best.end:
            best = _Candidate(job_index, operation, mode.machine, start, end, ready)
    assert best is not None, "validate() refuses operations without modes"
    return best


def _refresh(
    problem: Problem,
    timelines: dict[MachineId, Timeline],
    candidates: dict[int, _Candidate],
    machine: MachineId,
) -> None:
    """Recompute the candidates that meant to use the machine just booked.

    A booking only makes a machine later, so candidates planned elsewhere
    keep their best machine.
    """
    for job_index, candidate in candidates.items():
        if candidate.machine == machine:
            candidates[job_index] = _best(
                problem, timelines, job_index, candidate.operation, candidate.ready
            )


def _priority(
    problem: Problem, rule: Rule
) -> Callable[[Operation, int], tuple[int, ...]]:
    if rule == Rule.EDD:
        far = 10**12
        return lambda op, i: (
            problem.jobs[i].due if problem.jobs[i].due is not None else far,
            -problem.jobs[i].weight,
            i,
        )
    if rule == Rule.SPT:
        return lambda op, i: (op.shortest, i)
    if rule == Rule.FIFO:
        return lambda op, i: (problem.jobs[i].release, i)
    remaining = _work_remaining(problem)
    return lambda op, i: (-remaining[op.id], i)


def _work_remaining(problem: Problem) -> dict[object, int]:
    remaining: dict[object, int] = {}
    for job in problem.jobs:
        total = 0
        for operation in reversed(job.operations):
            total += operation.shortest
            remaining[operation.id] = total
    return remaining


def best_rule(
    problem: Problem, cost: Callable[[Schedule], int]
) -> tuple[Rule, Schedule]:
    """The rule whose schedule costs least, with that schedule."""
    results = [(rule, dispatch(problem, rule)) for rule in Rule]
    return min(results, key=lambda result: cost(result[1]))
