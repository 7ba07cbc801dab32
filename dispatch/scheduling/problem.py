"""A scheduling problem and its solution, in plain Python.

The scheduler sees no database: the MES turns released work orders into a
``Problem`` (``dispatch.planner``), the benchmark command turns a job-shop
file into one (``dispatch.scheduling.instances``), and both go through the
same rules, model and checker.

Time is an integer count of units from the problem's time zero: minutes for
the plant, the instance's own units for benchmarks.

Limitations: an operation runs without interruption, so it cannot span
unavailable time (a shift break or a holiday); an operation longer than every
working window of its machines cannot be scheduled and is reported as bad
input. Precedence is a chain per job (the routing's sequence); operations of
one order that could run in parallel are still sequenced.
"""

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

MachineId = Hashable
OperationId = Hashable

# The end of an unavailable window that never ends (beyond the horizon).
FOREVER = 10**9


@dataclass(frozen=True, slots=True)
class Mode:
    """One eligible machine for an operation and how long it takes there."""

    machine: MachineId
    duration: int


@dataclass(slots=True)
class Operation:
    """One step of a job, to run on exactly one of its modes.

    ``setup`` is added to the duration of every mode. ``family`` is the
    product family; consecutive operations of different families on one
    machine need a changeover. ``release`` is the earliest start (material
    availability). ``fixed_machine`` keeps the operation on a machine (a
    supervisor's move, a lock, a started operation); ``fixed_start`` also
    keeps its start (a lock, a started operation).
    """

    id: OperationId
    modes: tuple[Mode, ...]
    setup: int = 0
    family: str = ""
    release: int = 0
    fixed_machine: MachineId | None = None
    fixed_start: int | None = None
    label: str = ""
    job: "Job | None" = field(default=None, repr=False, compare=False)

    def eligible_modes(self) -> tuple[Mode, ...]:
        if self.fixed_machine is None:
            return self.modes
        return tuple(mode for mode in self.modes if mode.machine == self.fixed_machine)

    def duration_on(self, machine: MachineId) -> int | None:
        for mode in self.modes:
            if mode.machine == machine:
                return mode.duration + self.setup
        return None

    @property
    def shortest(self) -> int:
        return min(mode.duration for mode in self.eligible_modes()) + self.setup


@dataclass(slots=True)
class Job:
    """Operations that run one after the other (a work order's routing)."""

    id: Hashable
    operations: list[Operation]
    due: int | None = None
    weight: int = 1
    release: int = 0

    def __post_init__(self) -> None:
        for operation in self.operations:
            operation.job = self


@dataclass(frozen=True, slots=True)
class Assignment:
    machine: MachineId
    start: int
    end: int


@dataclass(slots=True)
class Problem:
    """Jobs to schedule on machines.

    ``unavailable`` lists, per machine, the ``(start, end)`` windows where it
    cannot work (outside shifts, holidays, maintenance, breakdowns).
    ``changeovers`` gives the time between two families on a machine, keyed
    by ``(from_family, to_family)``; ``default_changeover`` applies to other
    pairs of different families. ``reference`` is the published schedule a
    reschedule should stay close to.
    """

    jobs: list[Job]
    unavailable: dict[MachineId, list[tuple[int, int]]] = field(default_factory=dict)
    changeovers: dict[tuple[str, str], int] = field(default_factory=dict)
    default_changeover: int = 0
    reference: dict[OperationId, Assignment] = field(default_factory=dict)
    name: str = ""
    machine_labels: dict[MachineId, str] = field(default_factory=dict)

    def machine_label(self, machine: MachineId) -> str:
        return self.machine_labels.get(machine) or str(machine)

    def operations(self) -> Iterator[Operation]:
        for job in self.jobs:
            yield from job.operations

    def machines(self) -> list[MachineId]:
        seen: dict[MachineId, None] = {}
        for operation in self.operations():
            for mode in operation.modes:
                seen.setdefault(mode.machine, None)
        return list(seen)

    @property
    def operation_count(self) -> int:
        return sum(len(job.operations) for job in self.jobs)

    def changeover(self, before: str, after: str) -> int:
        if not before or not after or before == after:
            return 0
        return self.changeovers.get((before, after), self.default_changeover)

    @property
    def has_changeovers(self) -> bool:
        return bool(self.default_changeover or any(self.changeovers.values()))

    def release_of(self, operation: Operation) -> int:
        job_release = operation.job.release if operation.job else 0
        return max(operation.release, job_release)


class Goal(StrEnum):
    MAKESPAN = "makespan", _("Makespan")
    TARDINESS = "tardiness", _("Weighted tardiness")
    MIX = "mix", _("Tardiness and makespan")

    def __new__(cls, value: str, label: object = "") -> "Goal":
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label  # type: ignore[attr-defined]
        return member


