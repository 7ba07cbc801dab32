from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from materials.models import Item
from mes.roles import Role, role_required

QUALITY_ROLES = (Role.QUALITY, Role.SUPERVISOR, Role.ADMIN)


@role_required(*QUALITY_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    lot_items = Item.objects.filter(
        is_lot_controlled=True, is_active=True
    ).select_related("unit")
    return render(request, "quality/home.html", {"lot_items": lot_items})
