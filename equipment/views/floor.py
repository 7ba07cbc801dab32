"""Shop-floor pages: reasons for stops, manual downtime, fault reports."""

from collections.abc import Iterable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from equipment import queries, services
from equipment.forms import ClassifyDowntimeForm, FaultReportForm, ManualDowntimeForm
from equipment.models import DowntimeEvent, DowntimeReason
from equipment.services import EquipmentError
from equipment.views import FLOOR_ROLES
from mes.roles import role_required


def get_downtime_event(pk: int) -> DowntimeEvent:
    try:
        return DowntimeEvent.objects.select_related("machine").get(pk=pk)
    except DowntimeEvent.DoesNotExist:
        raise Http404 from None


@role_required(*FLOOR_ROLES)
def downtime(request: HttpRequest) -> HttpResponse:
    """Stops waiting for a reason, with the reason tree as big buttons."""
    reasons = DowntimeReason.objects.filter(is_active=True).select_related("parent")
    context = {
        "events": queries.unclassified_downtime()[:50],
        "reason_groups": _reason_groups(reasons),
    }
    return render(request, "equipment/downtime.html", context)


def _reason_groups(
    reasons: Iterable[DowntimeReason],
) -> list[tuple[DowntimeReason, list[DowntimeReason]]]:
    """Top-level reasons with their children; one without children is its
    own only choice."""
    reasons = list(reasons)
    children: dict[int, list[DowntimeReason]] = {}
    for reason in reasons:
        if reason.parent_id:
            children.setdefault(reason.parent_id, []).append(reason)
    return [
        (reason, children.get(reason.pk, [reason]))
        for reason in reasons
        if reason.parent_id is None
    ]


@require_POST
@role_required(*FLOOR_ROLES)
def downtime_classify(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_downtime_event(pk)
    form = ClassifyDowntimeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reason from the list."))
        return redirect("equipment:downtime")
    try:
        services.classify_downtime(
            event, form.cleaned_data["reason"], request.user, form.cleaned_data["note"]
        )
    except EquipmentError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("Stop of %(machine)s classified as %(reason)s.")
            % {"machine": event.machine.code, "reason": form.cleaned_data["reason"]},
        )
    return redirect("equipment:downtime")


@role_required(*FLOOR_ROLES)
def downtime_new(request: HttpRequest) -> HttpResponse:
    """Enter a stop by hand for a machine without a PLC."""
    form = ManualDowntimeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_manual_downtime(
                data["machine"],
                data["started_at"],
                data["ended_at"],
                data["reason"],
                request.user,
                data["note"],
            )
        except EquipmentError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, _("The stop was recorded."))
            return redirect("equipment:downtime")
    return render(request, "equipment/downtime_new.html", {"form": form})


@role_required(*FLOOR_ROLES)
def fault_report_new(request: HttpRequest) -> HttpResponse:
    """Report a fault; a repair order is opened for maintenance."""
    form = FaultReportForm(request.POST or None, initial=_machine_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_fault(
                data["machine"],
                data["description"],
                request.user,
                failure_category=data["failure_category"],
                machine_stopped=data["machine_stopped"],
            )
        except EquipmentError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(
                request,
                _("Fault reported; repair order %(number)s is open.")
                % {"number": report.order.number},
            )
            return redirect("equipment:fault-report-new")
    return render(request, "equipment/fault_report_new.html", {"form": form})


def _machine_initial(request: HttpRequest) -> dict[str, str]:
    machine = request.GET.get("machine", "")
    return {"machine": machine} if machine.isdigit() else {}
