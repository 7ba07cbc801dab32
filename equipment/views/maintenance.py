"""Maintenance orders: the list, the tablet page and its actions."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from equipment import services
from equipment.forms import (
    AssignOrderForm,
    CancelOrderForm,
    CompleteOrderForm,
    FeedbackForm,
)
from equipment.models import MaintenanceOrder, OrderStatus
from equipment.services import EquipmentError
from equipment.views import MAINTENANCE_ROLES
from mes.roles import Role, role_required

OPEN_STATUSES = [OrderStatus.OPEN, OrderStatus.IN_PROGRESS, OrderStatus.COMPLETED]


def get_order(pk: int) -> MaintenanceOrder:
    try:
        return MaintenanceOrder.objects.select_related(
            "machine", "plan", "fault_report", "assigned_to"
        ).get(pk=pk)
    except MaintenanceOrder.DoesNotExist:
        raise Http404 from None


@role_required(*MAINTENANCE_ROLES)
def order_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    orders = MaintenanceOrder.objects.select_related("machine", "assigned_to")
    if show == "mine":
        orders = orders.filter(assigned_to=request.user, status__in=OPEN_STATUSES)
    elif show == "done":
        orders = orders.filter(status__in=[OrderStatus.CLOSED, OrderStatus.CANCELLED])
    else:
        show = "open"
        orders = orders.filter(status__in=OPEN_STATUSES)
    orders = orders.order_by("due_at")[:200]
    return render(
        request, "equipment/order_list.html", {"orders": orders, "show": show}
    )


@role_required(*MAINTENANCE_ROLES)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(pk)
    return render(request, "equipment/order_detail.html", _order_context(order))


def _order_context(order: MaintenanceOrder, **forms: object) -> dict[str, object]:
    return {
        "order": order,
        "complete_form": forms.get("complete_form") or CompleteOrderForm(order=order),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(),
        "cancel_form": forms.get("cancel_form") or CancelOrderForm(),
        "assign_form": forms.get("assign_form") or AssignOrderForm(),
        "spare_parts": order.spare_parts.select_related("item"),
    }


@require_POST
@role_required(Role.MAINTENANCE, Role.ADMIN)
def order_start(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(pk)
    try:
        services.start_order(order, request.user)
    except EquipmentError as error:
        messages.error(request, error.messages[0])
    return redirect("equipment:order-detail", pk=order.pk)


@require_POST
@role_required(Role.MAINTENANCE, Role.ADMIN)
def order_complete(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(pk)
    form = CompleteOrderForm(request.POST, order=order)
    if form.is_valid():
        data = form.cleaned_data
        parts = []
        if data.get("spare_item") is not None:
            parts.append((data["spare_item"], data["spare_quantity"]))
        try:
            services.complete_order(
                order,
                request.user,
                data["work_done"],
                data["minutes_spent"],
                checklist=form.checklist(),
                spare_parts=parts,
            )
        except EquipmentError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, _("The order is completed."))
            return redirect("equipment:order-detail", pk=order.pk)
    context = _order_context(order, complete_form=form)
    return render(request, "equipment/order_detail.html", context, status=400)


@require_POST
@role_required(*MAINTENANCE_ROLES)
def order_close(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.close_order(order, request.user, form.cleaned_data["feedback"])
        except EquipmentError as error:
            messages.error(request, error.messages[0])
    return redirect("equipment:order-detail", pk=order.pk)


@require_POST
@role_required(*MAINTENANCE_ROLES)
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(pk)
    form = CancelOrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for cancelling."))
        return redirect("equipment:order-detail", pk=order.pk)
    try:
        services.cancel_order(order, request.user, form.cleaned_data["reason"])
    except EquipmentError as error:
        messages.error(request, error.messages[0])
    return redirect("equipment:order-detail", pk=order.pk)


@require_POST
@role_required(*MAINTENANCE_ROLES)
def order_assign(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order(pk)
    form = AssignOrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a maintenance technician."))
        return redirect("equipment:order-detail", pk=order.pk)
    try:
        services.assign_order(order, form.cleaned_data["technician"], request.user)
    except EquipmentError as error:
        messages.error(request, error.messages[0])
    return redirect("equipment:order-detail", pk=order.pk)
