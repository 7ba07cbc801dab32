"""Quality standards and their characteristics: drafting, review, release."""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mes.roles import has_role, role_required
from quality import services
from quality.forms import (
    CharacteristicForm,
    ReasonForm,
    StandardEditForm,
    StandardForm,
)
from quality.models import (
    Characteristic,
    QualityError,
    QualityStandard,
    StandardStatus,
)
from quality.views.common import (
    EDIT_ROLES,
    VIEW_ROLES,
    get_characteristic_for_user,
    get_standard_for_user,
    report_error,
    show_error,
)


@role_required(*VIEW_ROLES)
def standard_list(request: HttpRequest) -> HttpResponse:
    standards = QualityStandard.objects.select_related("item").order_by(
        "code", "-version"
    )
    text = request.GET.get("q", "").strip()
    if text:
        standards = standards.filter(
            Q(code__icontains=text)
            | Q(name__icontains=text)
            | Q(item__code__icontains=text)
        )
    status = request.GET.get("status", "")
    if status in StandardStatus.values:
        standards = standards.filter(status=status)
    return render(
        request,
        "quality/standard_list.html",
        {
            "standards": standards,
            "q": text,
            "status": status,
            "statuses": StandardStatus.choices,
        },
    )


@role_required(*EDIT_ROLES)
def standard_create(request: HttpRequest) -> HttpResponse:
    form = StandardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            standard = services.create_standard(request.user, **form.cleaned_data)
        except QualityError as error:
            show_error(form, error)
        else:
            return redirect("quality:standard-detail", pk=standard.pk)
    return render(
        request,
        "quality/form.html",
        {
            "form": form,
            "title": _("New quality standard"),
            "cancel_href": reverse("quality:standard-list"),
        },
    )


@role_required(*EDIT_ROLES)
def standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    standard = get_standard_for_user(request.user, pk)
    form = StandardEditForm(request.POST or None, instance=standard)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_standard(
                get_standard_for_user(request.user, pk),
                request.user,
                **form.cleaned_data,
            )
        except QualityError as error:
            show_error(form, error)
        else:
            return redirect("quality:standard-detail", pk=pk)
    return render(
        request,
        "quality/form.html",
        {
            "form": form,
            "title": str(standard),
            "cancel_href": reverse("quality:standard-detail", args=[pk]),
        },
    )


@role_required(*VIEW_ROLES)
def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    standard = get_standard_for_user(request.user, pk)
    characteristics = standard.characteristics.prefetch_related("defect_codes")
    versions = QualityStandard.objects.filter(code=standard.code).order_by("-version")
    return render(
        request,
        "quality/standard_detail.html",
        {
            "standard": standard,
            "characteristics": characteristics,
            "versions": versions,
            "can_edit": has_role(request.user, *EDIT_ROLES),
            "return_form": ReasonForm(),
        },
    )


def _standard_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    standard = get_standard_for_user(request.user, pk)
    try:
        if verb == "submit":
            services.submit_standard(standard, request.user)
        elif verb == "release":
            services.release_standard(standard, request.user)
        elif verb == "return":
            form = ReasonForm(request.POST)
            reason = form.data.get("reason", "")
            services.return_standard(standard, request.user, reason)
        elif verb == "new-version":
            standard = services.new_standard_version(standard, request.user)
    except QualityError as error:
        report_error(request, error)
    else:
        messages.success(
            request, _("Quality standard %(name)s saved.") % {"name": standard}
        )
    return redirect("quality:standard-detail", pk=standard.pk)


@require_POST
@role_required(*EDIT_ROLES)
def standard_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _standard_action(request, pk, "submit")


@require_POST
@role_required(*EDIT_ROLES)
def standard_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _standard_action(request, pk, "return")


@require_POST
@role_required(*EDIT_ROLES)
def standard_release(request: HttpRequest, pk: int) -> HttpResponse:
    return _standard_action(request, pk, "release")


@require_POST
@role_required(*EDIT_ROLES)
def standard_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    return _standard_action(request, pk, "new-version")


@role_required(*EDIT_ROLES)
def characteristic_create(request: HttpRequest, pk: int) -> HttpResponse:
    standard = get_standard_for_user(request.user, pk)
    return _characteristic_form(request, standard, None)


@role_required(*EDIT_ROLES)
def characteristic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    characteristic = get_characteristic_for_user(request.user, pk)
    return _characteristic_form(request, characteristic.standard, characteristic)


def _characteristic_form(
    request: HttpRequest,
    standard: QualityStandard,
    characteristic: Characteristic | None,
) -> HttpResponse:
    form = CharacteristicForm(request.POST or None, instance=characteristic)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        codes = values.pop("defect_codes")
        try:
            services.save_characteristic(
                standard, request.user, characteristic, defect_codes=codes, **values
            )
        except QualityError as error:
            show_error(form, error)
        else:
            return redirect("quality:standard-detail", pk=standard.pk)
    return render(
        request,
        "quality/form.html",
        {
            "form": form,
            "title": _("Characteristic of %(standard)s") % {"standard": standard},
            "cancel_href": reverse("quality:standard-detail", args=[standard.pk]),
            "record": characteristic,
        },
    )


@require_POST
@role_required(*EDIT_ROLES)
def characteristic_delete(request: HttpRequest, pk: int) -> HttpResponse:
    characteristic = get_characteristic_for_user(request.user, pk)
    standard = characteristic.standard
    try:
        services.delete_characteristic(characteristic, request.user)
    except QualityError as error:
        report_error(request, error)
    return redirect("quality:standard-detail", pk=standard.pk)
