"""Benchmark instances as scheduling problems, and a synthetic plant.

``read`` understands the standard job-shop text format (first line: jobs and
machines; then one line per job of machine index and duration pairs) and
Brandimarte's flexible job-shop ``.fjs`` format (per job: the number of
operations, then per operation the number of eligible machines and that many
machine (from 1) and duration pairs). Both become a ``Problem`` like the
plant's, so the benchmark measures the scheduler the MES uses.

``job_shop``, ``flexible_job_shop`` and ``unseen`` make new instances of the
same families, deterministic by seed, for checking that what was measured on
the published instances holds on instances nobody tuned for.

Limitations: the generators draw uniformly within the published families'
sizes and ranges; they do not reproduce the published generators' random
streams (Taillard's, Brandimarte's), so an instance never equals a published
one, and nothing makes a generated instance hard on purpose.
"""

import random
from dataclasses import dataclass
from pathlib import Path

from dispatch.scheduling.problem import Job, Mode, Operation, Problem

SHIFT_MINUTES = 16 * 60
DAY_MINUTES = 24 * 60

# Classic job shops of the published sizes, with their processing time
# ranges: Lawrence's (la01-la25) 5 to 99, Storer, Wu and Vaccari's 1 to 100.
JOB_SHOP_SIZES = (
    (10, 5, 5, 99),
    (15, 5, 5, 99),
    (20, 5, 5, 99),
    (10, 10, 5, 99),
    (15, 10, 5, 99),
    (20, 10, 1, 100),
    (20, 15, 1, 100),
)


@dataclass(frozen=True, slots=True)
class FlexibleProfile:
    """The ranges of one of Brandimarte's instances, as found in its file."""

    name: str
    jobs: int
    machines: int
    operations: tuple[int, int]
    eligible: tuple[int, int]
    durations: tuple[int, int]


# Read off benchdata/fjsp/mk01-mk10 (mk06 uses 10 of its 15 machines).
BRANDIMARTE_PROFILES = (
    FlexibleProfile("mk01", 10, 6, (5, 6), (1, 3), (1, 6)),
    FlexibleProfile("mk02", 10, 6, (5, 6), (1, 6), (1, 6)),
    FlexibleProfile("mk03", 15, 8, (10, 10), (1, 5), (1, 19)),
    FlexibleProfile("mk04", 15, 8, (3, 9), (1, 3), (1, 9)),
    FlexibleProfile("mk05", 15, 4, (5, 9), (1, 2), (5, 9)),
    FlexibleProfile("mk06", 10, 10, (15, 15), (2, 5), (1, 9)),
    FlexibleProfile("mk07", 20, 5, (5, 5), (1, 5), (1, 19)),
    FlexibleProfile("mk08", 20, 10, (10, 14), (1, 2), (5, 19)),
    FlexibleProfile("mk09", 20, 10, (10, 14), (1, 5), (5, 19)),
    FlexibleProfile("mk10", 20, 15, (10, 14), (1, 5), (5, 19)),
)

FAMILIES = ("jsp", "fjsp")


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


def job_shop(
    jobs: int, machines: int, seed: int, shortest: int = 1, longest: int = 99
) -> Problem:
    """A classic job shop: every job visits every machine once, in random order.

    Processing times are uniform in ``shortest..longest``, as in Taillard's
    and Lawrence's generators.
    """
    generator = random.Random(seed)
    problem_jobs = []
    for job_index in range(jobs):
        order = generator.sample(range(machines), k=machines)
        operations = [
            Operation(
                id=(job_index, step),
                modes=(Mode(machine, generator.randint(shortest, longest)),),
            )
            for step, machine in enumerate(order)
        ]
        problem_jobs.append(Job(id=job_index, operations=operations))
    return Problem(jobs=problem_jobs, name=f"jsp-{jobs}x{machines}-{seed}")


def flexible_job_shop(profile: FlexibleProfile, seed: int) -> Problem:
    """A flexible job shop drawn within the ranges of one of Brandimarte's.

    Each job gets a number of operations, each operation a number of distinct
    eligible machines and each of those its own processing time, all uniform
    in the profile's ranges.
    """
    generator = random.Random(seed)
    jobs = []
    for job_index in range(profile.jobs):
        operations = []
        for step in range(generator.randint(*profile.operations)):
            eligible = generator.sample(
                range(profile.machines), k=generator.randint(*profile.eligible)
            )
            modes = tuple(
                Mode(machine, generator.randint(*profile.durations))
                for machine in sorted(eligible)
            )
            operations.append(Operation(id=(job_index, step), modes=modes))
        jobs.append(Job(id=job_index, operations=operations))
    return Problem(jobs=jobs, name=f"fjsp-{profile.name}-{seed}")


def unseen(family: str, count: int, seed: int = 1) -> list[Problem]:
    """``count`` new instances of a family (``jsp`` or ``fjsp``).

    The sizes (or Brandimarte's profiles) are taken in turn, so a dozen
    instances cover them all; instance ``i`` uses the seed
    ``1000 * seed + i``, so the same arguments give the same instances.
    """
    if family not in FAMILIES:
        raise InstanceError(f"unknown family {family!r}; use one of {FAMILIES}")
    problems = []
    for index in range(count):
        instance_seed = 1000 * seed + index
        if family == "jsp":
            jobs, machines, shortest, longest = JOB_SHOP_SIZES[
                index % len(JOB_SHOP_SIZES)
            ]
            problems.append(job_shop(jobs, machines, instance_seed, shortest, longest))
        else:
            profile = BRANDIMARTE_PROFILES[index % len(BRANDIMARTE_PROFILES)]
            problems.append(flexible_job_shop(profile, instance_seed))
    return problems


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
