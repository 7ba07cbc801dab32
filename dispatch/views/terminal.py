"""The operator's tablet terminal: sign on at a machine and work its queue.

The tablet may be shared: the browser's user opens the terminal, the
operator working at the machine signs on with a badge scan or user and PIN,
and every action is recorded for that operator. Sign-ons are kept per
machine in the session.
"""

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dispatch import execution, queries
from dispatch.forms import PauseForm, ReportForm, SignOnForm
from dispatch.models import ScrapReason
from dispatch.services import DispatchError
from dispatch.views import TERMINAL_ROLES
from equipment.models import Machine
from mes.lib.fragments import render_rows
from mes.roles import role_required
from planning.models import WorkOrderOperation

SESSION_KEY = "dispatch_terminal_operators"
QUEUE_ROW = "dispatch/partials/terminal_queue_row.html"


@role_required(*TERMINAL_ROLES)
def terminal(request: HttpRequest) -> HttpResponse:
    """Choose a machine by touching it or scanning its code."""
    if request.method == "POST":
        code = request.POST.get("scan", "").strip()
        machine = Machine.objects.filter(code__iexact=code, is_active=True).first()
        if machine is None:
            messages.error(
                request, _("No machine has the code “%(code)s”.") % {"code": code}
            )
            return redirect("dispatch:terminal")
        return redirect("dispatch:terminal-machine", machine.pk)
    machines = Machine.objects.filter(is_active=True).select_related("work_center")
    return render(request, "dispatch/terminal.html", {"machines": machines})


def _operator(request: HttpRequest, machine: Machine) -> Any:
    operator_id = request.session.get(SESSION_KEY, {}).get(str(machine.pk))
    if operator_id is None:
        return None
    return get_user_model().objects.filter(pk=operator_id, is_active=True).first()


def _sign_on(request: HttpRequest, machine: Machine, operator: Any) -> None:
    signed = dict(request.session.get(SESSION_KEY, {}))
    signed[str(machine.pk)] = operator.pk
    request.session[SESSION_KEY] = signed


@role_required(*TERMINAL_ROLES)
def machine_queue(request: HttpRequest, pk: int) -> HttpResponse:
    """The machine's queue, or its sign-on when nobody is signed on.

    The scanner field posts a badge code here.
    """
    machine = queries.get_machine(pk)
    if request.method == "POST":
        try:
            operator = execution.sign_on(badge_code=request.POST.get("scan", ""))
        except DispatchError as error:
            messages.error(request, error.messages[0])
        else:
            _sign_on(request, machine, operator)
            messages.success(
                request, _("Signed on: %(name)s") % {"name": _name(operator)}
            )
        return redirect("dispatch:terminal-machine", machine.pk)
    operator = _operator(request, machine)
    jobs = queries.dispatch_list(machine=machine, limit=50) if operator else []
    job_url_prefix = reverse("dispatch:terminal-job", args=[machine.pk, 0])[:-2]
    context = {
        "machine": machine,
        "operator": operator,
        "sign_on_form": SignOnForm(),
        "queue_rows": render_rows(QUEUE_ROW, jobs, job_url_prefix=job_url_prefix),
        "job_url_prefix": job_url_prefix,
        "running": queries.running_job(machine),
    }
    template = "dispatch/terminal_machine.html"
    if request.htmx and operator:
        template += "#queue"
    return render(request, template, context)


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


@require_POST
@role_required(*TERMINAL_ROLES)
def sign_on(request: HttpRequest, pk: int) -> HttpResponse:
    machine = queries.get_machine(pk)
    form = SignOnForm(request.POST)
    try:
        if not form.is_valid():
            raise DispatchError(_("Give your user name and PIN."))
        operator = execution.sign_on(
            username=form.cleaned_data["username"], pin=form.cleaned_data["pin"]
        )
    except DispatchError as error:
        messages.error(request, error.messages[0])
    else:
        _sign_on(request, machine, operator)
        messages.success(request, _("Signed on: %(name)s") % {"name": _name(operator)})
    return redirect("dispatch:terminal-machine", machine.pk)


@require_POST
@role_required(*TERMINAL_ROLES)
def sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    machine = queries.get_machine(pk)
    signed = dict(request.session.get(SESSION_KEY, {}))
    signed.pop(str(machine.pk), None)
    request.session[SESSION_KEY] = signed
    messages.success(request, _("Signed off."))
    return redirect("dispatch:terminal-machine", machine.pk)


def _context(request: HttpRequest, machine_pk: int, operation_pk: int):
    machine = queries.get_machine(machine_pk)
    operation = get_object_or_404(
        WorkOrderOperation.objects.select_related("work_order__product"),
        pk=operation_pk,
    )
    return machine, operation, _operator(request, machine)


