"""Work order pages: list, entry, detail, the workflow actions and import.

Workflow actions are POST-only. From a list row (htmx) they answer with the
re-rendered row; otherwise they redirect to the order with a message.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from materials import queries as materials_queries
from mes.roles import role_required
from planning import mrp, queries, services
from planning.forms import (
    AdjustForm,
    ImportForm,
    OrderFilterForm,
    ReasonForm,
    WorkOrderForm,
)
from planning.imports import import_work_orders
from planning.models import ZERO, MrpShortage, PlanningError, WorkOrder
from planning.services import APPROVER_ROLES, ENTRY_ROLES, VIEWER_ROLES

LIST_LIMIT = 500


@role_required(*VIEWER_ROLES)
def work_order_list(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET or None)
    criteria = form.criteria() if request.GET else queries.OrderFilter()
    orders = list(queries.search_work_orders(criteria)[:LIST_LIMIT])
    rows = [(order, services.allowed_actions(request.user, order)) for order in orders]
    context = {"form": form, "rows": rows, "limit": LIST_LIMIT}
    if request.htmx and request.htmx.target == "order-rows":
        return render(request, "planning/work_order_list.html#order-rows", context)
    return render(request, "planning/work_order_list.html", context)


@role_required(*ENTRY_ROLES)
def work_order_create(request: HttpRequest) -> HttpResponse:
    form = WorkOrderForm(request.POST or None, initial=_initial_from(request))
    if request.method == "POST" and form.is_valid():
        try:
            order = services.create_work_order(request.user, **form.cleaned_data)
        except PlanningError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Work order %(number)s entered.") % {"number": order.number}
            )
            return redirect("planning:work-order-detail", pk=order.pk)
    return render(request, "planning/work_order_form.html", {"form": form})


def _initial_from(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    if request.GET.get("plan", "").isdigit():
        initial["plan"] = int(request.GET["plan"])
    return initial


@role_required(*ENTRY_ROLES)
def work_order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    order = queries.get_work_order_for_user(request.user, pk)
    if not services.can_edit(request.user, order):
        messages.error(request, _("Only drafts and returned orders can be edited."))
        return redirect("planning:work-order-detail", pk=order.pk)
    form = WorkOrderForm(request.POST or None, instance=order)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        # Edit a fresh copy: the form has already written into ``order``.
        fresh = WorkOrder.objects.get(pk=order.pk)
        try:
            services.update_work_order(fresh, request.user, **changed)
        except PlanningError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Work order saved."))
            return redirect("planning:work-order-detail", pk=order.pk)
    return render(
        request, "planning/work_order_form.html", {"form": form, "order": order}
    )


@role_required(*VIEWER_ROLES)
def work_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = queries.get_work_order_for_user(request.user, pk)
    materials = list(order.materials.select_related("item__unit", "operation"))
    item_ids = [material.item_id for material in materials]
    on_hand = materials_queries.on_hand_by_item(item_ids) if item_ids else {}
    for material in materials:
        material.on_hand = on_hand.get(material.item_id, ZERO)
    run = mrp.latest_run()
    shortages = (
        MrpShortage.objects.filter(run=run, work_order=order).select_related(
            "item__unit"
        )
        if run
        else []
    )
    context = {
        "order": order,
        "run": run,
        "shortages": shortages,
        "actions": services.allowed_actions(request.user, order),
        "operations": order.operations.select_related(
            "work_center", "routing_operation"
        ).prefetch_related("eligible_machines__machine", "routing_operation__files"),
        "materials": materials,
        "adjust_form": AdjustForm(
            initial={
                "quantity": order.quantity,
                "due_date": order.due_date,
                "priority": order.priority,
            }
        ),
    }
    return render(request, "planning/work_order_detail.html", context)


@role_required(*VIEWER_ROLES)
def review_queue(request: HttpRequest) -> HttpResponse:
    orders = list(queries.review_queue()[:LIST_LIMIT])
    rows = [(order, services.allowed_actions(request.user, order)) for order in orders]
    return render(request, "planning/review_queue.html", {"rows": rows})


# Workflow actions ---------------------------------------------------------


def _act(
    request: HttpRequest,
    pk: int,
    action: Callable[[WorkOrder], Any],
    done: str,
) -> HttpResponse:
    order = queries.get_work_order_for_user(request.user, pk)
    error = ""
    try:
        action(order)
    except PlanningError as refusal:
        error = " ".join(refusal.messages)
    order = queries.get_work_order_for_user(request.user, pk)

    if request.htmx:
        context = {
            "order": order,
            "actions": services.allowed_actions(request.user, order),
            "row_error": error,
            "row_done": "" if error else done % {"number": order.number},
        }
        return render(request, "planning/partials/work_order_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done % {"number": order.number})
    return redirect("planning:work-order-detail", pk=order.pk)


def _reason(request: HttpRequest) -> str:
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


@require_POST
@role_required(*ENTRY_ROLES)
def work_order_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda order: services.submit_work_order(order, request.user),
        _("%(number)s submitted for review."),
    )


@require_POST
@role_required(*APPROVER_ROLES)
def work_order_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda order: services.approve_work_order(order, request.user),
        _("%(number)s approved."),
    )


@require_POST
@role_required(*APPROVER_ROLES)
def work_order_return(request: HttpRequest, pk: int) -> HttpResponse:
    reason = _reason(request)
    return _act(
        request,
        pk,
        lambda order: services.return_work_order(order, request.user, reason),
        _("%(number)s returned to the planner."),
    )


@require_POST
@role_required(*APPROVER_ROLES)
def work_order_release(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda order: services.release_work_order(order, request.user),
        _("%(number)s released to the floor."),
    )


@require_POST
@role_required(*APPROVER_ROLES)
def work_order_close(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "").strip()
    return _act(
        request,
        pk,
        lambda order: services.close_work_order(order, request.user, reason),
        _("%(number)s closed."),
    )


@require_POST
@role_required(*ENTRY_ROLES)
def work_order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    reason = _reason(request)
    return _act(
        request,
        pk,
        lambda order: services.cancel_work_order(order, request.user, reason),
        _("%(number)s cancelled."),
    )


@require_POST
@role_required(*ENTRY_ROLES)
def work_order_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    order = queries.get_work_order_for_user(request.user, pk)
    form = AdjustForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("planning:work-order-detail", pk=order.pk)
    adjustment = services.Adjustment(
        quantity=form.cleaned_data["quantity"],
        due_date=form.cleaned_data["due_date"],
        priority=form.cleaned_data["priority"],
    )
    try:
        services.adjust_work_order(
            order, request.user, form.cleaned_data["reason"], adjustment
        )
    except PlanningError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(number)s adjusted.") % {"number": order.number})
    return redirect("planning:work-order-detail", pk=order.pk)


@require_POST
@role_required(*ENTRY_ROLES)
def work_order_delete(request: HttpRequest, pk: int) -> HttpResponse:
    order = queries.get_work_order_for_user(request.user, pk)
    try:
        services.delete_work_order(order, request.user)
    except PlanningError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("planning:work-order-detail", pk=order.pk)
    messages.success(request, _("%(number)s deleted.") % {"number": order.number})
    return redirect("planning:work-order-list")


# Import ---------------------------------------------------------------------


@role_required(*ENTRY_ROLES)
def work_order_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        result = import_work_orders(form.cleaned_data["file"].read(), request.user)
        if result.ok:
            messages.success(
                request,
                _("%(count)s work orders imported as drafts.")
                % {"count": len(result.orders)},
            )
            return redirect("planning:work-order-list")
        errors = result.errors
    return render(
        request, "planning/work_order_import.html", {"form": form, "errors": errors}
    )
