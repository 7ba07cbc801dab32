"""Nonconformance reports: reporting, disposition, corrective actions, closure."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mes.roles import has_role, role_required
from quality import nonconformances, signatures
from quality.forms import (
    ActionDoneForm,
    ActionForm,
    CloseForm,
    DispositionForm,
    NonconformanceForm,
)
from quality.models import (
    CorrectiveAction,
    Nonconformance,
    NonconformanceStatus,
    QualityError,
)
from quality.views.common import EDIT_ROLES, VIEW_ROLES, show_error

APPROVER_ROLES = nonconformances.APPROVER_ROLES


def get_nonconformance_for_user(user: Any, pk: int) -> Nonconformance:
    return get_object_or_404(
        Nonconformance.objects.select_related(
            "item", "lot", "defect_code", "inspection_order", "machine", "found_by"
        ),
        pk=pk,
    )


@role_required(*VIEW_ROLES)
def nonconformance_list(request: HttpRequest) -> HttpResponse:
    reports = Nonconformance.objects.select_related("item", "lot", "defect_code")
    status = request.GET.get("status", "")
    if status in NonconformanceStatus.values:
        reports = reports.filter(status=status)
    return render(
        request,
        "quality/nonconformance_list.html",
        {
            "reports": reports[:200],
            "statuses": NonconformanceStatus.choices,
            "status": status,
            "can_edit": has_role(request.user, *EDIT_ROLES),
        },
    )


@role_required(*EDIT_ROLES)
def nonconformance_create(request: HttpRequest) -> HttpResponse:
    form = NonconformanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = nonconformances.open_nonconformance(
                request.user,
                item=data["item"] or data["lot"].item,
                lot=data["lot"],
                quantity=data["quantity"],
                defect_code=data["defect_code"],
                description=data["description"],
                unit_cost=data["unit_cost"] or 0,
            )
        except QualityError as error:
            show_error(form, error)
        else:
            return redirect("quality:nonconformance-detail", pk=report.pk)
    return render(
        request,
        "quality/form.html",
        {
            "form": form,
            "title": _("Report a nonconformance"),
            "cancel_href": reverse("quality:nonconformance-list"),
        },
    )


@role_required(*VIEW_ROLES)
def nonconformance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_nonconformance_for_user(request.user, pk)
    return _render_detail(request, report)


def _render_detail(
    request: HttpRequest, report: Nonconformance, **forms: Any
) -> HttpResponse:
    context = {
        "report": report,
        "actions": report.actions.select_related("owner"),
        "holds": report.holds.select_related("lot"),
        "signatures": signatures.signatures_of(report),
        "can_edit": has_role(request.user, *EDIT_ROLES),
        "can_approve": has_role(request.user, *APPROVER_ROLES),
        "disposition_form": forms.get("disposition_form")
        or DispositionForm(lot=report.lot, initial={"quantity": report.quantity}),
        "action_form": forms.get("action_form") or ActionForm(),
        "done_form": ActionDoneForm(),
        "close_form": forms.get("close_form") or CloseForm(),
    }
    return render(request, "quality/nonconformance_detail.html", context)


@require_POST
@role_required(*APPROVER_ROLES)
def nonconformance_disposition(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_nonconformance_for_user(request.user, pk)
    form = DispositionForm(request.POST, lot=report.lot)
    if form.is_valid():
        data = form.cleaned_data
        try:
            nonconformances.disposition(
                report,
                request.user,
                data["disposition"],
                note=data["note"],
                quantity=data["quantity"],
                location=data["location"],
                rework_location=data["rework_location"],
                rework_reference=data["rework_reference"],
                password=data["password"],
            )
        except QualityError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Disposition recorded."))
            return redirect("quality:nonconformance-detail", pk=report.pk)
    return _render_detail(request, report, disposition_form=form)


@require_POST
@role_required(*EDIT_ROLES)
def nonconformance_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_nonconformance_for_user(request.user, pk)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            nonconformances.add_action(report, request.user, **form.cleaned_data)
        except QualityError as error:
            show_error(form, error)
        else:
            return redirect("quality:nonconformance-detail", pk=report.pk)
    return _render_detail(request, report, action_form=form)


@require_POST
@role_required(*VIEW_ROLES)
def action_complete(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(CorrectiveAction, pk=pk)
    form = ActionDoneForm(request.POST)
    try:
        if not form.is_valid():
            raise QualityError(_("Say what was done."))
        nonconformances.complete_action(
            action, request.user, form.cleaned_data["result"]
        )
    except QualityError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("quality:nonconformance-detail", pk=action.nonconformance_id)


@require_POST
@role_required(*EDIT_ROLES)
def nonconformance_close(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_nonconformance_for_user(request.user, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            nonconformances.close_nonconformance(
                report, request.user, **form.cleaned_data
            )
        except QualityError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Nonconformance closed."))
            return redirect("quality:nonconformance-detail", pk=report.pk)
    return _render_detail(request, report, close_form=form)
