from django.urls import path

from equipment.views import floor, maintenance, plant, reports

app_name = "equipment"

urlpatterns = [
    path("", plant.home, name="home"),
    path("board/", plant.board, name="board"),
    path("machines/<int:pk>/", plant.machine_detail, name="machine-detail"),
    path("downtime/", floor.downtime, name="downtime"),
    path("downtime/new/", floor.downtime_new, name="downtime-new"),
    path(
        "downtime/<int:pk>/classify/",
        floor.downtime_classify,
        name="downtime-classify",
    ),
    path("faults/new/", floor.fault_report_new, name="fault-report-new"),
    path("maintenance/", maintenance.order_list, name="order-list"),
    path("maintenance/<int:pk>/", maintenance.order_detail, name="order-detail"),
    path("maintenance/<int:pk>/start/", maintenance.order_start, name="order-start"),
    path(
        "maintenance/<int:pk>/complete/",
        maintenance.order_complete,
        name="order-complete",
    ),
    path("maintenance/<int:pk>/close/", maintenance.order_close, name="order-close"),
    path(
        "maintenance/<int:pk>/cancel/",
        maintenance.order_cancel,
        name="order-cancel",
    ),
    path(
        "maintenance/<int:pk>/assign/",
        maintenance.order_assign,
        name="order-assign",
    ),
    path("oee/", reports.oee_report, name="oee"),
    path("oee/export/", reports.oee_export, name="oee-export"),
]
