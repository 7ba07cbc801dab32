from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from equipment import queries
from equipment.models import Machine
from mes.roles import Role, role_required

EQUIPMENT_ROLES = (Role.MAINTENANCE, Role.SUPERVISOR, Role.PLANNER, Role.ADMIN)


@role_required(*EQUIPMENT_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    work_centers = queries.work_centers_with_machines()
    return render(request, "equipment/home.html", {"work_centers": work_centers})


@role_required(*EQUIPMENT_ROLES)
def machine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        machine = queries.get_machine(pk)
    except Machine.DoesNotExist:
        raise Http404 from None
    return render(request, "equipment/machine_detail.html", {"machine": machine})
