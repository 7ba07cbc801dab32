"""The CP-SAT model of a scheduling problem, and the anytime solve around it.

The solve is anytime: it starts from the best dispatching rule (its
schedule is the solver's complete hint and the first answer), reports every
improving solution through ``on_progress``, and can be stopped at any time
through ``should_stop``, keeping the best schedule found so far. The answer
is never worse than the best rule.

What makes the model stronger than a plain one: the horizon is the best
rule's makespan when minimising the makespan (smaller domains); every
variable gets a hint from that schedule, so the first solution is there at
once; a redundant cumulative over all machines tightens the bound on
flexible problems; and the search runs in phases suited to two workers
(see ``phases``): a full search first (CP-SAT's own portfolio: one worker
on the whole problem, one interleaving neighbourhoods), which proves the
easy instances and gives the bound, then both workers on large
neighbourhood search, starting from the best schedule so far. Flexible
problems get a short full search; classic job shops get half the time,
as they are proved more often. On a classic job shop (one machine per
operation, no calendars or changeovers, the makespan as the goal) with two
workers or more, one worker runs a tabu search for the first half
(``tabu``), which finds short schedules of such shops much faster than
CP-SAT's search, while CP-SAT searches fully on the others; then all
workers run LNS from the better of the two. ``manage.py jobshop_compare``
measures the difference against a plain model.
A repair after an event starts from the published schedule shifted where
it must (``rules.repair``) and weighs moves against it.

Limitations: sequence-dependent changeovers add a circuit per machine,
quadratic in its operations; on machines with hundreds of operations of
several families the model grows large and the solver relies on the rule's
schedule for longer. The tabu search helps classic job shops only; plant
problems with calendars, alternatives or changeovers are CP-SAT's alone.
With one worker fewer for the full search, CP-SAT proves fewer classic
shops optimal: ft10 ends at its optimum 930 but unproved at 30 s, where
two workers proved it in 14 s.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dispatch.scheduling import rules, tabu
from dispatch.scheduling.check import violations
from dispatch.scheduling.problem import (
    Assignment,
    Goal,
    Objective,
    Operation,
    Problem,
    Schedule,
    validate,
)

Progress = Callable[[dict[str, Any]], None]

# Time kept back from the limit for reading and checking the answer.
FINISHING_SECONDS = 0.3

# The search runs in phases, each a share of the time left and its own
# CP-SAT parameters; the next phase starts from the best schedule so far.
# Measured with two workers on Brandimarte's flexible instances and on new
# ones of the same kind: after a short full search (which proves the easy
# ones and gives the bound), both workers on large neighbourhood search
# improve the makespan more than CP-SAT's default portfolio, which gives LNS
# only a share of one worker. Classic job shops keep the full search for half
# the time: LNS alone lost to the plain model on new 20x10 job shops, which
# the full search proves optimal within a few seconds, while on 20x15 ones
# the LNS half shortened the makespan by about 1% over the portfolio alone
# (nine runs against three) and on swv01-swv05 took the mean gap from 4.0%
# to 3.2%.
# On a classic job shop with two workers or more, the tabu search (``tabu``)
# takes one worker for the first half while CP-SAT searches fully on the
# others; then all workers run LNS from the best schedule. Measured on new
# 15x10 to 20x15 shops at 10 s (two runs each): the tabu search beside CP-SAT
# for the whole time ended 0.1-0.6% above this split, and the split with a
# full search in place of LNS up to 1.8% above; a 30% share for the tabu
# search was as good on some shops and 1.9% worse on another.
FULL_SEARCH_SECONDS = 3.0
CLASSIC_FULL_SEARCH_SHARE = 0.5
LNS_ONLY = {"use_lns_only": True}
TABU_PHASES = [(0.5, {}), (1.0, LNS_ONLY)]


def phases(
    problem: Problem, time_limit: float, beside_tabu: bool = False
) -> list[tuple[float, dict[str, Any]]]:
    """(share of the time left, CP-SAT parameters) for each phase.

    With ``beside_tabu`` the tabu search takes one worker during the first
    phase.
    """
    if beside_tabu:
        return list(TABU_PHASES)
    flexible = any(len(op.eligible_modes()) > 1 for op in problem.operations())
    if time_limit <= 2 * FULL_SEARCH_SECONDS:
        return [(1.0, {})]
    if not flexible:
        return [(CLASSIC_FULL_SEARCH_SHARE, {}), (1.0, LNS_ONLY)]
    return [(FULL_SEARCH_SECONDS / time_limit, {}), (1.0, LNS_ONLY)]


@dataclass(slots=True)
class Result:
    """The outcome of a solve.

    ``status`` is ``optimal`` (proved), ``feasible`` (the solver's best in
    the time), or ``rule`` (the solver found nothing better than the rule
    named by ``rule``). ``lower_bound`` bounds the objective from below.
    """

    schedule: Schedule
    status: str
    objective: int
    lower_bound: int
    seconds: float
    first_solution_seconds: float
    solutions: int
    rule: str = ""
    rule_costs: dict[str, int] = field(default_factory=dict)
    stopped: bool = False


def solve(
    problem: Problem,
    objective: Objective | None = None,
    time_limit: float = 30.0,
    workers: int = 2,
    on_progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    seed: int = 0,
) -> Result:
    """Schedule the problem, returning the best schedule within the limit.

    Raises ``ProblemError`` for bad input. Preconditions: none beyond a
    valid problem; the solve uses ``workers`` threads.
    """
    objective = objective or Objective()
    started = time.monotonic()
    validate(problem)

    def cost(schedule: Schedule) -> int:
        return schedule.cost(problem, objective)

    if problem.reference and objective.stability:
        # A repair starts from the published schedule, shifted where it must.
        rule_schedules = {rules.Rule.REPAIR: rules.repair(problem)}
    else:
        rule_schedules = {
            rule: rules.dispatch(problem, rule)
            for rule in rules.Rule
            if rule != rules.Rule.REPAIR
        }
    rule_costs = {rule.value: cost(s) for rule, s in rule_schedules.items()}
    best_rule = min(rule_schedules, key=lambda rule: rule_costs[rule.value])
    hint = rule_schedules[best_rule]
    hint_is_valid = not violations(problem, hint)
    first_solution = time.monotonic() - started

    tracker = _Tracker(started, on_progress)
    if hint_is_valid:
        tracker.report(rule_costs[best_rule.value], 0, hint)
    deadline = started + time_limit - FINISHING_SECONDS
    searcher = None
    if deadline - time.monotonic() > 0.05:
        beside_tabu = (
            workers >= 2 and hint_is_valid and tabu.applies(problem, objective)
        )
        plan = phases(problem, deadline - time.monotonic(), beside_tabu)
        if beside_tabu:
            tabu_deadline = time.monotonic() + plan[0][0] * (
                deadline - time.monotonic()
            )
            searcher = _start_tabu(
                problem, objective, hint, tracker, tabu_deadline, seed
            )
        built = _build(problem, objective, hint if hint_is_valid else None)
        for share, settings in plan:
            remaining = deadline - time.monotonic()
            if remaining < 0.05 or tracker.optimal or tracker.stopped:
                break
            if tracker.schedule is not None and tracker.schedule is not hint:
                built.model.clear_hints()
                _add_hint(built.model, problem, built, tracker.schedule)
            phase_limit = remaining if share >= 1 else remaining * share
            _run(
                built,
                problem,
                tracker,
                phase_limit,
                workers - 1 if searcher is not None else workers,
                should_stop,
                seed,
                settings,
            )
            if searcher is not None:
                # The search's share is over: its worker goes back to CP-SAT.
                searcher.join(timeout=tabu.SLICE_SECONDS * 2)
                searcher = None

    with tracker.lock:
        tracker.finished = True
    if tracker.schedule is None:
        return _fallback(problem, started, rule_costs, best_rule, hint, objective)
    status = "optimal" if tracker.optimal else "feasible"
    if tracker.solver_solutions == 0 or tracker.schedule is hint:
        status = "optimal" if tracker.optimal else "rule"
    return Result(
        schedule=tracker.schedule,
        status=status,
        objective=tracker.objective,
        lower_bound=max(tracker.bound, _trivial_bound(problem, objective)),
        seconds=time.monotonic() - started,
        first_solution_seconds=(
            first_solution if hint_is_valid else tracker.first_seconds
        ),
        solutions=tracker.solutions,
        rule=best_rule.value,
        rule_costs=rule_costs,
        stopped=tracker.stopped,
    )


def _start_tabu(
    problem: Problem,
    objective: Objective,
    hint: Schedule,
    tracker: "_Tracker",
    deadline: float,
    seed: int,
) -> threading.Thread:
    """The tabu search on a thread of its own, reporting to the tracker."""
    floor = _trivial_bound(problem, objective)

    def lower_bound() -> int:
        return max(tracker.bound, floor)

    def report(makespan: int, schedule: Schedule) -> None:
        tracker.solver_solutions += 1
        tracker.report(makespan, 0, schedule)
        if makespan <= lower_bound():
            tracker.optimal = True

    def keep_going() -> bool:
        return not (tracker.optimal or tracker.stopped or tracker.finished)

    return tabu.start_thread(
        problem, hint, seed, deadline, report, keep_going, lower_bound
    )


def _fallback(
    problem: Problem,
    started: float,
    rule_costs: dict[str, int],
    best_rule: rules.Rule,
    hint: Schedule,
    objective: Objective,
) -> Result:
    """The rule's schedule when the solver found nothing."""
    return Result(
        schedule=hint,
        status="rule",
        objective=rule_costs[best_rule.value],
        lower_bound=_trivial_bound(problem, objective),
        seconds=time.monotonic() - started,
        first_solution_seconds=time.monotonic() - started,
        solutions=1,
        rule=best_rule.value,
        rule_costs=rule_costs,
    )


