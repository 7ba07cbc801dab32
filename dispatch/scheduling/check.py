"""Check a schedule against its problem, independently of how it was made.

Every schedule the scheduler returns goes through ``violations``; an empty
list means it is feasible.
"""

from django.utils.translation import gettext as _

from dispatch.scheduling.problem import Problem, Schedule


def violations(problem: Problem, schedule: Schedule) -> list[str]:
    """Every broken rule of the schedule, as translated sentences."""
    found: list[str] = []
    found.extend(_operation_violations(problem, schedule))
    if found:
        return found
    found.extend(_machine_violations(problem, schedule))
    return found


def _operation_violations(problem: Problem, schedule: Schedule) -> list[str]:
    found: list[str] = []
    for job in problem.jobs:
        previous_end: int | None = None
        for operation in job.operations:
            label = {"operation": operation.label or operation.id}
            assignment = schedule.assignments.get(operation.id)
            if assignment is None:
                found.append(_("Operation %(operation)s is not scheduled.") % label)
                previous_end = None
                continue
            duration = operation.duration_on(assignment.machine)
            if duration is None or (
                operation.fixed_machine is not None
                and assignment.machine != operation.fixed_machine
            ):
                found.append(
                    _("Operation %(operation)s is on a machine it may not use.") % label
                )
            elif assignment.end - assignment.start != duration:
                found.append(
                    _("Operation %(operation)s does not last its duration.") % label
                )
            if assignment.start < problem.release_of(operation):
                found.append(
                    _("Operation %(operation)s starts before its release.") % label
                )
            if (
                operation.fixed_start is not None
                and assignment.start != operation.fixed_start
            ):
                found.append(_("Operation %(operation)s left its kept start.") % label)
            if previous_end is not None and assignment.start < previous_end:
                found.append(
                    _("Operation %(operation)s starts before its predecessor ends.")
                    % label
                )
            previous_end = assignment.end
    return found


def _machine_violations(problem: Problem, schedule: Schedule) -> list[str]:
    found: list[str] = []
    family = {op.id: op.family for op in problem.operations()}
    names = {op.id: op.label or op.id for op in problem.operations()}
    by_machine: dict[object, list[tuple[int, int, object]]] = {}
    for operation_id, assignment in schedule.assignments.items():
        by_machine.setdefault(assignment.machine, []).append(
            (assignment.start, assignment.end, operation_id)
        )
    for machine, spans in by_machine.items():
        spans.sort(key=lambda span: (span[0], span[1]))
        for (_start, end, first), (start, _end, second) in zip(
            spans, spans[1:], strict=False
        ):
            gap = problem.changeover(family[first], family[second])
            if start < end + gap:
                found.append(
                    _(
                        "Operations %(first)s and %(second)s overlap on machine "
                        "%(machine)s."
                    )
                    % {
                        "first": names.get(first, first),
                        "second": names.get(second, second),
                        "machine": problem.machine_label(machine),
                    }
                )
        for window_start, window_end in problem.unavailable.get(machine, []):
            for start, end, operation_id in spans:
                if start < window_end and window_start < end:
                    found.append(
                        _(
                            "Operation %(operation)s runs while machine %(machine)s "
                            "is unavailable."
                        )
                        % {
                            "operation": names.get(operation_id, operation_id),
                            "machine": problem.machine_label(machine),
                        }
                    )
    return found
