"""Product definitions: products, their BOM and routing versions."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mes.roles import has_role, role_required
from planning import queries, services
from planning.forms import ReasonForm
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
        _("%(version)s drafted; edit its lines in admin, then submit it."),
    )