def _trivial_bound(problem: Problem, objective: Objective) -> int:
    if objective.goal != Goal.MAKESPAN or objective.stability:
        return 0
    return makespan_lower_bound(problem)


def makespan_lower_bound(problem: Problem) -> int:
    """No job ends before its release plus its shortest operations."""
    return max(
        (
            problem.release_of(job.operations[0])
            + sum(op.shortest for op in job.operations)
            for job in problem.jobs
            if job.operations
        ),
        default=0,
    )


class _Tracker:
    """The best schedule so far, shared by the solver's callback thread."""

    def __init__(self, started: float, on_progress: Progress | None) -> None:
        self.started = started
        self.on_progress = on_progress
        self.schedule: Schedule | None = None
        self.objective = 0
        self.bound = 0
        self.solutions = 0
        self.solver_solutions = 0
        self.first_seconds = 0.0
        self.optimal = False
        self.stopped = False
        # The solve is over; a search beside the solver stops.
        self.finished = False
        # The solver's callback and the tabu search report from two threads.
        self.lock = threading.Lock()

    def report(self, objective: int, bound: int, schedule: Schedule) -> None:
        with self.lock:
            if self.finished:
                return
            if self.schedule is not None and objective >= self.objective:
                return
            if self.schedule is None:
                self.first_seconds = time.monotonic() - self.started
            self.schedule = schedule
            self.objective = objective
            self.bound = max(self.bound, bound)
            self.solutions += 1
            self.progress()

    def progress(self) -> None:
        if self.on_progress is None or self.schedule is None:
            return
        self.on_progress(
            {
                "solutions": self.solutions,
                "objective": self.objective,
                "bound": self.bound,
                "seconds": round(time.monotonic() - self.started, 2),
            }
        )


