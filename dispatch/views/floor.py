"""The supervisor's board, dispatch lists and exceptions."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dispatch import queries, services
from dispatch.forms import ResolveForm
from dispatch.models import ProductionException
from dispatch.views import BOARD_ROLES, SUPERVISOR_ROLES
from equipment.models import Machine, WorkCenter
from mes.lib.fragments import render_rows
from mes.roles import has_role, role_required

BOARD_ROW = "dispatch/partials/board_row.html"


@role_required(*BOARD_ROLES)
def board(request: HttpRequest) -> HttpResponse:
    """All work centers live; htmx refreshes the ``board`` partial."""
    list_url = reverse("dispatch:dispatch-list")
    work_centers = [
        (center, render_rows(BOARD_ROW, center.machines, dispatch_list_url=list_url))
        for center in queries.board()
    ]
    context = {
        "work_centers": work_centers,
        "exceptions": queries.open_exceptions(),
        "can_act": has_role(request.user, *SUPERVISOR_ROLES),
    }
    template = "dispatch/board.html#board" if request.htmx else "dispatch/board.html"
    return render(request, template, context)


@role_required(*BOARD_ROLES)
def dispatch_list(request: HttpRequest) -> HttpResponse:
    """What each work center or machine runs next (派工单)."""
    machine = work_center = None
    if request.GET.get("machine", "").isdigit():
        machine = get_object_or_404(Machine, pk=request.GET["machine"])
    if request.GET.get("work_center", "").isdigit():
        work_center = get_object_or_404(WorkCenter, pk=request.GET["work_center"])
    context = {
        "jobs": queries.dispatch_list(machine=machine, work_center=work_center),
        "machine": machine,
        "work_center": work_center,
        "work_centers": WorkCenter.objects.filter(is_active=True),
        "machines": Machine.objects.filter(is_active=True),
        "version": queries.published(),
    }
    return render(request, "dispatch/dispatch_list.html", context)


@role_required(*BOARD_ROLES)
def exceptions(request: HttpRequest) -> HttpResponse:
    context = {
        "exceptions": queries.recent_exceptions(),
        "form": ResolveForm(),
        "can_act": has_role(request.user, *SUPERVISOR_ROLES),
    }
    return render(request, "dispatch/exceptions.html", context)


@require_POST
@role_required(*SUPERVISOR_ROLES)
def exception_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    exception = get_object_or_404(ProductionException, pk=pk)
    try:
        services.acknowledge_exception(exception, request.user)
        messages.success(request, _("Exception acknowledged."))
    except services.DispatchError as error:
        messages.error(request, error.messages[0])
    target = "dispatch:board" if request.POST.get("next") == "board" else None
    return redirect(target or "dispatch:exceptions")


@require_POST
@role_required(*SUPERVISOR_ROLES)
def exception_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    exception = get_object_or_404(ProductionException, pk=pk)
    form = ResolveForm(request.POST)
    try:
        if not form.is_valid():
            raise services.DispatchError(
                _("Say what was done to resolve the exception.")
            )
        services.resolve_exception(
            exception, request.user, form.cleaned_data["resolution"]
        )
        messages.success(request, _("Exception resolved."))
    except services.DispatchError as error:
        messages.error(request, error.messages[0])
    return redirect("dispatch:exceptions")
