"""Stock counts (盘点): start, count by scanning, submit, approve."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from materials import services
from materials.forms import StockCountEntryForm, StockCountStartForm
from materials.models import StockCount
from materials.services import StockError
from materials.views import COUNT_APPROVERS, HANDLERS, VIEWERS
from mes.roles import has_role, role_required


def get_stock_count(pk: int) -> StockCount:
    return get_object_or_404(
        StockCount.objects.select_related("location", "created_by", "approved_by"),
        pk=pk,
    )


@role_required(*VIEWERS)
def stock_counts(request: HttpRequest) -> HttpResponse:
    form = StockCountStartForm()
    return _render_counts(request, form)


def _render_counts(request: HttpRequest, form: StockCountStartForm) -> HttpResponse:
    context = {
        "counts": StockCount.objects.select_related("location", "created_by")[:200],
        "form": form,
        "can_count": has_role(request.user, *HANDLERS),
    }
    return render(request, "materials/stock_counts.html", context)


@require_POST
@role_required(*HANDLERS)
def stock_count_start(request: HttpRequest) -> HttpResponse:
    form = StockCountStartForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            count = services.start_stock_count(
                request.user,
                location=data["location"],
                items=data["items"],
                note=data["note"],
            )
        except StockError as error:
            form.add_error(None, error)
        else:
            return redirect("materials:stock-count-detail", count.pk)
    return _render_counts(request, form)


@role_required(*VIEWERS)
def stock_count_detail(request: HttpRequest, pk: int) -> HttpResponse:
    count = get_stock_count(pk)
    # The location stays filled while one bin after the other is counted.
    initial = {"location": request.GET.get("location", "")[:60]}
    return _render_count(request, count, StockCountEntryForm(initial=initial))


def _render_count(
    request: HttpRequest, count: StockCount, form: StockCountEntryForm
) -> HttpResponse:
    lines = count.lines.select_related("item", "item__unit", "lot", "location")
    context = {
        "count": count,
        "lines": lines,
        "form": form,
        "counted": sum(1 for line in lines if line.counted_quantity is not None),
        "can_count": has_role(request.user, *HANDLERS),
        "can_approve": has_role(request.user, *COUNT_APPROVERS),
    }
    return render(request, "materials/stock_count_detail.html", context)


@require_POST
@role_required(*HANDLERS)
def stock_count_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter one counted quantity, usually right after scanning the lot."""
    count = get_stock_count(pk)
    form = StockCountEntryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        item, lot = data["stock"]
        try:
            services.record_count(
                count,
                request.user,
                location=data["location"],
                counted=data["quantity"],
                lot=lot,
                item=item,
            )
        except StockError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Counted %(quantity)s of %(what)s.")
                % {"quantity": data["quantity"], "what": lot.code if lot else item},
            )
            url = reverse("materials:stock-count-detail", args=[count.pk])
            query = urlencode({"location": data["location"].code})
            return redirect(f"{url}?{query}")
    return _render_count(request, count, form)


def _count_action(
    action: Callable[..., Any],
    success: str,
    roles: tuple[str, ...],
    needs_reason: bool = False,
) -> Callable[[HttpRequest, int], HttpResponse]:
    """A POST-only view that runs one count service and reports the result."""

    @require_POST
    @role_required(*roles)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        count = get_stock_count(pk)
        arguments: list[Any] = [count, request.user]
        if needs_reason:
            arguments.append(request.POST.get("reason", ""))
        try:
            action(*arguments)
        except StockError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _(success) % {"number": count.number})
        return redirect("materials:stock-count-detail", count.pk)

    return view


stock_count_submit = _count_action(
    services.submit_stock_count,
    gettext_noop("Stock count %(number)s submitted for approval."),
    HANDLERS,
)
stock_count_approve = _count_action(
    services.approve_stock_count,
    gettext_noop("Stock count %(number)s approved; differences posted."),
    COUNT_APPROVERS,
)
stock_count_reopen = _count_action(
    services.reopen_stock_count,
    gettext_noop("Stock count %(number)s reopened for counting."),
    COUNT_APPROVERS,
    needs_reason=True,
)
stock_count_cancel = _count_action(
    services.cancel_stock_count,
    gettext_noop("Stock count %(number)s cancelled."),
    COUNT_APPROVERS,
    needs_reason=True,
)
