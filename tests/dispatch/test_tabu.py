"""The tabu search for classic job shops and its place beside CP-SAT."""

import threading

from dispatch.scheduling import instances, model, tabu
from dispatch.scheduling.check import violations
from dispatch.scheduling.problem import (
    Goal,
    Job,
    Objective,
    Problem,
)
from dispatch.scheduling.rules import Rule, dispatch
from tests.factories.dispatch import BENCHDATA, op


def crossing(**fields):
    """Two jobs crossing two machines; the optimum is 7 without releases."""
    return Problem(
        jobs=[
            Job("A", [op("A1", ("M1", 3), **fields), op("A2", ("M2", 2))]),
            Job("B", [op("B1", ("M2", 4)), op("B2", ("M1", 3))]),
        ]
    )


def search_until(problem, target, moves=200_000):
    start = min(
        (dispatch(problem, rule) for rule in Rule if rule != Rule.REPAIR),
        key=lambda schedule: schedule.makespan(),
    )
    search = tabu.Search(problem, start, seed=1)
    while search.best > target and search.moves < moves:
        search.step(2000)
    return search


def test_only_classic_makespan_problems_are_searched():
    classic = crossing()
    flexible = Problem(jobs=[Job("A", [op("A1", ("M1", 3), ("M2", 4))])] * 2)
    calendar = crossing()
    calendar.unavailable = {"M1": [(0, 5)]}
    changeover = crossing()
    changeover.default_changeover = 2
    locked = crossing(fixed_start=0)
    single = Problem(jobs=[Job("A", [op("A1", ("M1", 3))])])

    assert tabu.applies(classic, Objective())
    assert not tabu.applies(classic, Objective(goal=Goal.TARDINESS))
    assert not tabu.applies(classic, Objective(goal=Goal.MIX))
    assert not tabu.applies(flexible, Objective())
    assert not tabu.applies(calendar, Objective())
    assert not tabu.applies(changeover, Objective())
    assert not tabu.applies(locked, Objective())
    assert not tabu.applies(single, Objective())


def test_the_search_reaches_the_optimum_of_ft06_with_a_feasible_schedule():
    # given ft06 (optimum 55) started from the best rule (65)
    problem = instances.read(f"{BENCHDATA}/jsp/ft06.txt")

    # when the search runs
    search = search_until(problem, 55)

    # then it finds the optimum, and its schedule is feasible and as long
    schedule = search.best_schedule()
    assert search.best == 55
    assert schedule.makespan() == 55
    assert violations(problem, schedule) == []


def test_the_search_keeps_releases_and_adds_setups():
    # given a job released at 5 whose first operation needs a setup of 2
    problem = Problem(
        jobs=[
            Job("A", [op("A1", ("M1", 3), setup=2), op("A2", ("M2", 2))], release=5),
            Job("B", [op("B1", ("M2", 4)), op("B2", ("M1", 3))]),
        ]
    )

    # when the search runs
    search = search_until(problem, 0, moves=5000)

    # then nothing starts before its release and A1 takes 5
    schedule = search.best_schedule()
    a1 = schedule.assignments["A1"]
    assert a1.start >= 5
    assert a1.end - a1.start == 5
    assert violations(problem, schedule) == []
    assert search.best == schedule.makespan()


def test_a_larger_shop_improves_on_the_rules_and_stays_feasible():
    # given a new 20x15 shop
    problem = instances.unseen("jsp", 7, seed=1)[6]
    rules_best = min(
        dispatch(problem, rule).makespan() for rule in Rule if rule != Rule.REPAIR
    )

    # when the search makes 20,000 moves
    search = tabu.Search(problem, dispatch(problem, Rule.MWKR), seed=0)
    search.step(20_000)

    # then it is shorter than every rule, and feasible
    schedule = search.best_schedule()
    assert search.best < rules_best
    assert violations(problem, schedule) == []


def test_the_solve_runs_the_search_beside_cp_sat_on_classic_shops(monkeypatch):
    # given a classic shop and a flexible one, and the search's threads seen
    started = []
    start_thread = tabu.start_thread

    def seen(problem, *args):
        started.append(problem.name)
        return start_thread(problem, *args)

    monkeypatch.setattr(tabu, "start_thread", seen)
    classic = instances.read(f"{BENCHDATA}/jsp/ft06.txt")
    flexible = instances.read(f"{BENCHDATA}/fjsp/mk01.fjs")

    # when both are solved with two workers, and the classic one with one
    ours = model.solve(classic, time_limit=10, workers=2)
    model.solve(flexible, time_limit=1, workers=2)
    model.solve(classic, time_limit=1, workers=1)

    # then only the classic shop with two workers had the search beside it,
    # and the answer is the proved optimum
    assert started == ["ft06"]
    assert ours.objective == 55
    assert ours.status == "optimal"
    assert violations(classic, ours.schedule) == []


def test_a_stop_ends_the_search_and_keeps_the_best_schedule():
    # given a 20x15 shop and a stop asked for after the first progress report
    problem = instances.unseen("jsp", 7, seed=1)[6]
    asked = threading.Event()

    # when it is solved with a long limit
    result = model.solve(
        problem,
        time_limit=60,
        workers=2,
        on_progress=lambda figures: asked.set(),
        should_stop=asked.is_set,
    )

    # then the solve stops early with a feasible schedule no worse than the rule
    assert result.stopped
    assert result.objective <= min(result.rule_costs.values())
    assert violations(problem, result.schedule) == []
    # and the search's thread ends too
    for thread in threading.enumerate():
        if thread.name == "tabu-search":
            thread.join(timeout=5)
            assert not thread.is_alive()


def test_the_search_has_the_first_half_then_all_workers_run_lns():
    # given a classic shop solved beside the tabu search
    classic = instances.read(f"{BENCHDATA}/jsp/swv01.txt")

    # when its search is split into phases
    plan = model.phases(classic, 30, beside_tabu=True)

    # then the tabu search's phase is the first half, and LNS ends it
    assert plan == [(0.5, {}), (1.0, model.LNS_ONLY)]


def test_steps_of_one_job_on_one_machine_keep_their_order():
    # given jobs that come back to a machine for two steps in a row
    problem = Problem(
        jobs=[
            Job("A", [op("A1", ("M1", 3)), op("A2", ("M1", 2)), op("A3", ("M2", 4))]),
            Job("B", [op("B1", ("M2", 2)), op("B2", ("M1", 3)), op("B3", ("M1", 1))]),
            Job("C", [op("C1", ("M1", 2)), op("C2", ("M2", 3)), op("C3", ("M2", 2))]),
        ]
    )

    # when the search runs until it has no move left or has made many
    search = search_until(problem, 0, moves=20_000)

    # then its schedule keeps every job's order and is as long as it says
    schedule = search.best_schedule()
    assert violations(problem, schedule) == []
    assert search.best == schedule.makespan()
