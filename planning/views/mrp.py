"""Material requirements pages: start a run, watch it, use its result."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from materials.services import StockError
from mes.roles import role_required
from planning import mrp, queries, services
from planning.models import (
    MrpAction,
    MrpRequirement,
    MrpRun,
    MrpShortage,
    PlanningError,
)
from planning.services import ENTRY_ROLES, VIEWER_ROLES

ROW_LIMIT = 300


@role_required(*VIEWER_ROLES)
def mrp_home(request: HttpRequest) -> HttpResponse:
    """The latest run, finished or not."""
    run = MrpRun.objects.first()
    if run is not None:
        return redirect("planning:mrp-run", pk=run.pk)
    return render(request, "planning/mrp.html", {"run": None})


@role_required(*VIEWER_ROLES)
def mrp_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = queries.get_mrp_run_for_user(request.user, pk)
    text = request.GET.get("q", "").strip()
    context = {
        "run": run,
        "q": text,
        "suggestions": _suggestions(run, text)[:ROW_LIMIT],
        "shortages": _shortages(run, text)[:ROW_LIMIT],
        "requirements": _requirements(run, text)[:ROW_LIMIT],
        "production": _production(run, text)[:ROW_LIMIT],
        "limit": ROW_LIMIT,
        "runs": MrpRun.objects.all()[:10],
    }
    return render(request, "planning/mrp.html", context)


def _suggestions(run: MrpRun, text: str) -> QuerySet[MrpRequirement]:
    rows = MrpRequirement.objects.filter(
        run=run, action=MrpAction.BUY, net_quantity__gt=0
    ).select_related("item__unit", "run")
    if text:
        rows = rows.filter(item__code__icontains=text)
    return rows.order_by("release_date", "item__code")


def _production(run: MrpRun, text: str) -> QuerySet[MrpRequirement]:
    rows = MrpRequirement.objects.filter(
        run=run, action=MrpAction.MAKE, net_quantity__gt=0
    ).select_related("item__unit", "run")
    if text:
        rows = rows.filter(item__code__icontains=text)
    return rows.order_by("release_date", "item__code")


def _shortages(run: MrpRun, text: str) -> QuerySet[MrpShortage]:
    rows = MrpShortage.objects.filter(run=run).select_related(
        "work_order", "item__unit"
    )
    if text:
        rows = rows.filter(work_order__number__icontains=text) | rows.filter(
            item__code__icontains=text
        )
    return rows.order_by("need_date", "work_order__number", "item__code")


def _requirements(run: MrpRun, text: str) -> QuerySet[MrpRequirement]:
    rows = MrpRequirement.objects.filter(run=run).select_related("item__unit")
    if text:
        rows = rows.filter(item__code__icontains=text)
    return rows.order_by("item__code", "need_date")


@role_required(*VIEWER_ROLES)
def mrp_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by htmx; a finished run reloads the page."""
    run = queries.get_mrp_run_for_user(request.user, pk)
    response = render(request, "planning/mrp.html#progress", {"run": run})
    if run.is_finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@role_required(*VIEWER_ROLES)
def mrp_start(request: HttpRequest) -> HttpResponse:
    run = services.start_mrp_run(request.user)
    messages.success(request, _("MRP run %(run)s started.") % {"run": run.pk})
    return redirect("planning:mrp-run", pk=run.pk)


@require_POST
@role_required(*ENTRY_ROLES)
def mrp_purchase_plan(request: HttpRequest, pk: int) -> HttpResponse:
    run = queries.get_mrp_run_for_user(request.user, pk)
    chosen = [int(value) for value in request.POST.getlist("row") if value.isdigit()]
    try:
        plan = mrp.create_purchase_plan_from(run, chosen, request.user)
    except (PlanningError, StockError) as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Purchase plan %(number)s drafted with %(count)s lines.")
            % {"number": plan.number, "count": len(chosen)},
        )
    return redirect("planning:mrp-run", pk=run.pk)


@require_POST
@role_required(*ENTRY_ROLES)
def mrp_work_orders(request: HttpRequest, pk: int) -> HttpResponse:
    run = queries.get_mrp_run_for_user(request.user, pk)
    chosen = [int(value) for value in request.POST.getlist("row") if value.isdigit()]
    try:
        orders = mrp.create_work_orders_from(run, chosen, request.user)
    except PlanningError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(count)s draft work orders entered; submit them for review.")
            % {"count": len(orders)},
        )
    return redirect("planning:mrp-run", pk=run.pk)
