from django.urls import path

from materials.views import counts, moves, plans, stock

app_name = "materials"

urlpatterns = [
    path("", stock.home, name="home"),
    path("items/<int:pk>/", stock.item_detail, name="item-detail"),
    path("lots/", stock.lots, name="lots"),
    path("lots/find/", stock.lot_find, name="lot-find"),
    path("locations/", stock.locations, name="locations"),
    path("lots/<int:pk>/", stock.lot_detail, name="lot-detail"),
    path("lots/<int:pk>/label/", stock.lot_label, name="lot-label"),
    path("lots/<int:pk>/recall/", stock.recall, name="recall"),
    path("receive/", moves.receive, name="receive"),
    path("move/", moves.move, name="move"),
    path("issue/", moves.issue, name="issue"),
    path("scrap/", moves.scrap, name="scrap"),
    path("purchase-plans/", plans.purchase_plans, name="purchase-plans"),
    path(
        "purchase-plans/new/", plans.purchase_plan_create, name="purchase-plan-create"
    ),
    path(
        "purchase-plans/<int:pk>/",
        plans.purchase_plan_detail,
        name="purchase-plan-detail",
    ),
    path(
        "purchase-plans/<int:pk>/lines/",
        plans.purchase_plan_add_line,
        name="purchase-plan-add-line",
    ),
    path(
        "purchase-plans/<int:pk>/lines/<int:line>/remove/",
        plans.purchase_plan_remove_line,
        name="purchase-plan-remove-line",
    ),
    path(
        "purchase-plans/<int:pk>/submit/",
        plans.purchase_plan_submit,
        name="purchase-plan-submit",
    ),
    path(
        "purchase-plans/<int:pk>/approve/",
        plans.purchase_plan_approve,
        name="purchase-plan-approve",
    ),
    path(
        "purchase-plans/<int:pk>/return/",
        plans.purchase_plan_return,
        name="purchase-plan-return",
    ),
    path(
        "purchase-plans/<int:pk>/cancel/",
        plans.purchase_plan_cancel,
        name="purchase-plan-cancel",
    ),
    path(
        "purchase-plans/<int:pk>/close/",
        plans.purchase_plan_close,
        name="purchase-plan-close",
    ),
    path("reorder/", plans.reorder, name="reorder"),
    path("reorder/plan/", plans.reorder_plan, name="reorder-plan"),
    path("counts/", counts.stock_counts, name="stock-counts"),
    path("counts/new/", counts.stock_count_start, name="stock-count-start"),
    path("counts/<int:pk>/", counts.stock_count_detail, name="stock-count-detail"),
    path(
        "counts/<int:pk>/record/", counts.stock_count_record, name="stock-count-record"
    ),
    path(
        "counts/<int:pk>/submit/", counts.stock_count_submit, name="stock-count-submit"
    ),
    path(
        "counts/<int:pk>/approve/",
        counts.stock_count_approve,
        name="stock-count-approve",
    ),
    path(
        "counts/<int:pk>/reopen/", counts.stock_count_reopen, name="stock-count-reopen"
    ),
    path(
        "counts/<int:pk>/cancel/", counts.stock_count_cancel, name="stock-count-cancel"
    ),
]
