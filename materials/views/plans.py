"""Purchase plans (采购计划): lines, review and approval; reorder suggestions."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from materials import queries, services
from materials.forms import PurchasePlanLineForm, ReasonForm
from materials.models import PurchasePlan, PurchasePlanLine, PurchasePlanStatus
from materials.services import PurchaseSuggestion, StockError
from materials.views import HANDLERS, PLAN_EDITORS, VIEWERS
from mes.roles import has_role, role_required


def get_purchase_plan(pk: int) -> PurchasePlan:
    return get_object_or_404(
        PurchasePlan.objects.select_related("created_by", "approved_by"), pk=pk
    )


@role_required(*VIEWERS)
def purchase_plans(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    plans = PurchasePlan.objects.select_related("created_by", "approved_by")
    if status in PurchasePlanStatus.values:
        plans = plans.filter(status=status)
    context = {
        "plans": plans[:300],
        "status": status,
        "statuses": PurchasePlanStatus.choices,
        "can_edit": has_role(request.user, *PLAN_EDITORS),
    }
    return render(request, "materials/purchase_plans.html", context)


@require_POST
@role_required(*PLAN_EDITORS)
def purchase_plan_create(request: HttpRequest) -> HttpResponse:
    plan = services.create_purchase_plan(
        request.user, [], note=request.POST.get("note", "")[:1000]
    )
    messages.success(
        request, _("Purchase plan %(number)s created.") % {"number": plan.number}
    )
    return redirect("materials:purchase-plan-detail", plan.pk)


@role_required(*VIEWERS)
def purchase_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_plan(request, get_purchase_plan(pk), PurchasePlanLineForm())


def _render_plan(
    request: HttpRequest, plan: PurchasePlan, line_form: PurchasePlanLineForm
) -> HttpResponse:
    lines = plan.lines.select_related("item", "item__unit", "supplier")
    context = {
        "plan": plan,
        "lines": lines,
        "line_form": line_form,
        "reason_form": ReasonForm(),
        "can_edit": has_role(request.user, *PLAN_EDITORS),
        "can_receive": has_role(request.user, *HANDLERS),
    }
    return render(request, "materials/purchase_plan_detail.html", context)


@require_POST
@role_required(*PLAN_EDITORS)
def purchase_plan_add_line(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_purchase_plan(pk)
    form = PurchasePlanLineForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_purchase_plan_line(
                plan,
                request.user,
                item=data["item"],
                quantity=data["quantity"],
                needed_by=data["needed_by"],
                supplier=data["supplier"],
                note=data["note"],
            )
        except StockError as error:
            form.add_error(None, error)
        else:
            return redirect("materials:purchase-plan-detail", plan.pk)
    return _render_plan(request, plan, form)


@require_POST
@role_required(*PLAN_EDITORS)
def purchase_plan_remove_line(request: HttpRequest, pk: int, line: int) -> HttpResponse:
    plan_line = get_object_or_404(PurchasePlanLine, pk=line, plan_id=pk)
    try:
        services.remove_purchase_plan_line(plan_line, request.user)
    except StockError as error:
        messages.error(request, str(error))
    return redirect("materials:purchase-plan-detail", pk)


def _plan_action(
    action: Callable[..., Any], success: str, needs_reason: bool = False
) -> Callable[[HttpRequest, int], HttpResponse]:
    """A POST-only view that runs one plan service and reports the result."""

    @require_POST
    @role_required(*PLAN_EDITORS)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        plan = get_purchase_plan(pk)
        arguments: list[Any] = [plan, request.user]
        if needs_reason:
            arguments.append(request.POST.get("reason", ""))
        try:
            action(*arguments)
        except StockError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _(success) % {"number": plan.number})
        return redirect("materials:purchase-plan-detail", plan.pk)

    return view


purchase_plan_submit = _plan_action(
    services.submit_purchase_plan,
    gettext_noop("Purchase plan %(number)s submitted for review."),
)
purchase_plan_approve = _plan_action(
    services.approve_purchase_plan, gettext_noop("Purchase plan %(number)s approved.")
)
purchase_plan_return = _plan_action(
    services.return_purchase_plan,
    gettext_noop("Purchase plan %(number)s returned to its author."),
    needs_reason=True,
)
purchase_plan_cancel = _plan_action(
    services.cancel_purchase_plan,
    gettext_noop("Purchase plan %(number)s cancelled."),
    needs_reason=True,
)
purchase_plan_close = _plan_action(
    services.close_purchase_plan,
    gettext_noop("Purchase plan %(number)s closed."),
    needs_reason=True,
)


@role_required(*VIEWERS)
def reorder(request: HttpRequest) -> HttpResponse:
    """Items below their reorder point, as purchase suggestions."""
    context = {
        "suggestions": queries.reorder_suggestions(),
        "can_edit": has_role(request.user, *PLAN_EDITORS),
    }
    return render(request, "materials/reorder.html", context)


@require_POST
@role_required(*PLAN_EDITORS)
def reorder_plan(request: HttpRequest) -> HttpResponse:
    """A draft purchase plan from the chosen reorder suggestions."""
    chosen = set(request.POST.getlist("item"))
    suggestions = [
        PurchaseSuggestion(
            item_id=suggestion.item.pk,
            quantity=suggestion.quantity,
            needed_by=suggestion.needed_by,
            supplier_id=suggestion.item.preferred_supplier_id,
            note=_("Reorder point"),
        )
        for suggestion in queries.reorder_suggestions()
        if str(suggestion.item.pk) in chosen
    ]
    if not suggestions:
        messages.error(request, _("Choose at least one item."))
        return redirect("materials:reorder")
    plan = services.create_purchase_plan(request.user, suggestions)
    messages.success(
        request, _("Purchase plan %(number)s created.") % {"number": plan.number}
    )
    return redirect("materials:purchase-plan-detail", plan.pk)
