"""Lot holds: preview through the genealogy, hold, release with signature."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mes.roles import has_role, role_required
from quality import holds, signatures
from quality.forms import HoldForm, ReleaseForm
from quality.models import LotHold, QualityError
from quality.views.common import EDIT_ROLES, VIEW_ROLES, show_error


def get_hold_for_user(user: Any, pk: int) -> LotHold:
    return get_object_or_404(
        LotHold.objects.select_related(
            "lot__item", "source_lot", "held_by", "nonconformance", "inspection_order"
        ),
        pk=pk,
    )


@role_required(*VIEW_ROLES)
def hold_list(request: HttpRequest) -> HttpResponse:
    current = LotHold.objects.filter(released_at__isnull=True).select_related(
        "lot__item", "source_lot"
    )
    released = LotHold.objects.filter(released_at__isnull=False).select_related(
        "lot__item"
    )[:50]
    return render(
        request,
        "quality/hold_list.html",
        {
            "current": current,
            "released": released,
            "can_edit": has_role(request.user, *EDIT_ROLES),
        },
    )


@role_required(*EDIT_ROLES)
def hold_create(request: HttpRequest) -> HttpResponse:
    """Hold a lot; the first submit previews, the confirmed one holds."""
    initial = {
        "lot_code": request.GET.get("lot", ""),
        "follow_genealogy": request.GET.get("follow") == "yes",
    }
    form = HoldForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        lot = form.cleaned_data["lot_code"]
        follow = form.cleaned_data["follow_genealogy"]
        preview = holds.hold_preview(lot, follow)
        if request.POST.get("confirm") == "yes":
            try:
                created = holds.hold_lots(
                    lot,
                    request.user,
                    form.cleaned_data["reason"],
                    follow_genealogy=follow,
                )
            except QualityError as error:
                show_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(count)s lots put on hold.") % {"count": len(created)},
                )
                return redirect("quality:hold-list")
    return render(request, "quality/hold_form.html", {"form": form, "preview": preview})


@role_required(*VIEW_ROLES)
def hold_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hold = get_hold_for_user(request.user, pk)
    return _render_detail(request, hold, ReleaseForm())


def _render_detail(
    request: HttpRequest, hold: LotHold, form: ReleaseForm
) -> HttpResponse:
    return render(
        request,
        "quality/hold_detail.html",
        {
            "hold": hold,
            "form": form,
            "signatures": signatures.signatures_of(hold),
            "can_edit": has_role(request.user, *EDIT_ROLES),
        },
    )


@require_POST
@role_required(*EDIT_ROLES)
def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    hold = get_hold_for_user(request.user, pk)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            holds.release_hold(
                hold,
                request.user,
                form.cleaned_data["reason"],
                form.cleaned_data["password"],
            )
        except QualityError as error:
            show_error(form, error)
        else:
            messages.success(
                request, _("Lot %(code)s released.") % {"code": hold.lot.code}
            )
            return redirect("quality:hold-detail", pk=hold.pk)
    return _render_detail(request, hold, form)
