from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from equipment import queries as equipment_queries
from equipment.models import Machine
from mes.roles import Role, role_required

BOARD_ROLES = (Role.SUPERVISOR, Role.PLANNER, Role.ADMIN)
TERMINAL_ROLES = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)


@role_required(*BOARD_ROLES)
def board(request: HttpRequest) -> HttpResponse:
    work_centers = equipment_queries.work_centers_with_machines()
    return render(request, "dispatch/board.html", {"work_centers": work_centers})


@role_required(*TERMINAL_ROLES)
def terminal(request: HttpRequest) -> HttpResponse:
    """The operator's tablet: choose a machine by touching it or scanning it."""
    if request.method == "POST":
        code = request.POST.get("scan", "").strip()
        machine = Machine.objects.filter(code__iexact=code, is_active=True).first()
        if machine is None:
            messages.error(
                request, _("No machine has the code “%(code)s”.") % {"code": code}
            )
            return redirect("dispatch:terminal")
        return redirect(f"{request.path}?machine={machine.code}")

    machines = Machine.objects.filter(is_active=True).select_related("work_center")
    selected = machines.filter(code=request.GET.get("machine", "")).first()
    context = {"machines": machines, "selected": selected}
    return render(request, "dispatch/terminal.html", context)
