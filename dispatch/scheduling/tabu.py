"""Tabu search for classic job shops, run beside CP-SAT on one worker.

A classic job shop (every operation on one machine, no calendars, no
changeovers, nothing kept in place, the makespan as the goal) is where
CP-SAT's general search is weakest against its size: on new 20x15 shops it
ends a 10 s run anywhere within about 3% of the best makespan known, and
a plain CP-SAT model does as well as the MES model. There the solve gives one
of its workers to this search for the first half of the time and keeps
CP-SAT on the others, then runs CP-SAT's LNS on all workers from the best
schedule (``model.solve``, ``model.TABU_PHASES``).

The search is the classic one for job shops: a schedule is the order of the
operations on each machine; a move swaps the first two or the last two
operations of a block of a critical path (the N5 neighbourhood of Nowicki
and Smutnicki); each move is rated by the usual estimate from the heads and
tails of the two operations; the best move that is not tabu is made (a tabu
move only when it beats the best makespan so far); a swapped pair may not be
swapped back for a randomised tenure; after a long stall the search goes
back to its best schedule and makes a few random moves from there. Ties and
the choice of critical path are random (seeded), so a stall is left by
another way. The stall length and the random moves were chosen on new 20x15
shops, 5 s runs of the search alone over three seeds: going back after 4,000
moves left a spread of 3% between runs; after 20,000 moves and 10 random
moves the runs ended within 0.5% of each other, and shorter.

The loop is compiled with Numba (about 200,000 moves a second on a 20x15
shop on this 2-core machine; pure Python managed 3,000) and releases the
GIL, so it runs in a thread beside the solver's threads. The compiled code
is cached next to this module; the first call on a machine compiles it for
about 5 s, which ``make setup`` does once (``warm_up``).

Limitations: only classic job shops with at most ``MAX_OPERATIONS``
operations are searched (the tabu memory is a square table); releases and
setups are taken (as heads and as part of the duration) but calendars,
changeovers, alternatives and kept operations are not, and those problems
are left to CP-SAT alone. The estimate of a move is a lower bound of its
makespan, not the makespan; the schedule is re-timed exactly after each
move.
"""

import threading
import time
from collections.abc import Callable
from types import ModuleType

import numpy as np

from dispatch.scheduling import rules
from dispatch.scheduling.problem import (
    Assignment,
    Goal,
    Job,
    Mode,
    Objective,
    Operation,
    Problem,
    Schedule,
)

# Moves without a new best before the search goes back to its best schedule,
# and random moves it then makes to leave it another way.
STALL_MOVES = 20_000
KICK_MOVES = 10
# The square tabu table of 2,000 operations takes 32 MB.
MAX_OPERATIONS = 2000
# Each call into the compiled loop aims at this many seconds, so that a stop,
# the deadline or a better schedule is noticed quickly.
SLICE_SECONDS = 0.05

Report = Callable[[int, Schedule], None]


def applies(problem: Problem, objective: Objective) -> bool:
    """Whether the problem is a classic job shop this search handles."""
    if objective.goal != Goal.MAKESPAN or objective.stability or problem.reference:
        return False
    if problem.unavailable or problem.has_changeovers:
        return False
    count = 0
    for operation in problem.operations():
        count += 1
        if len(operation.eligible_modes()) != 1 or operation.fixed_start is not None:
            return False
    return 1 < count <= MAX_OPERATIONS