@dataclass(slots=True)
class _Entry:
    """One way an operation can use a machine."""

    interval: Any
    start: Any
    end: Any
    operation: Operation
    literal: Any | None
    machine: object


@dataclass(slots=True)
class _Built:
    model: Any
    starts: dict[object, Any]
    ends: dict[object, Any]
    presences: dict[object, list[tuple[object, Any]]]
    makespan: Any = None
    tardies: dict[object, Any] = field(default_factory=dict)
    deviations: dict[object, Any] = field(default_factory=dict)
    circuits: list[tuple[list[_Entry], list[tuple[int, int, Any]]]] = field(
        default_factory=list
    )


def _build(problem: Problem, objective: Objective, hint: Schedule | None) -> _Built:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    horizon = _horizon(problem, objective, hint)
    starts: dict[object, Any] = {}
    ends: dict[object, Any] = {}
    presences: dict[object, list[tuple[object, Any]]] = {}
    by_machine: dict[object, list[_Entry]] = {}
    demands: list[Any] = []

    for job in problem.jobs:
        previous_end = None
        for operation in job.operations:
            modes = operation.eligible_modes()
            durations = [mode.duration + operation.setup for mode in modes]
            low = problem.release_of(operation)
            high = max(low, horizon - min(durations))
            if operation.fixed_start is not None:
                low = high = operation.fixed_start
            start = model.new_int_var(low, high, "")
            end = model.new_int_var(low + min(durations), high + max(durations), "")
            starts[operation.id] = start
            ends[operation.id] = end
            literals: list[tuple[object, Any]] = []
            if len(modes) == 1:
                model.add(end == start + durations[0])
                interval = model.new_interval_var(start, durations[0], end, "")
                by_machine.setdefault(modes[0].machine, []).append(
                    _Entry(interval, start, end, operation, None, modes[0].machine)
                )
                literals.append((modes[0].machine, None))
                demands.append(interval)
            else:
                for mode, duration in zip(modes, durations, strict=True):
                    literal = model.new_bool_var("")
                    interval = model.new_optional_fixed_size_interval_var(
                        start, duration, literal, ""
                    )
                    by_machine.setdefault(mode.machine, []).append(
                        _Entry(
                            interval,
                            start,
                            start + duration,
                            operation,
                            literal,
                            mode.machine,
                        )
                    )
                    literals.append((mode.machine, literal))
                model.add_exactly_one(literal for _m, literal in literals)
                duration_var = model.new_int_var_from_domain(
                    cp_model.Domain.from_values(sorted(set(durations))), ""
                )
                model.add(
                    duration_var
                    == sum(
                        duration * literal
                        for duration, (_m, literal) in zip(
                            durations, literals, strict=True
                        )
                    )
                )
                demands.append(model.new_interval_var(start, duration_var, end, ""))
            presences[operation.id] = literals
            if previous_end is not None:
                model.add(start >= previous_end)
            previous_end = end

    built = _Built(model, starts, ends, presences)
    _add_machines(model, problem, by_machine, horizon, built)
    _add_redundant_cumulative(model, problem, demands)
    _add_objective(model, problem, objective, built, horizon)
    if hint is not None:
        _add_hint(model, problem, built, hint)
    return built


