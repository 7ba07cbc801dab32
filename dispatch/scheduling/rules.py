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
from heapq import heappop, heappush

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
    REPAIR = "repair", _("Published schedule, repaired")

    def __new__(cls, value: str, label: object = "") -> "Rule":
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label  # type: ignore[attr-defined]
        return member


# The rules a supervisor can choose on the page; MWKR is used as a warm start.
PUBLIC_RULES = (Rule.EDD, Rule.SPT, Rule.FIFO)


class Timeline:
    """The busy spans of one machine, sorted and never overlapping.

    Without changeovers, touching spans merge into one, so a fully booked
    stretch is skipped in one step when looking for a gap.
    """

    __slots__ = ("starts", "ends", "families", "merge")

    def __init__(self, windows: list[tuple[int, int]], merge: bool = False) -> None:
        self.merge = merge
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
        if self.merge:
            return self._earliest_start(ready, duration)
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

    def _earliest_start(self, ready: int, duration: int) -> int:
        """The same without changeovers: the hot loop of every rule."""
        starts, ends = self.starts, self.ends
        index = bisect_right(ends, ready)
        cursor = ready
        count = len(starts)
        while index < count:
            if cursor + duration <= starts[index]:
                return cursor
            if ends[index] > cursor:
                cursor = ends[index]
            index += 1
        return cursor

    def reserve(self, start: int, end: int, family: str) -> None:
        index = bisect_right(self.starts, start)
        if self.merge and index > 0 and self.ends[index - 1] == start:
            self.ends[index - 1] = end
            index -= 1
        else:
            self.starts.insert(index, start)
            self.ends.insert(index, end)
            self.families.insert(index, family)
        following = index + 1
        if (
            self.merge
            and following < len(self.starts)
            and self.starts[following] == self.ends[index]
        ):
            self.ends[index] = self.ends[following]
            del self.starts[following], self.ends[following], self.families[following]


@dataclass(slots=True)
class _Candidate:
    job_index: int
    operation: Operation
    machine: MachineId
    start: int
    end: int
    ready: int
    version: int = 0


def dispatch(problem: Problem, rule: Rule) -> Schedule:
    """An active schedule built by the dispatching rule."""
    merge = not problem.has_changeovers
    timelines = {
        machine: Timeline(problem.unavailable.get(machine, []), merge)
        for machine in problem.machines()
    }
    assignments = _place_kept(problem, timelines)
    priority = _priority(problem, rule)
    progress = [0] * len(problem.jobs)
    pool = _Pool()
    for job_index, job in enumerate(problem.jobs):
        pool.put(_advance(problem, timelines, assignments, job_index, job, progress))

    while pool.candidates:
        first = pool.earliest_end()
        machine = first.machine
        conflict = [
            candidate
            for candidate in pool.on_machine(machine)
            if candidate.start < first.end
        ]
        chosen = min(conflict, key=lambda c: priority(c.operation, c.job_index))
        operation = chosen.operation
        timelines[machine].reserve(chosen.start, chosen.end, operation.family)
        assignments[operation.id] = Assignment(machine, chosen.start, chosen.end)
        pool.remove(chosen)
        job = problem.jobs[chosen.job_index]
        progress[chosen.job_index] += 1
        pool.put(
            _advance(
                problem,
                timelines,
                assignments,
                chosen.job_index,
                job,
                progress,
                ready=chosen.end,
            )
        )
        # A booking only takes time away, so only the candidates whose slot
        # it overlaps need a new one (any on the machine with changeovers).
        for candidate in pool.on_machine(machine):
            if merge and candidate.start >= chosen.end or candidate.end <= chosen.start:
                continue
            pool.put(
                _best(
                    problem,
                    timelines,
                    candidate.job_index,
                    candidate.operation,
                    candidate.ready,
                )
            )
    return Schedule(assignments)


