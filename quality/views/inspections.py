"""Inspection work: the inspectors' list of open inspection orders."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mes.roles import role_required
from quality.models import InspectionPlan, QualityStandard, StandardStatus
from quality.views.common import VIEW_ROLES


@role_required(*VIEW_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "released_standards": QualityStandard.objects.filter(
            status=StandardStatus.RELEASED
        ).count(),
        "active_plans": InspectionPlan.objects.filter(is_active=True).count(),
    }
    return render(request, "quality/home.html", context)
