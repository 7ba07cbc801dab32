"""Inspection work: the inspectors' queue, tablet entry, decision, signature."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mes.roles import has_role, role_required
from quality import inspections, services, signatures
from quality.models import (
    InspectionOrder,
    LotHold,
    Nonconformance,
    NonconformanceStatus,
    OperationStop,
    QualityError,
    SpcAlert,
)
from quality.views.common import EDIT_ROLES, VIEW_ROLES, report_error

ROWS_ON_HOME = 50


def get_order_for_user(user: Any, pk: int) -> InspectionOrder:
    return get_object_or_404(
        InspectionOrder.objects.select_related(
            "plan", "standard", "item", "lot", "operation", "machine", "decided_by"
        ),
        pk=pk,
    )


@role_required(*VIEW_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "orders": inspections.open_orders()[:ROWS_ON_HOME],
        "nonconformances": Nonconformance.objects.exclude(
            status=NonconformanceStatus.CLOSED
        ).select_related("item", "lot")[:ROWS_ON_HOME],
        "holds": LotHold.objects.filter(released_at__isnull=True).select_related(
            "lot__item"
        )[:ROWS_ON_HOME],
        "alerts": SpcAlert.objects.filter(acknowledged_at__isnull=True).select_related(
            "characteristic__standard"
        )[:ROWS_ON_HOME],
        "stops": OperationStop.objects.filter(lifted_at__isnull=True).select_related(
            "operation__work_order", "machine", "inspection_order"
        ),
    }
    return render(request, "quality/home.html", context)


@role_required(*VIEW_ROLES)
def inspection_queue(request: HttpRequest) -> HttpResponse:
    """The tablet list of open orders, most urgent first; scan to open one."""
    if request.method == "POST":
        code = request.POST.get("scan", "")
        order = inspections.find_open_order(code)
        if order is not None:
            return redirect("quality:inspection-order", pk=order.pk)
        messages.error(
            request,
            _("No open inspection order for %(code)s.") % {"code": code.strip()},
        )
        return redirect("quality:inspection-queue")
    orders = list(inspections.open_orders()[:ROWS_ON_HOME])
    for order in orders:
        order.minutes_left = inspections.due_in_minutes(order)
        order.minutes_overdue = -order.minutes_left
    # htmx refreshes the tiles every half minute, so new orders show up.
    template = (
        "quality/inspection_queue.html#queue"
        if request.htmx
        else "quality/inspection_queue.html"
    )
    return render(request, template, {"orders": orders})


@role_required(*VIEW_ROLES)
def inspection_order(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order_for_user(request.user, pk)
    return _render_order(request, order, request.POST or None, {})


def _render_order(
    request: HttpRequest, order: InspectionOrder, data: Any, errors: dict[str, Any]
) -> HttpResponse:
    context = {
        "order": order,
        "groups": _entry_groups(order, data, errors),
        "errors": errors,
        "password_error": _first(errors.get("password")),
        "general_errors": errors.get("__all__", []),
        "can_enter": order.is_open and has_role(request.user, *EDIT_ROLES),
        "signatures": signatures.signatures_of(order),
        "nonconformances": order.nonconformances.all(),
    }
    return render(request, "quality/inspection_order.html", context)


def _entry_groups(
    order: InspectionOrder, data: Any, errors: dict[str, Any]
) -> list[dict[str, Any]]:
    """The tablet's inputs by characteristic: posted, saved or empty values."""
    saved = {
        f"r-{result.characteristic_id}-{result.sample_number}": result
        for result in order.results.all()
    }
    groups: dict[int, dict[str, Any]] = {}
    for entry in inspections.entry_fields(order):
        result = saved.get(entry.name)
        group = groups.setdefault(
            entry.characteristic.pk,
            {"characteristic": entry.characteristic, "fields": []},
        )
        group["fields"].append(
            {
                "name": entry.name,
                "number": entry.sample_number,
                "value": _shown_value(entry, result, data),
                "error": _first(errors.get(entry.name)),
                "conforms": None if result is None else result.conforms,
            }
        )
    return list(groups.values())


def _shown_value(entry: Any, result: Any, data: Any) -> str:
    if data is not None:
        return data.get(entry.name, "")
    if result is None:
        return ""
    if entry.characteristic.is_variable:
        if result.value is None:
            return ""
        return f"{result.value:.{entry.characteristic.decimals}f}"
    return inspections.PASS if result.conforms else str(result.defect_code_id)


def _first(messages_: Any) -> str:
    if not messages_:
        return ""
    return messages_[0] if isinstance(messages_, list) else str(messages_)


def _errors(error: QualityError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for m in items[0].messages]
            for field, items in error.error_dict.items()
        }
    return {"__all__": [str(message) for message in error.messages]}


@require_POST
@role_required(*EDIT_ROLES)
def inspection_save(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order_for_user(request.user, pk)
    try:
        inspections.save_results(
            order,
            request.user,
            request.POST,
            pass_blank=request.POST.get("pass_blank") == "yes",
        )
    except QualityError as error:
        return _render_order(request, order, request.POST, _errors(error))
    messages.success(request, _("Results saved."))
    return redirect("quality:inspection-order", pk=order.pk)


@require_POST
@role_required(*EDIT_ROLES)
def inspection_sign(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order_for_user(request.user, pk)
    try:
        order = inspections.sign_order(
            order, request.user, request.POST, request.POST.get("password", "")
        )
    except QualityError as error:
        return _render_order(request, order, request.POST, _errors(error))
    if order.status == "passed":
        messages.success(
            request, _("Inspection %(number)s passed.") % {"number": order.number}
        )
    else:
        messages.error(
            request,
            _("Inspection %(number)s failed; a nonconformance was opened.")
            % {"number": order.number},
        )
    return redirect("quality:inspection-order", pk=order.pk)


@require_POST
@role_required(*VIEW_ROLES)
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(SpcAlert, pk=pk)
    try:
        services.acknowledge_alert(alert, request.user)
    except QualityError as error:
        report_error(request, error)
    return redirect("quality:home")


@require_POST
@role_required(*EDIT_ROLES)
def stop_lift(request: HttpRequest, pk: int) -> HttpResponse:
    stop = get_object_or_404(OperationStop, pk=pk)
    try:
        services.lift_operation_stop(stop, request.user, request.POST.get("reason", ""))
    except QualityError as error:
        report_error(request, error)
    else:
        messages.success(request, _("The operation may run again."))
    return redirect("quality:home")


@require_POST
@role_required(*EDIT_ROLES)
def inspection_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order_for_user(request.user, pk)
    try:
        inspections.cancel_order(order, request.user, request.POST.get("reason", ""))
    except QualityError as error:
        report_error(request, error)
    else:
        messages.success(
            request, _("Inspection %(number)s cancelled.") % {"number": order.number}
        )
    return redirect("quality:inspection-order", pk=order.pk)
