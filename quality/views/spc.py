"""SPC pages: the control chart of a characteristic and the Cpk overview."""

import numpy as np
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mes.roles import has_role, role_required
from quality import charts, queries, services, spc
from quality.forms import BaselineForm
from quality.models import Characteristic, QualityError
from quality.views.common import (
    EDIT_ROLES,
    VIEW_ROLES,
    get_characteristic_for_user,
    report_error,
)

DEFAULT_POINTS = 50
MAX_POINTS = 500


@role_required(*VIEW_ROLES)
def characteristic_chart(request: HttpRequest, pk: int) -> HttpResponse:
    characteristic = get_characteristic_for_user(request.user, pk)
    shown = _points_wanted(request)
    if not characteristic.is_variable:
        return _attribute_chart(request, characteristic, shown)
    values = queries.load_measurements([characteristic.pk]).get(
        characteristic.pk, np.zeros(0)
    )
    limits = queries.limits_for(characteristic, values)
    context = {
        "characteristic": characteristic,
        "count": len(values),
        "shown": shown,
        "limits": limits,
        "provisional": limits is not None and not characteristic.control_limits,
        "can_edit": has_role(request.user, *EDIT_ROLES),
        "baseline_form": BaselineForm(
            initial={
                "baseline_from": characteristic.baseline_from,
                "baseline_to": characteristic.baseline_to,
            }
        ),
    }
    if limits is not None:
        context |= _chart_context(characteristic, values, limits, shown)
    return render(request, "quality/characteristic_chart.html", context)


def _attribute_chart(
    request: HttpRequest, characteristic: Characteristic, shown: int
) -> HttpResponse:
    """A p chart (varying sample sizes) or np chart (constant) of a check."""
    history = queries.attribute_history(characteristic, shown)
    context: dict[str, object] = {
        "characteristic": characteristic,
        "count": len(history.labels),
        "shown": shown,
    }
    if len(history.labels) >= 2:
        constant = bool(np.all(history.inspected == history.inspected[0]))
        if constant:
            chart = spc.np_chart(history.nonconforming, int(history.inspected[0]))
            lines = [
                charts.Line(float(chart.upper[0]), _("UCL"), "spc-limit"),
                charts.Line(chart.center, _("CL"), "spc-center"),
                charts.Line(float(chart.lower[0]), _("LCL"), "spc-limit"),
            ]
            series: list[np.ndarray] = []
        else:
            chart = spc.p_chart(history.nonconforming, history.inspected)
            lines = [charts.Line(chart.center, _("CL"), "spc-center")]
            series = [chart.upper, chart.lower]
        context["attribute_chart"] = charts.control_chart(
            chart.points,
            lines,
            chart.out_of_control,
            history.labels,
            decimals=3 if chart.kind == "p" else 1,
            title=_("Nonconforming units (np)")
            if constant
            else _("Fraction nonconforming (p)"),
            limit_series=series,
        )
        context["chart_kind"] = chart.kind
        context["out_of_control"] = [
            label
            for label, flag in zip(history.labels, chart.out_of_control, strict=True)
            if flag
        ]
    return render(request, "quality/attribute_chart.html", context)


def _points_wanted(request: HttpRequest) -> int:
    try:
        wanted = int(request.GET.get("points", DEFAULT_POINTS))
    except ValueError:
        wanted = DEFAULT_POINTS
    return max(5, min(wanted, MAX_POINTS))


def _chart_context(
    characteristic: Characteristic,
    values: np.ndarray,
    limits: spc.VariableLimits,
    shown: int,
) -> dict[str, object]:
    low = _float(characteristic.lower_limit)
    high = _float(characteristic.upper_limit)
    analysis = spc.analyse(values, limits, low, high)
    first = max(0, len(analysis.means) - shown)
    labels = [str(number) for number in range(first + 1, len(analysis.means) + 1)]
    flagged = analysis.violating_points[first:]
    decimals = characteristic.decimals + 1
    individual = limits.subgroup_size == 1
    location_lines = [
        charts.Line(limits.location.upper, _("UCL"), "spc-limit"),
        charts.Line(limits.location.center, _("CL"), "spc-center"),
        charts.Line(limits.location.lower, _("LCL"), "spc-limit"),
    ]
    if individual:
        location_lines += [
            charts.Line(high if high is not None else np.nan, _("USL"), "spc-spec"),
            charts.Line(low if low is not None else np.nan, _("LSL"), "spc-spec"),
        ]
    location_chart = charts.control_chart(
        analysis.means[first:],
        location_lines,
        flagged,
        labels,
        decimals=decimals,
        title=_("Individuals") if individual else _("Subgroup means (X-bar)"),
    )
    spread_chart = charts.control_chart(
        analysis.spreads[first:],
        [
            charts.Line(limits.spread.upper, _("UCL"), "spc-limit"),
            charts.Line(limits.spread.center, _("CL"), "spc-center"),
        ],
        None,
        labels,
        height=170,
        decimals=decimals,
        title=_("Moving range") if individual else _("Ranges (R)"),
    )
    violations = [
        {"rule": rule, "label": spc.RULES[rule], "points": [labels[i] for i in hits]}
        for rule, flags in sorted(analysis.violations.items())
        if len(hits := np.flatnonzero(flags[first:]))
    ]
    return {
        "location_chart": location_chart,
        "spread_chart": spread_chart,
        "individual": individual,
        "capability": analysis.capability,
        "violations": violations,
    }


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


@require_POST
@role_required(*EDIT_ROLES)
def characteristic_baseline(request: HttpRequest, pk: int) -> HttpResponse:
    characteristic = get_characteristic_for_user(request.user, pk)
    form = BaselineForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("quality:characteristic-chart", pk=pk)
    try:
        services.set_control_limits(
            characteristic,
            request.user,
            form.cleaned_data["baseline_from"],
            form.cleaned_data["baseline_to"],
        )
    except QualityError as error:
        report_error(request, error)
    else:
        messages.success(request, _("Control limits computed from the baseline."))
    return redirect("quality:characteristic-chart", pk=pk)


@role_required(*VIEW_ROLES)
def spc_overview(request: HttpRequest) -> HttpResponse:
    rows = queries.capability_summary()
    return render(request, "quality/spc_overview.html", {"rows": rows})
