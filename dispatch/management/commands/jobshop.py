"""Benchmark the scheduler on a job-shop instance or a synthetic plant."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dispatch.scheduling import instances, tabu
from dispatch.scheduling.check import violations
from dispatch.scheduling.model import makespan_lower_bound, solve
from dispatch.scheduling.problem import Goal, Objective, Problem


class Command(BaseCommand):
    help = (
        "Solve a job-shop instance (standard text format, or Brandimarte .fjs) "
        "or a synthetic plant (--synthetic 2000x50) with the MES scheduler and "
        "print one JSON line of figures. Run it to measure the scheduler's "
        "quality and speed; it exits non-zero when the schedule is infeasible."
    )
    # The benchmark needs no database, so it runs while the plant is down.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="instance file (.txt or .fjs)")
        parser.add_argument("--time-limit", type=float, default=30.0)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--synthetic",
            metavar="OPERATIONSxMACHINES",
            help="solve a generated plant with calendars and due dates instead",
        )
        parser.add_argument(
            "--bounds",
            help="bounds.csv to report the gap to the best known makespan "
            "(default: bounds.csv next to the instance)",
        )
        parser.add_argument(
            "--progress", action="store_true", help="print each improvement to stderr"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problem, goal = self._problem(options)
        # Load (on a new machine, compile) the tabu search before the clock
        # starts, as a scheduling worker has it loaded.
        tabu.warm_up()
        progress = self._progress if options["progress"] else None
        result = solve(
            problem,
            Objective(goal=goal),
            time_limit=options["time_limit"],
            workers=options["workers"],
            on_progress=progress,
            seed=options["seed"],
        )
        broken = violations(problem, result.schedule)
        figures = {
            "instance": problem.name,
            "jobs": len(problem.jobs),
            "machines": len(problem.machines()),
            "operations": problem.operation_count,
            "makespan": result.schedule.makespan(),
            "lower_bound": (
                result.lower_bound
                if goal == Goal.MAKESPAN
                else makespan_lower_bound(problem)
            ),
            "objective": result.objective,
            "status": result.status if not broken else "infeasible",
            "seconds": round(result.seconds, 2),
            "first_solution_seconds": round(result.first_solution_seconds, 3),
            "solutions": result.solutions,
            "best_rule": result.rule,
            "rule_objectives": result.rule_costs,
            "time_limit": options["time_limit"],
            "workers": options["workers"],
        }
        if goal == Goal.MIX:
            figures["weighted_tardiness"] = result.schedule.tardiness(problem)
            figures["objective_lower_bound"] = result.lower_bound
        figures.update(self._gap(problem, options, figures["makespan"]))
        self.stdout.write(json.dumps(figures))
        if broken:
            raise CommandError("; ".join(broken[:5]))

    def _problem(self, options: dict[str, Any]) -> tuple[Problem, Goal]:
        if options["synthetic"]:
            try:
                operations, machines = (
                    int(part) for part in options["synthetic"].lower().split("x")
                )
            except ValueError:
                raise CommandError("--synthetic wants OPERATIONSxMACHINES") from None
            return instances.synthetic(operations, machines), Goal.MIX
        if not options["file"]:
            raise CommandError("Give an instance file or --synthetic.")
        try:
            return instances.read(options["file"]), Goal.MAKESPAN
        except instances.InstanceError as error:
            raise CommandError(str(error)) from None

    def _gap(self, problem: Problem, options: dict[str, Any], makespan: int) -> dict:
        if not options["file"]:
            return {}
        bounds = Path(options["bounds"] or Path(options["file"]).parent / "bounds.csv")
        if not bounds.exists():
            return {}
        for line in bounds.read_text().splitlines()[1:]:
            fields = line.split(",")
            if fields[0] == problem.name:
                best = int(fields[3])
                return {
                    "best_known": best,
                    "gap_percent": round(100 * (makespan - best) / best, 2),
                }
        return {}

    def _progress(self, figures: dict[str, Any]) -> None:
        sys.stderr.write(json.dumps(figures) + "\n")
