"""Stock overview, item and lot pages, lot labels and the recall report."""

from decimal import Decimal
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from materials import queries
from materials.forms import LotSearchForm, find_location
from materials.genealogy import as_tree
from materials.models import Item, ItemKind, Lot, LotStatus
from materials.views import VIEWERS
from mes.lib import exports
from mes.roles import role_required

TREE_LIMIT = 500


@role_required(*VIEWERS)
def home(request: HttpRequest) -> HttpResponse:
    """Stock overview: every item with its stock, filtered."""
    text = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if kind not in ItemKind.values:
        kind = ""
    location_code = request.GET.get("location", "").strip()
    in_stock = request.GET.get("in_stock") == "1"

    location_ids = None
    if location_code:
        try:
            location = find_location(location_code)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            location_ids = queries.locations_under(location.pk)
    items = queries.stock_overview(text, kind, location_ids)
    if in_stock or location_ids is not None:
        items = items.filter(on_hand__gt=0)
    export_format = request.GET.get("format", "")
    if export_format in exports.FORMATS:
        return _stock_export(export_format, items)

    context = {
        "items": items[:500],
        "q": text,
        "kind": kind,
        "kinds": ItemKind.choices,
        "location": location_code,
        "in_stock": in_stock,
        "summary": queries.stock_summary(),
    }
    if request.htmx:
        return render(request, "materials/home.html#item-rows", context)
    return render(request, "materials/home.html", context)


def _stock_export(export_format: str, items: Any) -> HttpResponse:
    headers = [
        _("Code"), _("Name"), _("Kind"), _("On hand"), _("Available"),
        _("Quarantine"), _("On hold"), _("Unit"),
    ]  # fmt: skip
    rows = (
        [
            item.code,
            item.name,
            item.get_kind_display(),
            item.on_hand,
            item.available,
            item.in_quarantine,
            item.on_hold,
            item.unit.code,
        ]  # fmt: skip
        for item in items
    )
    return exports.download(export_format, _("Stock"), headers, rows, "stock")


@role_required(*VIEWERS)
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        Item.objects.select_related("unit", "default_location", "preferred_supplier"),
        pk=pk,
    )
    context = {
        "item": item,
        "balances": queries.balances_of(item=item),
        "moves": queries.moves_of(item=item, limit=100),
        "open_lines": queries.open_purchase_plan_lines().filter(item=item),
    }
    return render(request, "materials/item_detail.html", context)


@role_required(*VIEWERS)
def lots(request: HttpRequest) -> HttpResponse:
    """Lots in stock, or of one status, searched by code."""
    text = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in LotStatus.values:
        status = ""
    context = {
        "lots": queries.search_lots(text, status)[:300],
        "q": text,
        "status": status,
        "statuses": LotStatus.choices,
    }
    if request.htmx:
        return render(request, "materials/lots.html#lot-rows", context)
    return render(request, "materials/lots.html", context)


@role_required(*VIEWERS)
def locations(request: HttpRequest) -> HttpResponse:
    """The location tree with the number of stock lines in each."""
    context = {"rows": queries.location_tree()}
    return render(request, "materials/locations.html", context)


@role_required(*VIEWERS)
def lot_find(request: HttpRequest) -> HttpResponse:
    """Open the lot whose code was scanned or typed."""
    form = LotSearchForm(request.GET)
    if form.is_valid():
        return redirect("materials:lot-detail", form.cleaned_data["code"].pk)
    for error in form.errors.get("code", []):
        messages.error(request, error)
    return redirect("materials:home")


@role_required(*VIEWERS)
def lot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A lot: status, where it is, its moves, genealogy both ways."""
    lot = get_object_or_404(
        Lot.objects.select_related("item", "item__unit", "supplier"), pk=pk
    )
    backward, backward_cut = as_tree(queries.trace_backward(lot), TREE_LIMIT)
    forward, forward_cut = as_tree(queries.trace_forward(lot), TREE_LIMIT)
    context = {
        "lot": lot,
        "balances": queries.balances_of(lot=lot),
        "moves": queries.moves_of(lot=lot),
        "backward": backward,
        "backward_cut": backward_cut,
        "forward": forward,
        "forward_cut": forward_cut,
    }
    return render(request, "materials/lot_detail.html", context)


@role_required(*VIEWERS)
def lot_label(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable label: the lot code as QR code and in text."""
    lot = get_object_or_404(Lot.objects.select_related("item", "item__unit"), pk=pk)
    image = qrcode.make(
        lot.code, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2
    )
    svg = image.to_string(encoding="unicode")
    context = {
        "lot": lot,
        # The SVG comes from the qrcode library; the lot code is only encoded
        # as black and white squares, never as markup.
        "qr_svg": mark_safe(svg),
        "on_hand": sum(balance.quantity for balance in queries.balances_of(lot=lot)),
    }
    return render(request, "materials/lot_label.html", context)


@role_required(*VIEWERS)
def recall(request: HttpRequest, pk: int) -> HttpResponse:
    """Every finished lot a suspect lot went into, and where it is now."""
    lot = get_object_or_404(Lot.objects.select_related("item"), pk=pk)
    trace, entries = queries.recall_report(lot)
    export_format = request.GET.get("format", "")
    if export_format in exports.FORMATS:
        return _recall_export(export_format, lot, entries)
    context = {
        "lot": lot,
        "entries": entries,
        "reached": len(trace.lots) - 1,
    }
    return render(request, "materials/recall.html", context)


def _recall_export(
    export_format: str, lot: Lot, entries: list[queries.RecallEntry]
) -> HttpResponse:
    headers = [
        _("Lot"), _("Item"), _("Status"), _("Levels"), _("Location"), _("On hand"),
    ]  # fmt: skip
    statuses = dict(LotStatus.choices)
    rows = [
        [
            entry.lot.code,
            entry.lot.item_code,
            statuses.get(entry.lot.status, entry.lot.status),
            entry.depth,
            location,
            quantity,
        ]
        for entry in entries
        for location, quantity in entry.on_hand or [("", Decimal(0))]
    ]
    return exports.download(
        export_format, _("Recall report"), headers, rows, f"recall-{lot.code}"
    )
