"""The scheduler's yardstick: a plain model, unseen instances, the comparison."""

import json
from io import StringIO

from django.core.management import call_command

from dispatch.scheduling import instances, plain
from dispatch.scheduling.check import violations
from tests.factories.dispatch import BENCHDATA


def test_the_plain_model_solves_ft06_to_its_optimum():
    # given the classic 6x6 instance
    problem = instances.read(f"{BENCHDATA}/jsp/ft06.txt")

    # when the plain model solves it
    result = plain.solve(problem, time_limit=5, workers=2)

    # then it proves the optimum 55 with a feasible schedule
    assert result.status == "optimal"
    assert result.makespan == 55
    assert result.schedule is not None
    assert violations(problem, result.schedule) == []


def test_the_plain_model_chooses_one_machine_per_flexible_operation():
    problem = instances.read(f"{BENCHDATA}/fjsp/mk01.fjs")

    result = plain.solve(problem, time_limit=2, workers=2)

    assert result.schedule is not None
    assert violations(problem, result.schedule) == []
    assert result.makespan == result.schedule.makespan()


def test_the_generator_gives_the_same_instances_for_the_same_seed():
    # given two draws with one seed and one with another
    first = instances.unseen("fjsp", 3, seed=7)
    again = instances.unseen("fjsp", 3, seed=7)
    other = instances.unseen("fjsp", 3, seed=8)

    # then the first two are equal and the third differs
    def shape(problems):
        return [
            [[op.modes for op in job.operations] for job in problem.jobs]
            for problem in problems
        ]

    assert shape(first) == shape(again)
    assert [p.name for p in first] == [p.name for p in again]
    assert shape(first) != shape(other)


def test_generated_job_shops_visit_every_machine_once_per_job():
    # given a dozen classic job shops, every published size at least once
    problems = instances.unseen("jsp", 12, seed=3)

    # then each job visits each machine exactly once, in the size's time range
    sizes = {
        (jobs, machines) for jobs, machines, _low, _high in instances.JOB_SHOP_SIZES
    }
    assert {(len(p.jobs), len(p.machines())) for p in problems} == sizes
    for problem, (jobs, machines, shortest, longest) in zip(
        problems, instances.JOB_SHOP_SIZES * 2, strict=False
    ):
        assert len(problem.jobs) == jobs
        for job in problem.jobs:
            visited = [op.modes[0].machine for op in job.operations]
            assert sorted(visited) == list(range(machines))
            assert all(
                shortest <= op.modes[0].duration <= longest for op in job.operations
            )


def test_generated_flexible_job_shops_stay_in_brandimarte_ranges():
    # given one flexible instance per Brandimarte profile
    problems = instances.unseen("fjsp", len(instances.BRANDIMARTE_PROFILES), seed=5)

    # then jobs, operations, eligible machines and durations are in range
    for problem, profile in zip(problems, instances.BRANDIMARTE_PROFILES, strict=True):
        assert len(problem.jobs) == profile.jobs
        for job in problem.jobs:
            low, high = profile.operations
            assert low <= len(job.operations) <= high
            for operation in job.operations:
                machines = [mode.machine for mode in operation.modes]
                assert len(set(machines)) == len(machines)
                assert profile.eligible[0] <= len(machines) <= profile.eligible[1]
                assert all(0 <= m < profile.machines for m in machines)
                assert all(
                    profile.durations[0] <= mode.duration <= profile.durations[1]
                    for mode in operation.modes
                )


def test_the_comparison_runs_end_to_end_and_prints_one_summary():
    # given two small generated job shops and a one-second limit
    out, err = StringIO(), StringIO()

    # when the comparison runs
    call_command(
        "jobshop_compare",
        "--families",
        "jsp",
        "--per-family",
        "2",
        "--time-limit",
        "1",
        stdout=out,
        stderr=err,
    )

    # then it prints a progress line per instance and one JSON summary
    progress = [json.loads(line) for line in err.getvalue().splitlines()]
    assert [row["family"] for row in progress] == ["jsp", "jsp"]
    summary = json.loads(out.getvalue())
    assert summary["instances"] == 2
    assert summary["time_limit"] == 1
    assert summary["workers"] == 2
    assert summary["ours_better"] + summary["equal"] + summary["plain_better"] == 2
    assert summary["plain_better"] == 0
    assert summary["infeasible"] == 0
    assert summary["mean_improvement_percent"] is not None
    assert set(summary["worst"]) == {"instance", "ours", "plain"}
    assert set(summary["families"]) == {"jsp"}
    assert summary["families"]["jsp"]["instances"] == 2
