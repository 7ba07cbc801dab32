"""Scheduling pages: runs with live progress, versions, Gantt, locks."""

from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dispatch import gantt, queries, services
from dispatch.forms import LockForm, RunForm
from dispatch.models import Method, OperationLock, ScheduledOperation
from dispatch.views import BOARD_ROLES, SUPERVISOR_ROLES
from equipment.models import Machine
from mes.roles import has_role, role_required


@role_required(*BOARD_ROLES)
def schedule(request: HttpRequest) -> HttpResponse:
    """Start a run, watch it, and find the versions it produced."""
    context = {
        "form": RunForm(),
        "active": queries.active_run(),
        "runs": queries.recent_runs(),
        "versions": queries.versions(),
        "published": queries.published(),
        "can_run": has_role(request.user, *SUPERVISOR_ROLES),
    }
    return render(request, "dispatch/schedule.html", context)


@require_POST
@role_required(*SUPERVISOR_ROLES)
def run_create(request: HttpRequest) -> HttpResponse:
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the run settings."))
        return redirect("dispatch:schedule")
    try:
        run = services.request_run(
            request.user,
            goal=form.cleaned_data["goal"],
            method=form.cleaned_data["method"],
            time_limit=form.cleaned_data["time_limit"],
        )
    except services.DispatchError as error:
        messages.error(request, error.messages[0])
        return redirect("dispatch:schedule")
    return redirect("dispatch:run-detail", run.pk)


@role_required(*BOARD_ROLES)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run's live figures; htmx polls the ``progress`` partial."""
    run = queries.get_run(pk)
    progress = services.live_progress(run)
    context = {
        "run": run,
        "progress": progress,
        "time_left": _time_left(run, progress),
        "gap": _gap(progress),
        "rules": [
            (Method(rule).label, cost) for rule, cost in run.rule_objectives.items()
        ],
        "version": getattr(run, "version", None) if not run.is_active else None,
        "can_run": has_role(request.user, *SUPERVISOR_ROLES),
    }
    template = "dispatch/run_detail.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, context)


def _gap(progress) -> float | None:
    objective, bound = progress.get("objective"), progress.get("bound")
    if not objective or bound is None:
        return None
    return round(100 * (objective - bound) / objective, 1)


def _time_left(run, progress) -> int | None:
    if not run.is_active or run.started_at is None:
        return None
    elapsed = (timezone.now() - run.started_at).total_seconds()
    return max(0, int(run.time_limit_seconds - elapsed))


@require_POST
@role_required(*SUPERVISOR_ROLES)
def run_stop(request: HttpRequest, pk: int) -> HttpResponse:
    run = queries.get_run(pk)
    try:
        services.stop_run(run, request.user)
        messages.success(request, _("The run stops and keeps its best schedule."))
    except services.DispatchError as error:
        messages.error(request, error.messages[0])
    return redirect("dispatch:run-detail", run.pk)


@role_required(*BOARD_ROLES)
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A version compared with the published one."""
    version = queries.get_version(pk)
    base = queries.published()
    if base is not None and base.pk == version.pk:
        base = None
    context = {
        "version": version,
        "base": base,
        "comparison": queries.compare(version, base),
        "can_publish": version.can_publish
        and has_role(request.user, *SUPERVISOR_ROLES),
    }
    return render(request, "dispatch/version_detail.html", context)


@require_POST
@role_required(*SUPERVISOR_ROLES)
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = queries.get_version(pk)
    try:
        services.publish_version(version, request.user)
        messages.success(request, _("%(version)s is published.") % {"version": version})
    except services.DispatchError as error:
        messages.error(request, error.messages[0])
    return redirect("dispatch:version-detail", version.pk)


@role_required(*BOARD_ROLES)
def gantt_chart(request: HttpRequest) -> HttpResponse:
    version_id = request.GET.get("version", "")
    version = (
        queries.get_version(int(version_id))
        if version_id.isdigit()
        else queries.published()
    )
    zoom = request.GET.get("zoom") if request.GET.get("zoom") in gantt.ZOOMS else "day"
    group = "order" if request.GET.get("group") == "order" else "machine"
    color = "status" if request.GET.get("color") == "status" else "order"
    start = _start(request.GET.get("start", ""))
    chart = None
    if version is not None:
        chart = gantt.render(version, start=start, zoom=zoom, group=group, color=color)
    context = {
        "version": version,
        "chart": chart,
        "zoom": zoom,
        "group": group,
        "color": color,
    }
    return render(request, "dispatch/gantt.html", context)


def _start(text: str) -> datetime | None:
    day = parse_date(text) if text else None
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


@role_required(*BOARD_ROLES)
def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An operation's plan, with the lock and move form for supervisors."""
    operation = queries.get_operation(pk)
    version = queries.published()
    entry = None
    if version is not None:
        entry = (
            ScheduledOperation.objects.filter(version=version, operation=operation)
            .select_related("machine")
            .first()
        )
    machines = Machine.objects.filter(
        pk__in=operation.eligible_machines.values("machine_id")
    )
    lock = (
        OperationLock.objects.filter(operation=operation)
        .select_related("machine")
        .first()
    )
    form = LockForm(
        machines=machines,
        initial={
            "machine": (lock.machine if lock else entry.machine if entry else None)
        },
    )
    context = {
        "operation": operation,
        "entry": entry,
        "lock": lock,
        "form": form,
        "eligible": operation.eligible_machines.select_related("machine"),
        "work_logs": operation.work_logs.select_related("machine", "operator"),
        "can_lock": has_role(request.user, *SUPERVISOR_ROLES),
    }
    return render(request, "dispatch/operation_detail.html", context)


@require_POST
@role_required(*SUPERVISOR_ROLES)
def operation_lock(request: HttpRequest, pk: int) -> HttpResponse:
    operation = queries.get_operation(pk)
    machines = Machine.objects.filter(
        pk__in=operation.eligible_machines.values("machine_id")
    )
    form = LockForm(request.POST, machines=machines)
    if not form.is_valid():
        messages.error(request, _("Choose one of the eligible machines."))
        return redirect("dispatch:operation-detail", operation.pk)
    start = None
    if form.cleaned_data["keep_start"]:
        start = _planned_start(operation, form.cleaned_data["machine"])
    try:
        services.lock_operation(
            operation, form.cleaned_data["machine"], start, request.user
        )
        messages.success(request, _("The next scheduling run keeps this decision."))
    except services.DispatchError as error:
        messages.error(request, error.messages[0])
    return redirect("dispatch:operation-detail", operation.pk)


def _planned_start(operation, machine) -> datetime | None:
    version = queries.published()
    if version is None:
        return None
    entry = ScheduledOperation.objects.filter(
        version=version, operation=operation
    ).first()
    return entry.start if entry else None


@require_POST
@role_required(*SUPERVISOR_ROLES)
def operation_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    operation = queries.get_operation(pk)
    services.unlock_operation(operation, request.user)
    messages.success(request, _("The operation is free to move again."))
    return redirect("dispatch:operation-detail", operation.pk)