class _Pool:
    """The next operation of every job, by machine and by earliest end."""

    def __init__(self) -> None:
        self.candidates: dict[int, _Candidate] = {}
        self.by_machine: dict[MachineId, set[int]] = {}
        self.heap: list[tuple[int, int, int]] = []
        self.versions: dict[int, int] = {}

    def put(self, candidate: "_Candidate | None") -> None:
        if candidate is None:
            return
        old = self.candidates.get(candidate.job_index)
        if old is not None:
            self.by_machine[old.machine].discard(old.job_index)
        version = self.versions.get(candidate.job_index, 0) + 1
        self.versions[candidate.job_index] = version
        candidate.version = version
        self.candidates[candidate.job_index] = candidate
        self.by_machine.setdefault(candidate.machine, set()).add(candidate.job_index)
        heappush(self.heap, (candidate.end, candidate.job_index, version))

    def remove(self, candidate: "_Candidate") -> None:
        del self.candidates[candidate.job_index]
        self.by_machine[candidate.machine].discard(candidate.job_index)

    def on_machine(self, machine: MachineId) -> list["_Candidate"]:
        return [self.candidates[index] for index in self.by_machine.get(machine, ())]

    def earliest_end(self) -> "_Candidate":
        while True:
            _end, job_index, version = self.heap[0]
            candidate = self.candidates.get(job_index)
            if candidate is not None and candidate.version == version:
                return candidate
            heappop(self.heap)


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
    ready: int | None = None,
) -> "_Candidate | None":
    """The job's next unplaced operation as a candidate, if any is left."""
    if ready is None:
        ready = job.release
    while progress[job_index] < len(job.operations):
        operation = job.operations[progress[job_index]]
        placed = assignments.get(operation.id)
        if placed is None:
            ready = max(ready, problem.release_of(operation))
            return _best(problem, timelines, job_index, operation, ready)
        ready = max(ready, placed.end)
        progress[job_index] += 1
    return None


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


def repair(problem: Problem) -> Schedule:
    """The reference schedule kept as far as it stays feasible.

    Operations go in the order of their reference start, each on its
    reference machine (when still allowed) at its reference start or the
    first feasible moment after it; operations without a reference follow,
    earliest finish first. Unaffected operations so stay where they were.
    """
    merge = not problem.has_changeovers
    timelines = {
        machine: Timeline(problem.unavailable.get(machine, []), merge)
        for machine in problem.machines()
    }
    assignments = _place_kept(problem, timelines)
    reference = problem.reference
    steps = [
        (job_index, position, operation)
        for job_index, job in enumerate(problem.jobs)
        for position, operation in enumerate(job.operations)
    ]
    far = 10**12
    steps.sort(
        key=lambda step: (
            reference[step[2].id].start if step[2].id in reference else far,
            step[0],
            step[1],
        )
    )
    job_ready = [job.release for job in problem.jobs]
    pending = {index: 0 for index in range(len(problem.jobs))}
    waiting: list[tuple[int, int, Operation]] = []
    for step in steps:
        waiting.append(step)
        progressed = True
        while progressed:
            progressed = False
            for queued in list(waiting):
                job_index, position, operation = queued
                if pending[job_index] != position:
                    continue
                waiting.remove(queued)
                _repair_one(problem, timelines, assignments, job_ready, queued)
                pending[job_index] += 1
                progressed = True
    return Schedule(assignments)


def _repair_one(
    problem: Problem,
    timelines: dict[MachineId, Timeline],
    assignments: dict[object, Assignment],
    job_ready: list[int],
    step: tuple[int, int, Operation],
) -> None:
    job_index, _position, operation = step
    placed = assignments.get(operation.id)
    if placed is not None:
        job_ready[job_index] = max(job_ready[job_index], placed.end)
        return
    ready = max(job_ready[job_index], problem.release_of(operation))
    before = problem.reference.get(operation.id)
    modes = operation.eligible_modes()
    if before is not None and any(mode.machine == before.machine for mode in modes):
        machine = before.machine
        duration = operation.duration_on(machine) or 1
        start = timelines[machine].earliest_start(
            problem, max(ready, before.start), duration, operation.family
        )
        end = start + duration
    else:
        best = _best(problem, timelines, job_index, operation, ready)
        machine, start, end = best.machine, best.start, best.end
    timelines[machine].reserve(start, end, operation.family)
    assignments[operation.id] = Assignment(machine, start, end)
    job_ready[job_index] = end


def best_rule(
    problem: Problem, cost: Callable[[Schedule], int]
) -> tuple[Rule, Schedule]:
    """The rule whose schedule costs least, with that schedule."""
    results = [(rule, dispatch(problem, rule)) for rule in Rule]
    return min(results, key=lambda result: cost(result[1]))
