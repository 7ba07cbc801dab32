"""Benchmark instances as scheduling problems, and a synthetic plant.

``read`` understands the standard job-shop text format (first line: jobs and
machines; then one line per job of machine index and duration pairs) and
Brandimarte's flexible job-shop ``.fjs`` format (per job: the number of
operations, then per operation the number of eligible machines and that many
machine (from 1) and duration pairs). Both become a ``Problem`` like the
plant's, so the benchmark measures the scheduler the MES uses.
"""

import random
from pathlib import Path

from dispatch.scheduling.problem import Job, Mode, Operation, Problem

SHIFT_MINUTES = 16 * 60
DAY_MINUTES = 24 * 60


class InstanceError(ValueError):
    """The file is not a job-shop instance this reader understands."""


def read(path: str | Path) -> Problem:
    path = Path(path)
    numbers = _numbers(path)
    problem = _flexible(numbers) if path.suffix == ".fjs" else _classic(numbers)
    problem.name = path.stem
    return problem


def _numbers(path: Path) -> list[int]:
    try:
        text = path.read_text()
    except OSError as error:
        raise InstanceError(f"{path}: {error.strerror}") from None
    try:
        return [int(float(token)) for token in text.split()]
    except ValueError:
        raise InstanceError(f"{path}: not a list of numbers") from None


def _classic(numbers: list[int]) -> Problem:
    if len(numbers) < 2:
        raise InstanceError("the first line must give jobs and machines")
    job_count, machine_count = numbers[0], numbers[1]
    expected = 2 + 2 * job_count * machine_count
    if len(numbers) != expected:
        raise InstanceError(f"expected {expected} numbers, found {len(numbers)}")
    position = 2
    jobs = []
    for job_index in range(job_count):
        operations = []
        for step in range(machine_count):
            machine, duration = numbers[position], numbers[position + 1]
            position += 2
            operations.append(
                Operation(id=(job_index, step), modes=(Mode(machine, duration),))
            )
        jobs.append(Job(id=job_index, operations=operations))
    return Problem(jobs=jobs)


def _flexible(numbers: list[int]) -> Problem:
    if len(numbers) < 3:
        raise InstanceError("the first line must give jobs, machines and flexibility")
    job_count = numbers[0]
    position = 3
    jobs = []
    try:
        for job_index in range(job_count):
            operation_count = numbers[position]
            position += 1
            operations = []
            for step in range(operation_count):
                mode_count = numbers[position]
                position += 1
                modes = []
                for _mode in range(mode_count):
                    machine, duration = numbers[position], numbers[position + 1]
                    position += 2
                    modes.append(Mode(machine - 1, duration))
                operations.append(Operation(id=(job_index, step), modes=tuple(modes)))
            jobs.append(Job(id=job_index, operations=operations))
    except IndexError:
        raise InstanceError("the file ends in the middle of a job") from None
    return Problem(jobs=jobs)


def synthetic(
    operation_count: int, machine_count: int, seed: int = 1, families: int = 0
) -> Problem:
    """A plant-sized problem: calendars, due dates, weights, alternatives.

    Orders have 3 to 8 operations, each on one of several machines of a work
    center (groups of 5 machines) with its own duration in minutes; machines
    work two shifts (06:00-22:00) on weekdays; orders are released over the
    first week with due dates a few days after release.
    """
    generator = random.Random(seed)
    centers = [
        list(range(start, min(start + 5, machine_count)))
        for start in range(0, machine_count, 5)
    ]
    jobs = []
    made = 0
    job_index = 0
    while made < operation_count:
        length = min(generator.randint(3, 8), operation_count - made)
        release = generator.randrange(0, 5) * DAY_MINUTES
        family = f"F{generator.randrange(families)}" if families else ""
        operations = []
        for step in range(length):
            center = generator.choice(centers)
            eligible = generator.sample(
                center, k=min(len(center), generator.randint(1, 3))
            )
            base = generator.randint(30, 240)
            modes = tuple(
                Mode(machine, max(1, round(base * generator.uniform(0.8, 1.3))))
                for machine in eligible
            )
            operations.append(
                Operation(
                    id=(job_index, step),
                    modes=modes,
                    setup=generator.choice((0, 15, 30)),
                    family=family,
                )
            )
        due = release + generator.randint(2, 8) * DAY_MINUTES
        jobs.append(
            Job(
                id=job_index,
                operations=operations,
                due=due,
                weight=generator.choice((1, 1, 2, 3)),
                release=release,
            )
        )
        made += length
        job_index += 1
    unavailable = {
        machine: _two_shift_calendar(weeks=6) for machine in range(machine_count)
    }
    return Problem(
        jobs=jobs,
        unavailable=unavailable,
        default_changeover=30 if families else 0,
        name=f"synthetic-{operation_count}x{machine_count}",
    )


def _two_shift_calendar(weeks: int) -> list[tuple[int, int]]:
    """Unavailable windows outside 06:00-22:00 on weekdays, from a Monday."""
    windows = []
    for day in range(weeks * 7):
        day_start = day * DAY_MINUTES
        if day % 7 >= 5:
            windows.append((day_start, day_start + DAY_MINUTES))
            continue
        windows.append((day_start, day_start + 6 * 60))
        windows.append((day_start + 22 * 60, day_start + DAY_MINUTES))
    return windows
