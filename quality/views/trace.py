"""Traceability from quality's side: from a lot or a failed result, both ways."""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dispatch.models import WorkLog
from materials import services as materials
from materials.genealogy import trace_backward, trace_forward
from materials.models import Lot, StockMove
from mes.roles import role_required
from planning.models import WorkOrderOperation
from quality.models import InspectionOrder, InspectionResult, Nonconformance
from quality.views.common import VIEW_ROLES

MOVES_SHOWN = 200


@role_required(*VIEW_ROLES)
def trace(request: HttpRequest) -> HttpResponse:
    """The lot, its genealogy, and the inspections, machines and people involved.

    Opened with ``?lot=CODE`` or from a failed result with ``?order=ID``.
    """
    code = request.GET.get("lot", "").strip()
    order_id = request.GET.get("order", "")
    context: dict[str, Any] = {"code": code}
    if order_id.isdigit() and not code:
        order = (
            InspectionOrder.objects.select_related("lot").filter(pk=order_id).first()
        )
        if order is not None and order.lot is not None:
            code = order.lot.code
        context["failed_results"] = InspectionResult.objects.filter(
            order_id=order_id, conforms=False
        ).select_related("characteristic", "defect_code")
    if code:
        try:
            lot = materials.find_lot_by_code(code)
        except materials.StockError as error:
            context["error"] = error.messages[0]
        else:
            context |= _lot_context(lot)
    context["code"] = code
    return render(request, "quality/trace.html", context)


def _lot_context(lot: Any) -> dict[str, Any]:
    backward = trace_backward(lot)
    forward = trace_forward(lot)
    lot_ids = {lot.pk, *backward.lots, *forward.lots}
    orders = (
        InspectionOrder.objects.filter(lot_id__in=lot_ids)
        .select_related("lot", "machine", "decided_by")
        .order_by("-created_at")
    )
    moves = (
        StockMove.objects.filter(lot_id__in=lot_ids)
        .select_related("lot", "moved_by")
        .order_by("-moved_at")[:MOVES_SHOWN]
    )
    operations = _operations_of(
        {move.reference for move in moves}
        | set(Lot.objects.filter(pk__in=lot_ids).values_list("reference", flat=True))
    )
    logs = list(
        WorkLog.objects.filter(operation__in=operations).select_related(
            "machine", "operator"
        )
    )
    machines = {order.machine for order in orders if order.machine is not None}
    machines |= {log.machine for log in logs}
    people = {move.moved_by for move in moves if move.moved_by is not None} | {
        order.decided_by for order in orders if order.decided_by is not None
    }
    people |= {log.operator for log in logs if log.operator is not None}
    return {
        "lot": lot,
        "backward": backward.reached,
        "forward": forward.reached,
        "orders": orders,
        "moves": moves,
        "machines": sorted(machines, key=lambda machine: machine.code),
        "people": sorted(people, key=lambda person: person.username),
        "nonconformances": Nonconformance.objects.filter(lot_id__in=lot_ids),
        "operations": operations,
    }


def _operations_of(references: set[str]) -> list[WorkOrderOperation]:
    """Operations named by references of the form WORK-ORDER/SEQUENCE."""
    condition = Q(pk__in=[])
    for reference in references:
        number, _slash, sequence = (reference or "").rpartition("/")
        if number and sequence.isdigit():
            condition |= Q(work_order__number=number, sequence=int(sequence))
    return list(
        WorkOrderOperation.objects.filter(condition).select_related("work_order")
    )