@dataclass(frozen=True, slots=True)
class Objective:
    """What the solver minimises.

    Weighted tardiness uses each job's weight (the order's priority); the
    mix adds the makespan to it. ``stability`` weighs the distance from the
    reference schedule: minutes moved plus ``move_penalty`` for every
    operation on another machine.
    """

    goal: Goal = Goal.MAKESPAN
    stability: int = 0
    move_penalty: int = 60

    def weights(self) -> tuple[int, int]:
        """(makespan weight, tardiness weight)."""
        if self.goal == Goal.MAKESPAN:
            return 1, 0
        if self.goal == Goal.TARDINESS:
            return 0, 1
        return 1, 1


@dataclass(slots=True)
class Schedule:
    assignments: dict[OperationId, Assignment]

    def makespan(self) -> int:
        return max((a.end for a in self.assignments.values()), default=0)

    def job_end(self, job: Job) -> int:
        return max(self.assignments[op.id].end for op in job.operations)

    def tardiness(self, problem: Problem) -> int:
        """Weighted tardiness of all jobs with a due date."""
        total = 0
        for job in problem.jobs:
            if job.due is not None and job.operations:
                total += job.weight * max(0, self.job_end(job) - job.due)
        return total

    def deviation(self, problem: Problem, objective: Objective) -> int:
        total = 0
        for operation_id, before in problem.reference.items():
            after = self.assignments.get(operation_id)
            if after is None:
                continue
            total += abs(after.start - before.start)
            if after.machine != before.machine:
                total += objective.move_penalty
        return total

    def cost(self, problem: Problem, objective: Objective) -> int:
        makespan_weight, tardiness_weight = objective.weights()
        cost = makespan_weight * self.makespan()
        cost += tardiness_weight * self.tardiness(problem)
        if objective.stability:
            cost += objective.stability * self.deviation(problem, objective)
        return cost


class ProblemError(ValueError):
    """Bad input the scheduler refuses, with translated messages."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(str(message) for message in messages))
        self.messages = messages


def validate(problem: Problem) -> None:
    """Raise ``ProblemError`` listing everything that makes the problem bad."""
    errors: list[str] = []
    for operation in problem.operations():
        errors.extend(_operation_errors(problem, operation))
    errors.extend(_lock_overlaps(problem))
    errors.extend(_locks_in_unavailable_time(problem))
    if errors:
        raise ProblemError(errors)


def _operation_errors(problem: Problem, operation: Operation) -> Iterator[str]:
    label = {"operation": operation.label or operation.id}
    if not operation.modes:
        yield _("Operation %(operation)s has no eligible machine.") % label
        return
    if not operation.eligible_modes():
        yield (
            _("Operation %(operation)s is kept on a machine that is not eligible.")
            % label
        )
        return
    if any(mode.duration + operation.setup <= 0 for mode in operation.modes):
        yield _("Operation %(operation)s has a duration of zero or below.") % label
        return
    if operation.setup < 0:
        yield _("Operation %(operation)s has a negative setup time.") % label
    if operation.fixed_start is not None:
        return
    if not any(_fits_somewhere(problem, operation, mode) for mode in operation.modes):
        yield (
            _(
                "Operation %(operation)s does not fit in the working time of any of "
                "its machines."
            )
            % label
        )


def _fits_somewhere(problem: Problem, operation: Operation, mode: Mode) -> bool:
    """Whether some gap between unavailable windows is long enough."""
    duration = mode.duration + operation.setup
    windows = sorted(problem.unavailable.get(mode.machine, ()))
    cursor = problem.release_of(operation)
    for start, end in windows:
        if start - cursor >= duration:
            return True
        cursor = max(cursor, end)
    # After the last window the machine is free, unless that window closes
    # the horizon for good.
    return not windows or windows[-1][1] < FOREVER


def _lock_overlaps(problem: Problem) -> Iterator[str]:
    by_machine: dict[MachineId, list[tuple[int, int, OperationId]]] = {}
    for operation in problem.operations():
        if operation.fixed_start is None or operation.fixed_machine is None:
            continue
        duration = operation.duration_on(operation.fixed_machine)
        if duration is None:
            continue
        start = operation.fixed_start
        by_machine.setdefault(operation.fixed_machine, []).append(
            (start, start + duration, operation.label or operation.id)
        )
    for machine, spans in by_machine.items():
        spans.sort(key=lambda span: (span[0], span[1]))
        for (_start, end, first), (start, _end, second) in zip(
            spans, spans[1:], strict=False
        ):
            if start < end:
                yield _(
                    "Operations %(first)s and %(second)s are both kept on machine "
                    "%(machine)s at overlapping times."
                ) % {
                    "first": first,
                    "second": second,
                    "machine": problem.machine_label(machine),
                }


def _locks_in_unavailable_time(problem: Problem) -> Iterator[str]:
    for operation in problem.operations():
        machine = operation.fixed_machine
        if operation.fixed_start is None or machine is None:
            continue
        start = operation.fixed_start
        end = start + (operation.duration_on(machine) or 0)
        for window_start, window_end in problem.unavailable.get(machine, ()):
            if window_start < end and start < window_end:
                yield _(
                    "Operation %(operation)s is kept on machine %(machine)s at a "
                    "time it is unavailable; free the operation or change the "
                    "machine's calendar."
                ) % {
                    "operation": operation.label or operation.id,
                    "machine": problem.machine_label(machine),
                }
                break
