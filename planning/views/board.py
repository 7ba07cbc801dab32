"""The plan board and production plans."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mes.roles import has_role, role_required
from planning import performance, queries, services
from planning.forms import PlanTargetForm, ProductionPlanForm
from planning.models import PlanningError
from planning.services import ENTRY_ROLES, VIEWER_ROLES


@role_required(*VIEWER_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    """The plan board: current plans and the chosen plan's orders by status."""
    plans = list(queries.current_plans())
    chosen = None
    plan_id = request.GET.get("plan", "")
    if plan_id.isdigit():
        chosen = queries.get_plan_for_user(request.user, int(plan_id))
    elif plans:
        chosen = plans[0]
    context = {
        "plans": plans,
        "chosen": chosen,
        "columns": queries.board_columns(chosen),
        "waiting": queries.review_queue().count(),
    }
    return render(request, "planning/home.html", context)


@role_required(*VIEWER_ROLES)
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = queries.all_plans()[:200]
    return render(request, "planning/plan_list.html", {"plans": plans})


@role_required(*ENTRY_ROLES)
def plan_create(request: HttpRequest) -> HttpResponse:
    form = ProductionPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_production_plan(request.user, **form.cleaned_data)
        except PlanningError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Production plan created."))
            return redirect("planning:plan-detail", pk=plan.pk)
    return render(request, "planning/plan_form.html", {"form": form})


@role_required(*VIEWER_ROLES)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan_for_user(request.user, pk)
    orders = plan.work_orders.select_related("product").order_by(
        "due_date", "priority", "number"
    )
    targets = plan.targets.select_related("product__unit")
    context = {
        "plan": plan,
        "orders": orders,
        "targets": targets,
        "figures": performance.figures_for(orders, plan=plan),
        "target_form": PlanTargetForm(),
        "can_edit": has_role(request.user, *ENTRY_ROLES),
    }
    return render(request, "planning/plan_detail.html", context)


@require_POST
@role_required(*ENTRY_ROLES)
def plan_target_set(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan_for_user(request.user, pk)
    form = PlanTargetForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("planning:plan-detail", pk=plan.pk)
    try:
        services.set_plan_target(
            plan,
            form.cleaned_data["product"],
            form.cleaned_data["quantity"],
            request.user,
        )
    except PlanningError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Target saved."))
    return redirect("planning:plan-detail", pk=plan.pk)
