from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from materials.models import Item, ItemKind
from mes.roles import Role, role_required

PLANNING_ROLES = (Role.PLANNER, Role.SUPERVISOR, Role.ADMIN)


@role_required(*PLANNING_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    products = Item.objects.filter(
        kind=ItemKind.FINISHED_GOOD, is_active=True
    ).select_related("unit")
    return render(request, "planning/home.html", {"products": products})
