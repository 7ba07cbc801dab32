"""Tablet pages that move stock: receive, move, issue, scrap.

Each page is one form of scanned or typed codes and one service call; a
refused move shows the service's reason and changes nothing.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from materials import queries, services
from materials.forms import (
    IssueForm,
    MoveForm,
    ProposalForm,
    ReceiveForm,
    ScrapForm,
)
from materials.models import Lot, PurchasePlanLine, plain_quantity
from materials.services import StockError
from materials.views import HANDLERS
from mes.roles import role_required


def _page(
    request: HttpRequest, form: Any, title: str, button: str, **extra: Any
) -> HttpResponse:
    last_lot = None
    if request.GET.get("lot", "").isdigit():
        last_lot = Lot.objects.filter(pk=request.GET["lot"]).first()
    context = {"form": form, "title": title, "button": button, "last_lot": last_lot}
    return render(request, "materials/stock_form.html", context | extra)


@role_required(*HANDLERS)
def receive(request: HttpRequest) -> HttpResponse:
    """Receive stock, against a purchase plan line when one is given."""
    line = _purchase_plan_line(request)
    form = ReceiveForm(request.POST or None, initial=_line_initial(line))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lot = services.receive(
                data["item"],
                data["quantity"],
                data["location"],
                request.user,
                supplier=data["supplier"],
                supplier_lot_code=data["supplier_lot_code"],
                lot_code=data["lot_code"],
                expires_on=data["expires_on"],
                purchase_plan_line=line,
            )
        except StockError as error:
            form.add_error(None, error)
        else:
            if lot is None:
                messages.success(request, _("Stock received."))
                return redirect("materials:receive")
            messages.success(
                request,
                _("Received lot %(code)s (%(status)s).")
                % {"code": lot.code, "status": lot.get_status_display()},
            )
            return redirect(f"{reverse('materials:receive')}?lot={lot.pk}")
    return _page(
        request,
        form,
        _("Receive"),
        _("Receive"),
        line=line,
        open_lines=None if line else queries.open_purchase_plan_lines()[:50],
    )


def _purchase_plan_line(request: HttpRequest) -> PurchasePlanLine | None:
    raw = request.POST.get("purchase_plan_line") or request.GET.get("line", "")
    if not str(raw).isdigit():
        return None
    return get_object_or_404(
        PurchasePlanLine.objects.select_related("item", "plan", "supplier"),
        pk=int(raw),
    )


def _line_initial(line: PurchasePlanLine | None) -> dict[str, Any]:
    if line is None:
        return {}
    return {
        "item": line.item.code,
        "quantity": plain_quantity(line.open_quantity),
        "supplier": line.supplier,
        "location": line.item.default_location.code
        if line.item.default_location
        else "",
        "purchase_plan_line": line.pk,
    }


@role_required(*HANDLERS)
def move(request: HttpRequest) -> HttpResponse:
    """Move stock of a lot, or of an item kept without lots, between places."""
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item, lot = data["stock"]
        try:
            services.transfer(
                data["quantity"],
                data["from_location"],
                data["to_location"],
                request.user,
                lot=lot,
                item=item,
            )
        except StockError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Moved %(quantity)s %(unit)s of %(what)s to %(location)s.")
                % {
                    "quantity": data["quantity"],
                    "unit": item.unit,
                    "what": lot.code if lot else item.code,
                    "location": data["to_location"].code,
                },
            )
            return redirect("materials:move")
    return _page(request, form, _("Move stock"), _("Move"))


@role_required(*HANDLERS)
def issue(request: HttpRequest) -> HttpResponse:
    """Issue stock to a work order, to its line-side location or out."""
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item, lot = data["stock"]
        try:
            services.issue_to_order(
                lot,
                data["quantity"],
                data["reference"],
                data["to_location"],
                request.user,
                item=item,
                from_location=data["from_location"],
            )
        except StockError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Issued %(quantity)s %(unit)s of %(what)s to %(order)s.")
                % {
                    "quantity": data["quantity"],
                    "unit": item.unit,
                    "what": lot.code if lot else item.code,
                    "order": data["reference"],
                },
            )
            return redirect("materials:issue")
    return _page(
        request,
        form,
        _("Issue to an order"),
        _("Issue"),
        **_proposals(request),
    )


def _proposals(request: HttpRequest) -> dict[str, Any]:
    """The lots the service proposes for an item, when one is asked for."""
    if "proposal-item" not in request.GET:
        return {"proposal_form": ProposalForm(prefix="proposal")}
    proposal_form = ProposalForm(request.GET, prefix="proposal")
    proposals = None
    if proposal_form.is_valid():
        data = proposal_form.cleaned_data
        proposals = services.propose_lots(
            data["item"], data["quantity"], data["strategy"]
        )
    return {"proposal_form": proposal_form, "proposals": proposals}


@role_required(*HANDLERS)
def scrap(request: HttpRequest) -> HttpResponse:
    """Scrap damaged or unusable stock, with a reason."""
    form = ScrapForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item, lot = data["stock"]
        try:
            services.scrap(
                data["quantity"],
                data["location"],
                request.user,
                data["reason"],
                lot=lot,
                item=item,
            )
        except StockError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Scrapped %(quantity)s %(unit)s of %(what)s.")
                % {
                    "quantity": data["quantity"],
                    "unit": item.unit,
                    "what": lot.code if lot else item.code,
                },
            )
            return redirect("materials:scrap")
    return _page(request, form, _("Scrap stock"), _("Scrap"))