def _horizon(problem: Problem, objective: Objective, hint: Schedule | None) -> int:
    """The latest end any operation may have."""
    if hint is not None and objective.goal == Goal.MAKESPAN and not objective.stability:
        return hint.makespan()
    latest_release = max(
        (problem.release_of(op) for op in problem.operations()), default=0
    )
    latest_window = max(
        (
            end
            for windows in problem.unavailable.values()
            for _s, end in windows
            if end < 10**9
        ),
        default=0,
    )
    total = sum(
        max(m.duration for m in op.modes) + op.setup for op in problem.operations()
    )
    safe = (
        max(latest_release, latest_window)
        + total
        + problem.operation_count
        * max([problem.default_changeover, *problem.changeovers.values()])
    )
    if hint is not None:
        return min(safe, max(2 * hint.makespan(), hint.makespan() + total // 10))
    return safe


def _add_machines(
    model: Any,
    problem: Problem,
    by_machine: dict[object, list[_Entry]],
    horizon: int,
    built: _Built,
) -> None:
    for machine, entries in by_machine.items():
        intervals = [entry.interval for entry in entries]
        for window_start, window_end in problem.unavailable.get(machine, []):
            if window_start >= horizon or window_end <= 0:
                continue
            window_start = max(0, window_start)
            window_end = min(window_end, horizon + 1)
            intervals.append(
                model.new_fixed_size_interval_var(
                    window_start, window_end - window_start, ""
                )
            )
        model.add_no_overlap(intervals)
        if problem.has_changeovers:
            arcs = _add_changeovers(model, problem, entries)
            if arcs:
                built.circuits.append((entries, arcs))


def _add_changeovers(
    model: Any, problem: Problem, entries: list["_Entry"]
) -> list[tuple[int, int, Any]]:
    """A circuit through the machine's operations with changeover gaps."""
    families = {entry.operation.family for entry in entries}
    if len(families) < 2:
        return []
    arcs: list[tuple[int, int, Any]] = [(0, 0, model.new_bool_var(""))]
    for index, entry in enumerate(entries, start=1):
        arcs.append((0, index, model.new_bool_var("")))
        arcs.append((index, 0, model.new_bool_var("")))
        if entry.literal is not None:
            arcs.append((index, index, ~entry.literal))
        for other_index, other in enumerate(entries, start=1):
            if other_index == index:
                continue
            gap = problem.changeover(entry.operation.family, other.operation.family)
            arc = model.new_bool_var("")
            arcs.append((index, other_index, arc))
            model.add(other.start >= entry.end + gap).only_enforce_if(arc)
    model.add_circuit(arcs)
    return arcs


def _add_redundant_cumulative(
    model: Any, problem: Problem, demands: list[tuple[Any, int]]
) -> None:
    """All operations together never use more machines than there are.

    Only worth it when operations may choose among machines: in a classic
    job shop each no-overlap already says more.
    """
    if all(len(op.eligible_modes()) == 1 for op in problem.operations()):
        return
    machines = len(problem.machines())
    model.add_cumulative(demands, [1] * len(demands), machines)


def _add_objective(
    model: Any, problem: Problem, objective: Objective, built: _Built, horizon: int
) -> None:
    makespan_weight, tardiness_weight = objective.weights()
    terms = []
    if makespan_weight:
        makespan = model.new_int_var(0, horizon, "makespan")
        for job in problem.jobs:
            if job.operations:
                model.add(makespan >= built.ends[job.operations[-1].id])
        terms.append(makespan_weight * makespan)
        built.makespan = makespan
    if tardiness_weight:
        for job in problem.jobs:
            if job.due is None or not job.operations:
                continue
            tardy = model.new_int_var(0, horizon, "")
            model.add(tardy >= built.ends[job.operations[-1].id] - job.due)
            built.tardies[job.id] = tardy
            terms.append(tardiness_weight * job.weight * tardy)
    if objective.stability and problem.reference:
        for operation_id, before in problem.reference.items():
            start = built.starts.get(operation_id)
            if start is None:
                continue
            deviation = model.new_int_var(0, horizon, "")
            model.add_abs_equality(deviation, start - before.start)
            built.deviations[operation_id] = deviation
            terms.append(objective.stability * deviation)
            for machine, literal in built.presences[operation_id]:
                if machine != before.machine and literal is not None:
                    terms.append(objective.stability * objective.move_penalty * literal)
    model.minimize(sum(terms))


def _add_hint(model: Any, problem: Problem, built: _Built, hint: Schedule) -> None:
    for operation_id, assignment in hint.assignments.items():
        model.add_hint(built.starts[operation_id], assignment.start)
        model.add_hint(built.ends[operation_id], assignment.end)
        for machine, literal in built.presences[operation_id]:
            if literal is not None:
                model.add_hint(literal, int(machine == assignment.machine))
    if built.makespan is not None:
        model.add_hint(built.makespan, hint.makespan())
    jobs = {job.id: job for job in problem.jobs}
    for job_id, tardy in built.tardies.items():
        job = jobs[job_id]
        model.add_hint(tardy, max(0, hint.job_end(job) - (job.due or 0)))
    for operation_id, deviation in built.deviations.items():
        before = problem.reference[operation_id]
        model.add_hint(
            deviation, abs(hint.assignments[operation_id].start - before.start)
        )
    for entries, arcs in built.circuits:
        _hint_circuit(model, hint, entries, arcs)


def _hint_circuit(
    model: Any,
    hint: Schedule,
    entries: list["_Entry"],
    arcs: list[tuple[int, int, Any]],
) -> None:
    present = [
        index
        for index, entry in enumerate(entries, start=1)
        if hint.assignments[entry.operation.id].machine == entry.machine
    ]
    present.sort(
        key=lambda index: hint.assignments[entries[index - 1].operation.id].start
    )
    successor = dict(zip([0, *present], [*present, 0], strict=True))
    for tail, head, literal in arcs:
        if tail == head and tail != 0:
            value = int(tail not in successor)
        else:
            value = int(successor.get(tail) == head)
        model.add_hint(literal, value)


def _parameters(solver: Any, time_limit: float, workers: int, seed: int) -> None:
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed


def _run(
    built: _Built,
    problem: Problem,
    tracker: _Tracker,
    time_limit: float,
    workers: int,
    should_stop: Callable[[], bool] | None,
    seed: int,
    settings: dict[str, Any],
) -> None:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    _parameters(solver, time_limit, workers, seed)
    for name, value in settings.items():
        setattr(solver.parameters, name, value)

    class Callback(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            tracker.solver_solutions += 1
            objective = round(self.objective_value)
            if tracker.schedule is not None and objective >= tracker.objective:
                # The tabu search may be ahead; it stops at the solver's bound.
                tracker.bound = max(tracker.bound, round(self.best_objective_bound))
                return
            tracker.report(
                objective,
                round(self.best_objective_bound),
                _read(self, problem, built),
            )

    callback = Callback()
    done = threading.Event()
    watcher = threading.Thread(
        target=_watch, args=(solver, should_stop, done, tracker), daemon=True
    )
    watcher.start()
    status = solver.solve(built.model, callback)
    done.set()
    watcher.join()
    if status == cp_model.OPTIMAL:
        tracker.optimal = True
        tracker.bound = tracker.objective
    elif status == cp_model.FEASIBLE:
        tracker.bound = max(tracker.bound, round(solver.best_objective_bound))
    tracker.progress()


def _watch(
    solver: Any,
    should_stop: Callable[[], bool] | None,
    done: threading.Event,
    tracker: _Tracker,
) -> None:
    """Stop the solver when asked to, or when the tabu search hit the bound."""
    while not done.wait(0.5):
        if tracker.optimal:
            solver.stop_search()
            return
        if should_stop is not None and should_stop():
            tracker.stopped = True
            solver.stop_search()
            return


def _read(callback: Any, problem: Problem, built: _Built) -> Schedule:
    assignments = {}
    for operation in problem.operations():
        start = callback.value(built.starts[operation.id])
        end = callback.value(built.ends[operation.id])
        literals = built.presences[operation.id]
        machine = literals[0][0]
        if len(literals) > 1:
            machine = next(
                m for m, literal in literals if callback.boolean_value(literal)
            )
        assignments[operation.id] = Assignment(machine, start, end)
    return Schedule(assignments)
