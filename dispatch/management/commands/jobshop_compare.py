"""Compare the MES scheduler with a plain CP-SAT model on unseen instances."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dispatch.scheduling import instances, plain, tabu
from dispatch.scheduling.check import violations
from dispatch.scheduling.model import solve
from dispatch.scheduling.problem import Objective, Problem


class Command(BaseCommand):
    help = (
        "Generate new job-shop (jsp) and Brandimarte-like flexible (fjsp) "
        "instances, solve each with the MES scheduler and with a plain CP-SAT "
        "model under the same time limit and workers, and print one progress "
        "line per instance to stderr and one JSON summary line. Run it after "
        "changing the scheduler, on a quiet machine: it exits non-zero when "
        "the scheduler is worse than the plain model on any instance or "
        "either schedule is infeasible."
    )
    # The benchmark needs no database, so it runs while the plant is down.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--per-family",
            type=int,
            default=10,
            help="instances generated for each family (default 10)",
        )
        parser.add_argument(
            "--families",
            default="jsp,fjsp",
            help="comma-separated families to generate (default jsp,fjsp)",
        )
        parser.add_argument("--time-limit", type=float, default=10.0)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="instance seed; the solvers always use seed 0",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = self._problems(options)
        # Load (on a new machine, compile) the tabu search before the clock
        # starts, as a scheduling worker has it loaded.
        tabu.warm_up()
        rows = []
        for problem, family in problems:
            row = self._compare(problem, family, options)
            # Progress lines are data, not errors: no red on a terminal.
            self.stderr.write(json.dumps(row), style_func=str)
            rows.append(row)

        summary = _summary(rows, options)
        self.stdout.write(json.dumps(summary))
        infeasible = [row["instance"] for row in rows if row["infeasible"]]
        if infeasible:
            raise CommandError(f"infeasible schedules on {', '.join(infeasible)}")
        if summary["plain_better"]:
            worst = summary["worst"]
            raise CommandError(
                f"the plain model is better on {summary['plain_better']} "
                f"instance(s), worst {worst['instance']}: "
                f"{worst['ours']} against {worst['plain']}"
            )

    def _problems(self, options: dict[str, Any]) -> list[tuple[Problem, str]]:
        families = [name.strip() for name in options["families"].split(",")]
        try:
            return [
                (problem, family)
                for family in families
                for problem in instances.unseen(
                    family, options["per_family"], options["seed"]
                )
            ]
        except instances.InstanceError as error:
            raise CommandError(str(error)) from None

    def _compare(
        self, problem: Problem, family: str, options: dict[str, Any]
    ) -> dict[str, Any]:
        time_limit, workers = options["time_limit"], options["workers"]
        ours = solve(problem, Objective(), time_limit=time_limit, workers=workers)
        theirs = plain.solve(problem, time_limit=time_limit, workers=workers)

        broken = violations(problem, ours.schedule)
        if theirs.schedule is not None:
            broken += violations(problem, theirs.schedule)
        ours_makespan = ours.schedule.makespan()
        # A plain model that found nothing in the time loses to any schedule.
        plain_makespan = theirs.makespan
        return {
            "instance": problem.name,
            "family": family,
            "operations": problem.operation_count,
            "ours": ours_makespan,
            "ours_status": ours.status,
            "ours_seconds": round(ours.seconds, 2),
            "plain": plain_makespan,
            "plain_status": theirs.status,
            "plain_seconds": round(theirs.seconds, 2),
            "lower_bound": max(ours.lower_bound, theirs.lower_bound),
            "improvement_percent": _improvement(ours_makespan, plain_makespan),
            "infeasible": bool(broken),
        }


def _improvement(ours: int, plain_makespan: int | None) -> float | None:
    """How much shorter ours is, in percent of the plain makespan."""
    if plain_makespan is None:
        return None
    return round(100 * (plain_makespan - ours) / plain_makespan, 2)


def _summary(rows: list[dict[str, Any]], options: dict[str, Any]) -> dict[str, Any]:
    def worse(row: dict[str, Any]) -> bool:
        return row["plain"] is not None and row["ours"] > row["plain"]

    improvements = [
        row["improvement_percent"]
        for row in rows
        if row["improvement_percent"] is not None
    ]
    # The worst case is the one where ours gains least (or loses most).
    worst = min(
        rows,
        key=lambda row: (
            row["improvement_percent"]
            if row["improvement_percent"] is not None
            else float("inf")
        ),
        default=None,
    )
    families: dict[str, list[float]] = {}
    for row in rows:
        if row["improvement_percent"] is not None:
            families.setdefault(row["family"], []).append(row["improvement_percent"])
    return {
        "instances": len(rows),
        "time_limit": options["time_limit"],
        "workers": options["workers"],
        "ours_better": sum(
            1 for row in rows if row["plain"] is None or row["ours"] < row["plain"]
        ),
        "equal": sum(1 for row in rows if row["ours"] == row["plain"]),
        "plain_better": sum(1 for row in rows if worse(row)),
        "infeasible": sum(1 for row in rows if row["infeasible"]),
        "mean_improvement_percent": _mean(improvements),
        "worst": (
            {
                "instance": worst["instance"],
                "ours": worst["ours"],
                "plain": worst["plain"],
            }
            if worst
            else None
        ),
        "families": {
            family: {
                "instances": len(values),
                "mean_improvement_percent": _mean(values),
            }
            for family, values in families.items()
        },
    }


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None
