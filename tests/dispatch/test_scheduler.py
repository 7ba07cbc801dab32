"""The scheduling core: model, rules and checker, without the database."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dispatch.scheduling import instances
from dispatch.scheduling.check import violations
from dispatch.scheduling.model import LNS_ONLY, phases, solve
from dispatch.scheduling.problem import (
    FOREVER,
    Assignment,
    Goal,
    Job,
    Objective,
    Problem,
    ProblemError,
    Schedule,
)
from dispatch.scheduling.rules import Rule, dispatch
from tests.factories.dispatch import BENCHDATA, op


def two_jobs():
    """Two jobs crossing two machines; the optimum is 7."""
    return Problem(
        jobs=[
            Job("A", [op("A1", ("M1", 3)), op("A2", ("M2", 2))]),
            Job("B", [op("B1", ("M2", 4)), op("B2", ("M1", 3))]),
        ]
    )


def test_ft06_is_solved_to_its_optimum_through_the_command():
    # given the classic 6x6 instance
    out = StringIO()

    # when the benchmark command solves it
    call_command(
        "jobshop", f"{BENCHDATA}/jsp/ft06.txt", "--time-limit", "10", stdout=out
    )

    # then it proves the optimum 55 and prints one JSON line
    figures = json.loads(out.getvalue())
    assert figures["makespan"] == 55
    assert figures["lower_bound"] == 55
    assert figures["status"] == "optimal"
    assert figures["operations"] == 36
    assert figures["first_solution_seconds"] < 2


def test_the_command_reads_brandimarte_files():
    out = StringIO()

    call_command(
        "jobshop", f"{BENCHDATA}/fjsp/mk01.fjs", "--time-limit", "5", stdout=out
    )

    figures = json.loads(out.getvalue())
    assert figures["jobs"] == 10
    assert figures["operations"] == 55
    assert figures["status"] in {"optimal", "feasible"}
    assert 40 <= figures["makespan"] <= 44


def test_the_command_refuses_a_file_that_is_not_an_instance(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("2 2\n0 3 1\n")

    with pytest.raises(CommandError):
        call_command("jobshop", str(bad), stdout=StringIO())


def test_a_small_job_shop_reaches_its_optimum():
    result = solve(two_jobs(), time_limit=5)

    assert result.status == "optimal"
    assert result.schedule.makespan() == 7
    assert violations(two_jobs(), result.schedule) == []


def test_precedence_and_alternative_machines_are_respected():
    # given an operation that may run on a slow or a fast machine
    problem = Problem(
        jobs=[
            Job("A", [op("A1", ("M1", 2)), op("A2", ("M2", 10), ("M3", 3))]),
            Job("B", [op("B1", ("M1", 2)), op("B2", ("M3", 3), ("M2", 9))]),
        ]
    )

    # when solved
    schedule = solve(problem, time_limit=5).schedule

    # then each second operation starts after its first, on an eligible machine
    assert violations(problem, schedule) == []
    for job in "AB":
        assert (
            schedule.assignments[f"{job}2"].start >= schedule.assignments[f"{job}1"].end
        )
    assert schedule.makespan() == 8


def test_unavailable_windows_are_never_used():
    # given a machine down from 2 to 10 and a job of 3 on it
    problem = Problem(
        jobs=[Job("A", [op("A1", ("M1", 1)), op("A2", ("M1", 3))])],
        unavailable={"M1": [(2, 10)]},
    )

    schedule = solve(problem, time_limit=5).schedule

    # then the second operation waits until the machine is back
    assert schedule.assignments["A2"].start == 10
    assert violations(problem, schedule) == []


def test_locked_and_started_operations_keep_machine_and_start():
    # given B1 locked late on M2 and A2 moved by a supervisor to M3
    problem = Problem(
        jobs=[
            Job("A", [op("A1", ("M1", 2)), op("A2", ("M2", 2), ("M3", 5))]),
            Job("B", [op("B1", ("M2", 3), fixed_machine="M2", fixed_start=20)]),
        ]
    )
    problem.jobs[0].operations[1].fixed_machine = "M3"

    schedule = solve(problem, time_limit=5).schedule

    assert schedule.assignments["B1"] == Assignment("M2", 20, 23)
    assert schedule.assignments["A2"].machine == "M3"
    assert violations(problem, schedule) == []


def test_release_dates_delay_the_start():
    problem = Problem(jobs=[Job("A", [op("A1", ("M1", 2), release=7)])])

    schedule = solve(problem, time_limit=5).schedule

    assert schedule.assignments["A1"].start == 7


def test_weighted_tardiness_runs_the_urgent_heavy_order_first():
    # given two orders for one machine, the heavy one due early
    problem = Problem(
        jobs=[
            Job("light", [op("L", ("M1", 5))], due=5, weight=1),
            Job("heavy", [op("H", ("M1", 5))], due=5, weight=5),
        ]
    )

    result = solve(problem, Objective(goal=Goal.TARDINESS), time_limit=5)

    assert result.schedule.assignments["H"].start == 0
    assert result.objective == 5


def test_changeovers_group_operations_of_one_family():
    # given four single-operation jobs of two alternating families
    problem = Problem(
        jobs=[
            Job(name, [op(name, ("M1", 2), family=family)])
            for name, family in [("a", "X"), ("b", "Y"), ("c", "X"), ("d", "Y")]
        ],
        default_changeover=10,
    )

    schedule = solve(problem, time_limit=5).schedule

    # then one changeover is enough
    assert schedule.makespan() == 18
    assert violations(problem, schedule) == []


def test_stability_keeps_the_reference_schedule_when_nothing_changed():
    problem = two_jobs()
    first = solve(problem, time_limit=5).schedule
    problem.reference = dict(first.assignments)

    again = solve(problem, Objective(stability=1), time_limit=5).schedule

    assert again.assignments == first.assignments


def test_every_rule_gives_a_feasible_schedule():
    problem = instances.read(f"{BENCHDATA}/fjsp/mk02.fjs")

    for rule in Rule:
        assert violations(problem, dispatch(problem, rule)) == []


def test_the_best_rule_is_the_answer_when_the_solver_has_no_time():
    problem = instances.read(f"{BENCHDATA}/jsp/ft10.txt")

    result = solve(problem, time_limit=0.01)

    assert result.status == "rule"
    assert result.objective == min(result.rule_costs.values())
    assert violations(problem, result.schedule) == []


def test_a_synthetic_plant_with_calendars_is_feasible():
    problem = instances.synthetic(120, 10)

    result = solve(problem, Objective(goal=Goal.MIX), time_limit=3)

    assert violations(problem, result.schedule) == []
    assert result.first_solution_seconds < 2


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        (Problem(jobs=[Job("A", [op("A1")])]), "no eligible machine"),
        (Problem(jobs=[Job("A", [op("A1", ("M1", 0))])]), "zero or below"),
        (
            Problem(
                jobs=[Job("A", [op("A1", ("M1", 5))])],
                unavailable={"M1": [(0, 3), (6, FOREVER)]},
            ),
            "does not fit in the working time",
        ),
        (
            Problem(
                jobs=[
                    Job("A", [op("A1", ("M1", 5), fixed_machine="M1", fixed_start=0)]),
                    Job("B", [op("B1", ("M1", 5), fixed_machine="M1", fixed_start=3)]),
                ]
            ),
            "overlapping times",
        ),
    ],
)
def test_bad_problems_are_refused_with_a_clear_message(problem, message):
    with pytest.raises(ProblemError) as refused:
        solve(problem, time_limit=1)

    assert message in str(refused.value)


def test_the_checker_finds_overlaps_and_broken_precedence():
    problem = two_jobs()
    schedule = Schedule(
        {
            "A1": Assignment("M1", 0, 3),
            "A2": Assignment("M2", 1, 3),
            "B1": Assignment("M2", 0, 4),
            "B2": Assignment("M1", 4, 7),
        }
    )

    found = violations(problem, schedule)

    assert any("before its predecessor" in message for message in found)


def test_classic_job_shops_keep_the_full_search_for_half_the_limit():
    # given a large classic job shop and a flexible one
    classic = instances.read(f"{BENCHDATA}/jsp/swv01.txt")
    flexible = instances.read(f"{BENCHDATA}/fjsp/mk10.fjs")

    # when the search is split into phases for 30 s
    classic_phases = phases(classic, 30)
    flexible_phases = phases(flexible, 30)

    # then the classic one searches fully for half the time, the flexible one
    # for a short while, and both end on LNS
    assert classic_phases == [(0.5, {}), (1.0, LNS_ONLY)]
    assert flexible_phases[0][1] == {}
    assert flexible_phases[-1] == (1.0, LNS_ONLY)