@role_required(*TERMINAL_ROLES)
def job(request: HttpRequest, machine_pk: int, pk: int) -> HttpResponse:
    """One operation at the machine; the scanner field consumes a lot."""
    machine, operation, operator = _context(request, machine_pk, pk)
    if operator is None:
        return redirect("dispatch:terminal-machine", machine.pk)
    if request.method == "POST":
        _scan_lot(request, machine, operation, operator)
        return redirect("dispatch:terminal-job", machine.pk, operation.pk)
    running = execution.running_log(machine)
    context = {
        "machine": machine,
        "operation": operation,
        "operator": operator,
        "is_running": running is not None and running.operation_id == operation.pk,
        "machine_busy": running is not None and running.operation_id != operation.pk,
        "pause_form": PauseForm(),
        "report_form": ReportForm(initial={"request_key": secrets.token_hex(16)}),
        "scrap_reasons": ScrapReason.choices,
        "missing": execution.missing_materials(operation),
        "lots": _lots(operation),
    }
    return render(request, "dispatch/terminal_job.html", context)


def _lots(operation: WorkOrderOperation) -> list[Any]:
    from materials.queries import lots_issued_to

    return list(lots_issued_to(operation.reference))


def _scan_lot(request, machine, operation, operator) -> None:
    try:
        lot, quantity = execution.consume_lot(
            operation, machine, operator, request.POST.get("scan", "")
        )
    except DispatchError as error:
        messages.error(request, error.messages[0])
        return
    messages.success(
        request,
        _("Consumed %(quantity)s of lot %(code)s.")
        % {"quantity": quantity.normalize(), "code": lot.code},
    )


def _act(request: HttpRequest, machine_pk: int, pk: int, action) -> HttpResponse:
    machine, operation, operator = _context(request, machine_pk, pk)
    if operator is None:
        messages.error(request, _("Sign on at the machine first."))
        return redirect("dispatch:terminal-machine", machine.pk)
    try:
        text = action(machine, operation, operator)
    except DispatchError as error:
        messages.error(request, error.messages[0])
    else:
        if text:
            messages.success(request, text)
    return redirect("dispatch:terminal-job", machine.pk, operation.pk)


@require_POST
@role_required(*TERMINAL_ROLES)
def job_start(request: HttpRequest, machine_pk: int, pk: int) -> HttpResponse:
    def action(machine, operation, operator):
        execution.start_operation(operation, machine, operator)
        return _("Started %(operation)s.") % {"operation": operation.reference}

    return _act(request, machine_pk, pk, action)


@require_POST
@role_required(*TERMINAL_ROLES)
def job_pause(request: HttpRequest, machine_pk: int, pk: int) -> HttpResponse:
    def action(machine, operation, operator):
        execution.pause_operation(
            operation, machine, operator, request.POST.get("reason", "")
        )
        return _("Paused.")

    return _act(request, machine_pk, pk, action)


@require_POST
@role_required(*TERMINAL_ROLES)
def job_report(request: HttpRequest, machine_pk: int, pk: int) -> HttpResponse:
    def action(machine, operation, operator):
        report, created = execution.report_quantities(
            operation,
            machine,
            operator,
            request.POST.get("good", "0"),
            request.POST.get("scrap", "0"),
            request.POST.get("scrap_reason", ""),
            request.POST.get("request_key", ""),
        )
        if not created:
            return _("This report was already recorded.")
        return _("Reported %(good)s good and %(scrap)s scrap.") % {
            "good": report.good_quantity.normalize(),
            "scrap": report.scrap_quantity.normalize(),
        }

    return _act(request, machine_pk, pk, action)


@require_POST
@role_required(*TERMINAL_ROLES)
def job_complete(request: HttpRequest, machine_pk: int, pk: int) -> HttpResponse:
    machine, operation, operator = _context(request, machine_pk, pk)
    if operator is None:
        return redirect("dispatch:terminal-machine", machine.pk)
    try:
        done = execution.complete_operation(operation, machine, operator)
    except DispatchError as error:
        messages.error(request, error.messages[0])
        return redirect("dispatch:terminal-job", machine.pk, operation.pk)
    if done:
        messages.success(
            request, _("Completed %(operation)s.") % {"operation": operation.reference}
        )
    return redirect("dispatch:terminal-machine", machine.pk)


@require_POST
@role_required(*TERMINAL_ROLES)
def help_call(request: HttpRequest, pk: int) -> HttpResponse:
    """The andon button: tell the supervisors this machine needs help."""
    machine = queries.get_machine(pk)
    operator = _operator(request, machine) or request.user
    running = execution.running_log(machine)
    execution.call_help(machine, operator, running.operation if running else None)
    messages.success(request, _("Help is called. A supervisor is on the way."))
    back = request.POST.get("operation", "")
    if back.isdigit():
        return redirect(reverse("dispatch:terminal-job", args=[machine.pk, int(back)]))
    return redirect("dispatch:terminal-machine", machine.pk)
