"""Inspection plans: when a standard is inspected and on how many units."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from mes.roles import has_role, role_required
from quality import services
from quality.forms import PlanForm
from quality.models import InspectionPlan, QualityError
from quality.views.common import EDIT_ROLES, VIEW_ROLES, get_plan_for_user, show_error


@role_required(*VIEW_ROLES)
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = InspectionPlan.objects.select_related("standard__item")
    return render(
        request,
        "quality/plan_list.html",
        {"plans": plans, "can_edit": has_role(request.user, *EDIT_ROLES)},
    )


@role_required(*EDIT_ROLES)
def plan_create(request: HttpRequest) -> HttpResponse:
    return _plan_form(request, None)


@role_required(*EDIT_ROLES)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_form(request, get_plan_for_user(request.user, pk))


def _plan_form(request: HttpRequest, plan: InspectionPlan | None) -> HttpResponse:
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        chosen = values.pop("characteristics")
        try:
            services.save_plan(request.user, plan, characteristics=chosen, **values)
        except QualityError as error:
            show_error(form, error)
        else:
            return redirect("quality:plan-list")
    title = _("New inspection plan") if plan is None else str(plan)
    return render(
        request,
        "quality/form.html",
        {
            "form": form,
            "title": title,
            "cancel_href": reverse("quality:plan-list"),
            "record": plan,
        },
    )