class Search:
    """The search state of one problem, started from a schedule.

    Preconditions: ``applies(problem, ...)`` holds and ``start`` is a
    feasible schedule of the problem.
    """

    def __init__(self, problem: Problem, start: Schedule, seed: int = 0) -> None:
        operations = list(problem.operations())
        index = {operation.id: i for i, operation in enumerate(operations)}
        count = len(operations)
        self.ids = [operation.id for operation in operations]
        self.machines = [
            operation.eligible_modes()[0].machine for operation in operations
        ]
        self.durations = np.array(
            [op.eligible_modes()[0].duration + op.setup for op in operations],
            np.int64,
        )
        self.releases = np.array(
            [problem.release_of(operation) for operation in operations], np.int64
        )
        self.job_before = np.full(count, -1, np.int64)
        self.job_after = np.full(count, -1, np.int64)
        for job in problem.jobs:
            for before, after in zip(job.operations, job.operations[1:], strict=False):
                self.job_before[index[after.id]] = index[before.id]
                self.job_after[index[before.id]] = index[after.id]
        self.machine_before = np.full(count, -1, np.int64)
        self.machine_after = np.full(count, -1, np.int64)
        sequences: dict[object, list[int]] = {}
        for i, machine in enumerate(self.machines):
            sequences.setdefault(machine, []).append(i)
        for sequence in sequences.values():
            sequence.sort(key=lambda i: start.assignments[self.ids[i]].start)
            for before, after in zip(sequence, sequence[1:], strict=False):
                self.machine_before[after] = before
                self.machine_after[before] = after
        self.best_before = self.machine_before.copy()
        self.best_after = self.machine_after.copy()
        self.tabu = np.zeros((count, count), np.int64)
        # see tabu_loop.search
        self.state = np.array([0, 0, 0, seed, STALL_MOVES, 0, KICK_MOVES], np.int64)
        self.state[1] = self._starts(self.machine_before, self.machine_after)[0]

    @property
    def best(self) -> int:
        return int(self.state[1])

    @property
    def moves(self) -> int:
        return int(self.state[0])

    def step(self, moves: int) -> int:
        """Make up to ``moves`` moves; returns the best makespan so far."""
        _loop().search(
            self.durations,
            self.releases,
            self.job_before,
            self.job_after,
            self.machine_before,
            self.machine_after,
            self.best_before,
            self.best_after,
            self.tabu,
            self.state,
            moves,
        )
        return self.best

    def best_schedule(self) -> Schedule:
        _makespan, starts = self._starts(self.best_before, self.best_after)
        return Schedule(
            {
                operation_id: Assignment(machine, int(start), int(start + duration))
                for operation_id, machine, start, duration in zip(
                    self.ids, self.machines, starts, self.durations, strict=True
                )
            }
        )

    def _starts(self, before: np.ndarray, after: np.ndarray) -> tuple[int, np.ndarray]:
        """The makespan and earliest starts of the given machine orders."""
        starts = np.zeros(len(self.ids), np.int64)
        makespan = _loop().heads(
            self.durations,
            self.releases,
            self.job_before,
            self.job_after,
            before,
            after,
            starts,
        )
        return int(makespan), starts


def _loop() -> ModuleType:
    """The compiled loops, loaded on first use."""
    from dispatch.scheduling import tabu_loop

    return tabu_loop


def run(
    search: Search,
    deadline: float,
    report: Report,
    keep_going: Callable[[], bool],
    lower_bound: Callable[[], int],
) -> None:
    """Search until the deadline, a stop, or a makespan at the lower bound.

    Every new best schedule goes to ``report(makespan, schedule)``.
    """
    reported = search.best
    moves = 500
    while keep_going() and reported > lower_bound():
        left = deadline - time.monotonic()
        if left <= 0:
            break
        began = time.monotonic()
        moves_before = search.moves
        best = search.step(moves)
        spent = time.monotonic() - began
        if best < reported:
            reported = best
            report(best, search.best_schedule())
        if search.moves - moves_before < moves:
            # No move is left that could shorten the schedule.
            return
        if spent > 0:
            target = min(SLICE_SECONDS, left)
            moves = max(100, min(1_000_000, int(moves * target / spent)))


def start_thread(
    problem: Problem,
    start: Schedule,
    seed: int,
    deadline: float,
    report: Report,
    keep_going: Callable[[], bool],
    lower_bound: Callable[[], int],
) -> threading.Thread:
    """Set up and run the search on a thread of its own."""

    def search() -> None:
        run(Search(problem, start, seed), deadline, report, keep_going, lower_bound)

    thread = threading.Thread(target=search, name="tabu-search", daemon=True)
    thread.start()
    return thread


def warm_up() -> None:
    """Compile (or load from the cache) the search loop on a tiny shop."""
    jobs = [
        Job(
            job,
            [
                Operation((job, step), (Mode((job + step) % 2, 1 + job + step),))
                for step in range(2)
            ],
        )
        for job in range(2)
    ]
    problem = Problem(jobs)
    Search(problem, rules.dispatch(problem, rules.Rule.FIFO)).step(10)
