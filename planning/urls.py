from django.urls import path

from planning.views import board, definitions, mrp, orders, reports

app_name = "planning"

urlpatterns = [
    path("", board.home, name="home"),
    path("plans/", board.plan_list, name="plan-list"),
    path("plans/new/", board.plan_create, name="plan-create"),
    path("plans/<int:pk>/", board.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/targets/", board.plan_target_set, name="plan-target-set"),
    path("orders/", orders.work_order_list, name="work-order-list"),
    path("orders/new/", orders.work_order_create, name="work-order-create"),
    path("orders/import/", orders.work_order_import, name="work-order-import"),
    path("orders/<int:pk>/", orders.work_order_detail, name="work-order-detail"),
    path("orders/<int:pk>/edit/", orders.work_order_edit, name="work-order-edit"),
    path("orders/<int:pk>/submit/", orders.work_order_submit, name="work-order-submit"),
    path(
        "orders/<int:pk>/approve/",
        orders.work_order_approve,
        name="work-order-approve",
    ),
    path("orders/<int:pk>/return/", orders.work_order_return, name="work-order-return"),
    path(
        "orders/<int:pk>/release/",
        orders.work_order_release,
        name="work-order-release",
    ),
    path("orders/<int:pk>/adjust/", orders.work_order_adjust, name="work-order-adjust"),
    path("orders/<int:pk>/close/", orders.work_order_close, name="work-order-close"),
    path("orders/<int:pk>/cancel/", orders.work_order_cancel, name="work-order-cancel"),
    path("orders/<int:pk>/delete/", orders.work_order_delete, name="work-order-delete"),
    path("review/", orders.review_queue, name="review-queue"),
    path("capacity/", reports.capacity_view, name="capacity"),
    path("plan-vs-actual/", reports.performance_view, name="performance"),
    path(
        "plan-vs-actual/export.<str:file_format>",
        reports.performance_export,
        name="performance-export",
    ),
    path("mrp/", mrp.mrp_home, name="mrp"),
    path("mrp/start/", mrp.mrp_start, name="mrp-start"),
    path("mrp/<int:pk>/", mrp.mrp_run, name="mrp-run"),
    path("mrp/<int:pk>/progress/", mrp.mrp_progress, name="mrp-progress"),
    path("mrp/<int:pk>/work-orders/", mrp.mrp_work_orders, name="mrp-work-orders"),
    path(
        "mrp/<int:pk>/purchase-plan/",
        mrp.mrp_purchase_plan,
        name="mrp-purchase-plan",
    ),
    path("products/", definitions.product_list, name="product-list"),
    path("products/<int:pk>/", definitions.product_detail, name="product-detail"),
    path(
        "products/<int:pk>/<str:kind>/new/",
        definitions.version_create,
        name="version-create",
    ),
    path("boms/<int:pk>/lines/", definitions.bom_line_add, name="bom-line-add"),
    path(
        "bom-lines/<int:pk>/delete/",
        definitions.bom_line_delete,
        name="bom-line-delete",
    ),
    path(
        "routings/<int:pk>/operations/",
        definitions.routing_operation_add,
        name="routing-operation-add",
    ),
    path(
        "routing-operations/<int:pk>/delete/",
        definitions.routing_operation_delete,
        name="routing-operation-delete",
    ),
    path(
        "routing-operations/<int:pk>/machines/",
        definitions.operation_machine_add,
        name="operation-machine-add",
    ),
    path(
        "routing-operations/<int:pk>/files/",
        definitions.instruction_file_add,
        name="instruction-file-add",
    ),
    path(
        "definitions/<str:kind>/<int:pk>/submit/",
        definitions.version_submit,
        name="version-submit",
    ),
    path(
        "definitions/<str:kind>/<int:pk>/release/",
        definitions.version_release,
        name="version-release",
    ),
    path(
        "definitions/<str:kind>/<int:pk>/return/",
        definitions.version_return,
        name="version-return",
    ),
    path(
        "definitions/<str:kind>/<int:pk>/new-version/",
        definitions.version_new,
        name="version-new",
    ),
]
