"""Product definitions: products, their BOM and routing versions."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from equipment.models import Machine
from mes.roles import has_role, role_required
from planning import queries, services
from planning.forms import (
    BomLineForm,
    InstructionFileForm,
    OperationMachineForm,
    ReasonForm,
    RoutingOperationForm,
)
from planning.models import Bom, PlanningError, Routing
from planning.services import APPROVER_ROLES, ENTRY_ROLES, VIEWER_ROLES


@role_required(*VIEWER_ROLES)
def product_list(request: HttpRequest) -> HttpResponse:
    rows = queries.products_with_definitions()
    return render(request, "planning/product_list.html", {"rows": rows})


@role_required(*VIEWER_ROLES)
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = queries.get_product_for_user(request.user, pk)
    boms = Bom.objects.filter(product=product).prefetch_related(
        "lines__component__unit"
    )
    routings = Routing.objects.filter(product=product).prefetch_related(
        "operations__work_center", "operations__machines__machine", "operations__files"
    )
    context = {
        "product": product,
        "boms": boms,
        "routings": routings,
        "can_review": has_role(request.user, *APPROVER_ROLES),
        "can_edit": has_role(request.user, *ENTRY_ROLES),
        "line_form": BomLineForm(),
        "operation_form": RoutingOperationForm(),
        "machines": Machine.objects.filter(is_active=True).order_by("code"),
        "file_form": InstructionFileForm(),
    }
    return render(request, "planning/product_detail.html", context)


def _act(
    request: HttpRequest, kind: str, pk: int, action: Callable[[Any], Any], done: str
) -> HttpResponse:
    definition = queries.get_definition_for_user(request.user, kind, pk)
    try:
        result = action(definition)
    except PlanningError as error:
        messages.error(request, " ".join(error.messages))
    else:
        shown = result if result is not None else definition
        messages.success(request, done % {"version": shown})
    return redirect("planning:product-detail", pk=definition.product_id)


@require_POST
@role_required(*ENTRY_ROLES)
def version_submit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _act(
        request,
        kind,
        pk,
        lambda definition: services.submit_version(definition, request.user),
        _("%(version)s submitted for review."),
    )


@require_POST
@role_required(*APPROVER_ROLES)
def version_release(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _act(
        request,
        kind,
        pk,
        lambda definition: services.release_version(definition, request.user),
        _("%(version)s released."),
    )


@require_POST
@role_required(*APPROVER_ROLES)
def version_return(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        kind,
        pk,
        lambda definition: services.return_version(definition, request.user, reason),
        _("%(version)s returned to draft."),
    )


@require_POST
@role_required(*ENTRY_ROLES)
def version_new(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _act(
        request,
        kind,
        pk,
        lambda definition: services.new_version(definition, request.user),
        _("%(version)s drafted; change it below, then submit it."),
    )


# Editing draft versions -------------------------------------------------------


def _errors_to_messages(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _save_form(
    request: HttpRequest,
    form: Any,
    product_id: int,
    call: Callable[[dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    if not form.is_valid():
        _errors_to_messages(request, form)
    else:
        try:
            call(form.cleaned_data)
        except PlanningError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
    return redirect("planning:product-detail", pk=product_id)


@require_POST
@role_required(*ENTRY_ROLES)
def version_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    product = queries.get_product_for_user(request.user, pk)
    if kind not in ("bom", "routing"):
        raise Http404
    try:
        services.create_first_version(product, kind, request.user)
    except PlanningError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Version 1 drafted."))
    return redirect("planning:product-detail", pk=product.pk)


@require_POST
@role_required(*ENTRY_ROLES)
def bom_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    bom = queries.get_definition_for_user(request.user, "bom", pk)
    return _save_form(
        request,
        BomLineForm(request.POST),
        bom.product_id,
        lambda data: services.add_bom_line(bom, request.user, **data),
        _("Line added."),
    )


@require_POST
@role_required(*ENTRY_ROLES)
def bom_line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    line = queries.get_bom_line_for_user(request.user, pk)
    try:
        services.remove_bom_line(line, request.user)
    except PlanningError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("planning:product-detail", pk=line.bom.product_id)


@require_POST
@role_required(*ENTRY_ROLES)
def routing_operation_add(request: HttpRequest, pk: int) -> HttpResponse:
    routing = queries.get_definition_for_user(request.user, "routing", pk)
    return _save_form(
        request,
        RoutingOperationForm(request.POST),
        routing.product_id,
        lambda data: services.add_routing_operation(routing, request.user, **data),
        _("Operation added."),
    )


@require_POST
@role_required(*ENTRY_ROLES)
def routing_operation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    operation = queries.get_routing_operation_for_user(request.user, pk)
    try:
        services.remove_routing_operation(operation, request.user)
    except PlanningError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("planning:product-detail", pk=operation.routing.product_id)


@require_POST
@role_required(*ENTRY_ROLES)
def operation_machine_add(request: HttpRequest, pk: int) -> HttpResponse:
    operation = queries.get_routing_operation_for_user(request.user, pk)
    return _save_form(
        request,
        OperationMachineForm(request.POST),
        operation.routing.product_id,
        lambda data: services.add_operation_machine(operation, request.user, **data),
        _("Machine added."),
    )


@require_POST
@role_required(*ENTRY_ROLES)
def instruction_file_add(request: HttpRequest, pk: int) -> HttpResponse:
    operation = queries.get_routing_operation_for_user(request.user, pk)
    return _save_form(
        request,
        InstructionFileForm(request.POST, request.FILES),
        operation.routing.product_id,
        lambda data: services.add_instruction_file(operation, request.user, **data),
        _("File attached."),
    )
