from django.urls import path

from quality.views import (
    holds,
    inspections,
    nonconformances,
    plans,
    reports,
    spc,
    standards,
    trace,
)

app_name = "quality"

urlpatterns = [
    path("", inspections.home, name="home"),
    path("standards/", standards.standard_list, name="standard-list"),
    path("standards/new/", standards.standard_create, name="standard-create"),
    path("standards/<int:pk>/", standards.standard_detail, name="standard-detail"),
    path("standards/<int:pk>/edit/", standards.standard_edit, name="standard-edit"),
    path(
        "standards/<int:pk>/submit/", standards.standard_submit, name="standard-submit"
    ),
    path(
        "standards/<int:pk>/return/", standards.standard_return, name="standard-return"
    ),
    path(
        "standards/<int:pk>/release/",
        standards.standard_release,
        name="standard-release",
    ),
    path(
        "standards/<int:pk>/new-version/",
        standards.standard_new_version,
        name="standard-new-version",
    ),
    path(
        "standards/<int:pk>/characteristics/new/",
        standards.characteristic_create,
        name="characteristic-create",
    ),
    path(
        "characteristics/<int:pk>/edit/",
        standards.characteristic_edit,
        name="characteristic-edit",
    ),
    path(
        "characteristics/<int:pk>/delete/",
        standards.characteristic_delete,
        name="characteristic-delete",
    ),
    path(
        "characteristics/<int:pk>/chart/",
        spc.characteristic_chart,
        name="characteristic-chart",
    ),
    path(
        "characteristics/<int:pk>/baseline/",
        spc.characteristic_baseline,
        name="characteristic-baseline",
    ),
    path("spc/", spc.spc_overview, name="spc-overview"),
    path("plans/", plans.plan_list, name="plan-list"),
    path("plans/new/", plans.plan_create, name="plan-create"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan-edit"),
    path("inspections/", inspections.inspection_queue, name="inspection-queue"),
    path(
        "inspections/<int:pk>/", inspections.inspection_order, name="inspection-order"
    ),
    path(
        "inspections/<int:pk>/save/",
        inspections.inspection_save,
        name="inspection-save",
    ),
    path(
        "inspections/<int:pk>/sign/",
        inspections.inspection_sign,
        name="inspection-sign",
    ),
    path(
        "inspections/<int:pk>/cancel/",
        inspections.inspection_cancel,
        name="inspection-cancel",
    ),
    path(
        "nonconformances/",
        nonconformances.nonconformance_list,
        name="nonconformance-list",
    ),
    path(
        "nonconformances/new/",
        nonconformances.nonconformance_create,
        name="nonconformance-create",
    ),
    path(
        "nonconformances/<int:pk>/",
        nonconformances.nonconformance_detail,
        name="nonconformance-detail",
    ),
    path(
        "nonconformances/<int:pk>/disposition/",
        nonconformances.nonconformance_disposition,
        name="nonconformance-disposition",
    ),
    path(
        "nonconformances/<int:pk>/actions/",
        nonconformances.nonconformance_action_add,
        name="nonconformance-action-add",
    ),
    path(
        "nonconformances/<int:pk>/close/",
        nonconformances.nonconformance_close,
        name="nonconformance-close",
    ),
    path(
        "actions/<int:pk>/done/",
        nonconformances.action_complete,
        name="action-complete",
    ),
    path("holds/", holds.hold_list, name="hold-list"),
    path("holds/new/", holds.hold_create, name="hold-create"),
    path("holds/<int:pk>/", holds.hold_detail, name="hold-detail"),
    path("holds/<int:pk>/release/", holds.hold_release, name="hold-release"),
    path("trace/", trace.trace, name="trace"),
    path(
        "alerts/<int:pk>/acknowledge/",
        inspections.alert_acknowledge,
        name="alert-acknowledge",
    ),
    path("stops/<int:pk>/lift/", inspections.stop_lift, name="stop-lift"),
    path("reports/", reports.report, name="report-index"),
    path("reports/<slug:name>/", reports.report, name="report"),
    path("reports/<slug:name>/export/", reports.report_export, name="report-export"),
]
