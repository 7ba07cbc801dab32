from django.urls import path

from dispatch.views import floor, schedule, terminal

app_name = "dispatch"

urlpatterns = [
    path("board/", floor.board, name="board"),
    path("dispatch-list/", floor.dispatch_list, name="dispatch-list"),
    path("exceptions/", floor.exceptions, name="exceptions"),
    path(
        "exceptions/<int:pk>/acknowledge/",
        floor.exception_acknowledge,
        name="exception-acknowledge",
    ),
    path(
        "exceptions/<int:pk>/resolve/",
        floor.exception_resolve,
        name="exception-resolve",
    ),
    path("schedule/", schedule.schedule, name="schedule"),
    path("schedule/runs/", schedule.run_create, name="run-create"),
    path("schedule/runs/<int:pk>/", schedule.run_detail, name="run-detail"),
    path("schedule/runs/<int:pk>/stop/", schedule.run_stop, name="run-stop"),
    path("schedule/versions/<int:pk>/", schedule.version_detail, name="version-detail"),
    path(
        "schedule/versions/<int:pk>/publish/",
        schedule.version_publish,
        name="version-publish",
    ),
    path("gantt/", schedule.gantt_chart, name="gantt"),
    path("operations/<int:pk>/", schedule.operation_detail, name="operation-detail"),
    path("operations/<int:pk>/lock/", schedule.operation_lock, name="operation-lock"),
    path(
        "operations/<int:pk>/unlock/",
        schedule.operation_unlock,
        name="operation-unlock",
    ),
    path("terminal/", terminal.terminal, name="terminal"),
    path("terminal/<int:pk>/", terminal.machine_queue, name="terminal-machine"),
    path("terminal/<int:pk>/sign-on/", terminal.sign_on, name="terminal-sign-on"),
    path("terminal/<int:pk>/sign-off/", terminal.sign_off, name="terminal-sign-off"),
    path("terminal/<int:pk>/help/", terminal.help_call, name="terminal-help"),
    path(
        "terminal/<int:machine_pk>/operations/<int:pk>/",
        terminal.job,
        name="terminal-job",
    ),
    path(
        "terminal/<int:machine_pk>/operations/<int:pk>/start/",
        terminal.job_start,
        name="terminal-start",
    ),
    path(
        "terminal/<int:machine_pk>/operations/<int:pk>/pause/",
        terminal.job_pause,
        name="terminal-pause",
    ),
    path(
        "terminal/<int:machine_pk>/operations/<int:pk>/report/",
        terminal.job_report,
        name="terminal-report",
    ),
    path(
        "terminal/<int:machine_pk>/operations/<int:pk>/complete/",
        terminal.job_complete,
        name="terminal-complete",
    ),
]
