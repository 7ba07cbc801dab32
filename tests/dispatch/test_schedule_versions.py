"""Scheduling the plant: runs, versions, compare and publish, locks."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dispatch import execution, services
from dispatch.models import (
    Method,
    OperationLock,
    RunStatus,
    ScheduledOperation,
    ScheduleRun,
    ScheduleVersion,
    VersionStatus,
)
from dispatch.planner import build_problem
from dispatch.scheduling.check import violations
from equipment.services import report_fault
from planning.models import WorkOrderOperationMachine
from tests.factories.dispatch import (
    issue_materials,
    make_released_order,
    operations_of,
    publish_schedule,
)
from tests.factories.equipment import make_shift_pattern


def run_now(actor, method=Method.SOLVER, time_limit=3, **options):
    run = services.request_run(actor, method=method, time_limit=time_limit, **options)
    return services.execute_run(run.pk), ScheduleRun.objects.get(pk=run.pk)


@pytest.mark.django_db
def test_a_run_schedules_every_open_operation_into_a_draft(supervisor):
    # given two released orders of two operations each
    orders = [make_released_order(), make_released_order()]

    # when the scheduler runs
    version, run = run_now(supervisor)

    # then a draft holds all four operations, in order and on eligible machines
    assert run.status == RunStatus.FINISHED
    assert version.status == VersionStatus.DRAFT
    assert set(run.rule_objectives) == {"edd", "spt", "fifo"}
    assert run.objective <= min(run.rule_objectives.values())
    entries = {e.operation_id: e for e in version.entries.all()}
    for order in orders:
        first, second = operations_of(order)
        assert entries[second.pk].start >= entries[first.pk].end
        eligible = WorkOrderOperationMachine.objects.filter(operation=first)
        assert entries[first.pk].machine_id in {e.machine_id for e in eligible}


@pytest.mark.django_db
def test_every_rule_can_make_a_version(supervisor):
    make_released_order()

    for method in (Method.EDD, Method.SPT, Method.FIFO):
        version, _run = run_now(supervisor, method=method)
        assert version.method == method


@pytest.mark.django_db
def test_a_run_with_nothing_to_schedule_fails_with_a_reason(supervisor):
    version, run = run_now(supervisor)

    assert version is None
    assert run.status == RunStatus.FAILED
    assert "no open operations" in run.message


@pytest.mark.django_db
def test_calendars_keep_operations_inside_shifts(supervisor):
    # given machines that work 08:00-16:00 on weekdays only
    order = make_released_order()
    pattern = make_shift_pattern([("Day", "12345", "08:00", "16:00")])
    for operation in operations_of(order):
        for eligible in operation.eligible_machines.select_related("machine"):
            eligible.machine.shift_pattern = pattern
            eligible.machine.save()

    # when scheduled
    plant = build_problem()
    version, _run = run_now(supervisor)

    # then no operation touches unavailable time
    for entry in version.entries.all():
        local_start = timezone.localtime(entry.start)
        local_end = timezone.localtime(entry.end)
        assert local_start.weekday() < 5
        assert 8 <= local_start.hour < 16
        assert local_end.date() == local_start.date()
        assert local_end.hour < 16 or (local_end.hour == 16 and local_end.minute == 0)
    assert plant.problem.unavailable


@pytest.mark.django_db
def test_a_machine_that_is_down_gets_no_work_now(supervisor):
    # given an operation with one machine, which is down
    order = make_released_order()
    first = operations_of(order)[0]
    eligible = list(first.eligible_machines.all())
    eligible[1].delete()
    machine = eligible[0].machine
    report_fault(machine, "Hydraulics leak", supervisor, machine_stopped=True)

    version, _run = run_now(supervisor)

    entry = version.entries.get(operation=first)
    assert entry.start >= timezone.now() + timedelta(minutes=50)


@pytest.mark.django_db
def test_locks_and_moves_are_kept_by_the_next_run(supervisor):
    # given a published schedule, one operation locked and one moved
    order = make_released_order()
    first, second = operations_of(order)
    published = publish_schedule(supervisor)
    planned = published.entries.get(operation=first)
    services.lock_operation(first, planned.machine, planned.start, supervisor)
    other = second.eligible_machines.exclude(
        machine=published.entries.get(operation=second).machine
    ).first()
    services.lock_operation(second, other.machine, None, supervisor)

    # when the scheduler runs again
    version, _run = run_now(supervisor)

    # then the lock keeps machine and start, the move keeps the machine
    locked = version.entries.get(operation=first)
    assert (locked.machine_id, locked.start) == (planned.machine_id, planned.start)
    assert locked.is_kept
    assert version.entries.get(operation=second).machine_id == other.machine_id


@pytest.mark.django_db
def test_a_lock_on_a_machine_that_is_not_eligible_is_refused(supervisor, operator):
    order = make_released_order()
    first, second = operations_of(order)
    wrong = second.eligible_machines.first().machine

    with pytest.raises(services.DispatchError, match="not eligible"):
        services.lock_operation(first, wrong, None, supervisor)

    assert not OperationLock.objects.exists()


@pytest.mark.django_db
def test_two_locks_overlapping_on_one_machine_are_refused(supervisor):
    # given two orders whose first operations share a machine
    first = operations_of(make_released_order())[0]
    machine = first.eligible_machines.first().machine
    other_order = make_released_order()
    other = operations_of(other_order)[0]
    other.eligible_machines.create(
        machine=machine, run_minutes_per_unit=2, duration_minutes=50
    )
    start = timezone.now() + timedelta(hours=1)
    services.lock_operation(first, machine, start, supervisor)

    # when the second is locked on top of it, then it is refused
    with pytest.raises(services.DispatchError, match="overlaps"):
        services.lock_operation(
            other, machine, start + timedelta(minutes=10), supervisor
        )
    assert OperationLock.objects.count() == 1


@pytest.mark.django_db
def test_a_running_operation_keeps_its_machine_and_starts_now(supervisor, operator):
    # given an operation started on its second machine
    order = make_released_order()
    issue_materials(order)
    first = operations_of(order)[0]
    machine = list(first.eligible_machines.all())[1].machine
    execution.start_operation(first, machine, operator)

    version, _run = run_now(supervisor)

    entry = version.entries.get(operation=first)
    assert entry.machine_id == machine.pk
    assert entry.is_kept
    assert abs((entry.start - timezone.now()).total_seconds()) < 120


@pytest.mark.django_db
def test_compare_and_publish(client, supervisor):
    # given a published schedule and a new draft after a move
    order = make_released_order()
    first = operations_of(order)[0]
    published = publish_schedule(supervisor)
    planned = published.entries.get(operation=first)
    other = first.eligible_machines.exclude(machine=planned.machine).first()
    services.lock_operation(first, other.machine, None, supervisor)
    draft, _run = run_now(supervisor)

    # when the supervisor compares it
    client.force_login(supervisor)
    page = client.get(reverse("dispatch:version-detail", args=[draft.pk]))

    # then the moved operation is listed, with lateness and utilisation
    assert page.status_code == 200
    assert first.reference in page.content.decode()
    assert "Utilisation per machine" in page.content.decode()

    # and publishing makes it the only published version, the old one stays
    response = client.post(reverse("dispatch:version-publish", args=[draft.pk]))
    assert response.status_code == 302
    published.refresh_from_db()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert published.status == VersionStatus.SUPERSEDED
    assert ScheduleVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 1


@pytest.mark.django_db
def test_publishing_twice_is_refused(supervisor):
    make_released_order()
    version = publish_schedule(supervisor)

    with pytest.raises(services.DispatchError):
        services.publish_version(version, supervisor)


@pytest.mark.django_db
def test_the_saved_schedule_is_feasible_for_its_problem(supervisor):
    for _ in range(3):
        make_released_order()
    plant = build_problem()

    version, _run = run_now(supervisor)

    assert ScheduledOperation.objects.filter(version=version).count() == 6
    assert plant.problem.operation_count == 6
    assert violations(plant.problem, _schedule_of(version, plant)) == []


def _schedule_of(version, plant):
    from dispatch.scheduling.problem import Assignment, Schedule

    return Schedule(
        {
            entry.operation_id: Assignment(
                entry.machine_id,
                plant.minutes(entry.start),
                plant.minutes(entry.end),
            )
            for entry in version.entries.all()
        }
    )


@pytest.mark.django_db
def test_the_supervisor_starts_a_run_from_the_page(client, supervisor):
    make_released_order()
    client.force_login(supervisor)

    response = client.post(
        reverse("dispatch:run-create"),
        {"goal": "makespan", "method": "edd", "time_limit": "5"},
    )

    run = ScheduleRun.objects.get()
    assert response.url == reverse("dispatch:run-detail", args=[run.pk])
    assert run.method == "edd"


@pytest.mark.django_db
def test_a_bad_time_limit_is_refused(client, supervisor):
    client.force_login(supervisor)

    client.post(
        reverse("dispatch:run-create"),
        {"goal": "makespan", "method": "solver", "time_limit": "0"},
    )

    assert not ScheduleRun.objects.exists()


@pytest.mark.django_db
def test_a_lock_in_unavailable_time_fails_the_run_with_a_clear_reason(supervisor):
    # given an operation locked on a machine that is then stopped by a fault
    order = make_released_order()
    first = operations_of(order)[0]
    machine = first.eligible_machines.first().machine
    services.lock_operation(
        first, machine, timezone.now() + timedelta(minutes=10), supervisor
    )
    report_fault(machine, "Broken belt", supervisor, machine_stopped=True)

    version, run = run_now(supervisor)

    assert version is None
    assert run.status == RunStatus.FAILED
    assert first.reference in run.message and machine.code in run.message


@pytest.mark.django_db
def test_a_running_operation_outside_the_shift_is_still_scheduled(supervisor, operator):
    # given an operation running on a machine whose shifts never cover now
    order = make_released_order()
    issue_materials(order)
    first = operations_of(order)[0]
    machine = first.eligible_machines.first().machine
    now = timezone.localtime()
    closed = (now + timedelta(hours=12)).strftime("%H:00")
    later = (now + timedelta(hours=13)).strftime("%H:00")
    machine.shift_pattern = make_shift_pattern([("Late", "1234567", closed, later)])
    machine.save()
    execution.start_operation(first, machine, operator)

    version, run = run_now(supervisor)

    assert run.status == RunStatus.FINISHED, run.message
    assert version.entries.get(operation=first).is_kept
