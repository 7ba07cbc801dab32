"""Load-test the operator terminal: many tablets refreshing their queues."""

import json
import math
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dispatch import execution, gantt, queries, services
from dispatch.models import Method, OperatorBadge
from dispatch.planner import build_problem
from dispatch.scheduling import rules
from dispatch.scheduling.model import Result
from dispatch.scheduling.problem import Objective
from equipment.models import Area, Machine, ShiftPattern, Site, WorkCenter
from materials.models import Item, ItemKind, UnitOfMeasure
from mes.roles import Role
from planning.models import (
    WorkOrder,
    WorkOrderMaterial,
    WorkOrderOperation,
    WorkOrderOperationMachine,
    WorkOrderStatus,
)

PASSWORD = "bench-tablets-2026"
SUPERVISOR = "bench-supervisor"
SERVER_TIMING = re.compile(r"app;dur=([0-9.]+)")
QUIET_SAMPLES = 30
WARM_UP = 12
PREFIX = "BENCH"
# The case: a board of 50 machines, each with a queue of 50 or more.
MACHINES = 50


class Command(BaseCommand):
    help = (
        "Start the MES under gunicorn on 127.0.0.1 with production settings "
        "and let N tablets (threads with their own sessions) sign on at "
        "machines and refresh their queue every few seconds while supervisors "
        "refresh the board, as those pages do. Server times are read from the "
        "server's Server-Timing header: quiet, then under the load. Print one "
        "JSON line with requests, p50_ms, p95_ms, errors and those figures. It "
        "adds BENCH machines, orders, operators and a published schedule to "
        "the database: run it on a development database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=50)
        parser.add_argument("--boards", type=int, default=5)
        parser.add_argument("--seconds", type=float, default=60)
        parser.add_argument("--interval", type=float, default=5)
        parser.add_argument("--operations", type=int, default=3000)
        parser.add_argument("--server-workers", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        machines = prepare(options["operations"], options["clients"])
        # A plant's tables carry planner statistics (autovacuum keeps them);
        # freshly bulk-loaded bench rows do not until analysed.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stderr.write("Bench plant ready; timing the Gantt chart...")
        figures = gantt_times()
        port = _free_port()
        server = _start_server(port, options["server_workers"])
        base = f"http://127.0.0.1:{port}"
        try:
            self.stderr.write(f"Server on {base}; quiet server times...")
            figures |= quiet_times(base, machines[0], options["server_workers"])
            self.stderr.write(
                f"{options['clients']} tablets and {options['boards']} boards "
                f"for {options['seconds']:.0f} s..."
            )
            figures |= load_run(
                base,
                machines,
                options["clients"],
                options["boards"],
                options["seconds"],
                options["interval"],
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
        self.stdout.write(json.dumps(figures))


def prepare(operation_count: int, clients: int) -> list[Machine]:
    """Bench machines, an order book on them, published; tablet operators."""
    machines = build_plant(PREFIX, operation_count)
    _operators(clients)
    _start_work(machines)
    version = services.published_version()
    busy = set(
        version.entries.values_list("machine_id", flat=True).distinct()
        if version
        else []
    )
    # Tablets stand at machines with work, as on a real floor.
    return [machine for machine in machines if machine.pk in busy] or machines


def build_plant(
    prefix: str,
    operation_count: int,
    machine_count: int = MACHINES,
    shift_pattern: ShiftPattern | None = None,
) -> list[Machine]:
    """A cell of machines named after ``prefix`` and a published order book.

    Orders of three steps, each step on one of two eligible machines; the
    book is published as the earliest-due-date schedule. Built once: a
    second call finds the orders and builds nothing more.
    """
    site, _ = Site.objects.get_or_create(code=prefix, defaults={"name": "Bench site"})
    area, _ = Area.objects.get_or_create(
        site=site, code=prefix, defaults={"name": "Bench"}
    )
    center, _ = WorkCenter.objects.get_or_create(
        code=prefix,
        defaults={"area": area, "name": "Bench cell", "shift_pattern": shift_pattern},
    )
    machines = [
        Machine.objects.get_or_create(
            code=f"{prefix}-M{number}",
            defaults={"work_center": center, "name": f"Bench machine {number}"},
        )[0]
        for number in range(1, machine_count + 1)
    ]
    _orders(prefix, center, machines, operation_count)
    return machines


def _orders(
    prefix: str, center: WorkCenter, machines: list[Machine], operation_count: int
) -> None:
    if WorkOrder.objects.filter(number__startswith=f"{prefix}-").exists():
        return
    unit, _ = UnitOfMeasure.objects.get_or_create(code="pcs", defaults={"name": "pcs"})
    product, _ = Item.objects.get_or_create(
        code=f"{prefix}-PRODUCT",
        defaults={
            "name": "Bench product",
            "unit": unit,
            "kind": ItemKind.FINISHED_GOOD,
        },
    )
    today = timezone.localdate()
    orders = WorkOrder.objects.bulk_create(
        WorkOrder(
            number=f"{prefix}-{index:05d}",
            product=product,
            quantity=Decimal(20),
            due_date=today + timedelta(days=3 + index % 20),
            status=WorkOrderStatus.RELEASED,
        )
        for index in range(operation_count // 3)
    )
    operations = WorkOrderOperation.objects.bulk_create(
        WorkOrderOperation(
            work_order=order,
            sequence=(step + 1) * 10,
            name=f"Step {step + 1}",
            work_center=center,
            setup_minutes=Decimal(10),
            run_minutes_per_unit=Decimal(2),
            quantity=order.quantity,
            instructions="Bench work instruction.",
        )
        for order in orders
        for step in range(3)
    )
    WorkOrderOperationMachine.objects.bulk_create(
        WorkOrderOperationMachine(
            operation=operation,
            machine=machines[(number // 3 + number % 3 * 2 + offset) % len(machines)],
            run_minutes_per_unit=Decimal(2 + offset),
            duration_minutes=Decimal(10 + (2 + offset) * 20),
        )
        for number, operation in enumerate(operations)
        for offset in (0, 1)
    )
    # Every order's first step needs a component nobody issued: the lists
    # show material status for real, and those steps cannot start.
    component, _ = Item.objects.get_or_create(
        code=f"{prefix}-COMPONENT",
        defaults={
            "name": "Bench component",
            "unit": unit,
            "kind": ItemKind.RAW_MATERIAL,
        },
    )
    WorkOrderMaterial.objects.bulk_create(
        WorkOrderMaterial(
            work_order=order,
            item=component,
            quantity_per_unit=Decimal(1),
            quantity=order.quantity,
        )
        for order in orders
    )
    plant = build_problem()
    schedule = rules.dispatch(plant.problem, rules.Rule.EDD)
    cost = schedule.cost(plant.problem, Objective())
    result = Result(schedule, "rule", cost, 0, 0.0, 0.0, 1, rule=Method.EDD)
    version = services.save_version(None, plant, result, None, note="Bench")
    services.publish_version(version, None)


def _start_work(machines: list[Machine]) -> None:
    """Four machines in five run a job, so the board shows running work."""
    operator = User.objects.get(username="bench-operator-000")
    for machine in machines[: len(machines) * 4 // 5]:
        if execution.running_log(machine) is not None:
            continue
        ready = [job for job in queries.dispatch_list(machine) if job.materials_ready]
        if ready:
            operation = WorkOrderOperation.objects.get(pk=ready[0].operation_id)
            execution.start_operation(operation, machine, operator)


def _operators(clients: int) -> None:
    supervisor, _ = User.objects.get_or_create(username=SUPERVISOR)
    if not supervisor.check_password(PASSWORD):
        supervisor.set_password(PASSWORD)
        supervisor.save(update_fields=["password"])
    supervisor.groups.add(Group.objects.get_or_create(name=Role.SUPERVISOR)[0])
    group, _ = Group.objects.get_or_create(name=Role.OPERATOR)
    for number in range(clients):
        username = f"bench-operator-{number:03d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username, password=PASSWORD)
            user.groups.add(group)
        if not OperatorBadge.objects.filter(user=user).exists():
            execution.set_badge(user, f"{PREFIX}-{number:03d}", "", actor=None)


def gantt_times() -> dict[str, Any]:
    """Server time of the week Gantt chart of the whole published schedule."""
    version = services.published_version()
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        bars = gantt.render(version, zoom="week").bars
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "gantt_week_operations": bars,
        "gantt_week_server_ms": round(statistics.median(timings), 1),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    """Gunicorn with production settings, TLS aside (a proxy ends it)."""
    database = connection.settings_dict
    env = os.environ | {
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "WARNING",
    }
    root = Path(settings.BASE_DIR)
    collect = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"]
    subprocess.run(collect, cwd=root, env=env, check=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "mes.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=root,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start within 30 seconds")


class Browser:
    """One tablet or desk browser: its own session and connection."""

    def __init__(self, base: str) -> None:
        self.host = urlsplit(base).netloc
        self.connection = HTTPConnection(self.host, timeout=10)
        self.cookies: dict[str, str] = {}
        self.server_ms = 0.0

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, str]:
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is None:
            sent["HX-Request"] = "true"
        else:
            data = urlencode(body | {"csrfmiddlewaretoken": self.csrf_token})
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"http://{self.host}{path}"
        self.connection.request(method, path, body=data, headers=sent)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        timing = SERVER_TIMING.search(response.headers.get("Server-Timing", ""))
        self.server_ms = float(timing.group(1)) if timing else float("nan")
        return response.status, text

    @property
    def csrf_token(self) -> str:
        return self.cookies.get("csrftoken", "")

    def log_in(self, username: str) -> None:
        self.connection.request("GET", "/login/")
        response = self.connection.getresponse()
        response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        status, _ = self.request(
            "POST", "/login/", {"username": username, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"{username} could not log in (HTTP {status})")


def _tablet(base: str, machine: Machine, number: int) -> tuple[Browser, str]:
    """A tablet at the machine with its operator signed on by badge."""
    tablet = Browser(base)
    tablet.log_in(f"bench-operator-{number:03d}")
    queue = reverse("dispatch:terminal-machine", args=[machine.pk])
    tablet.request("POST", queue, {"scan": f"{PREFIX}-{number:03d}"})
    return tablet, queue


def _desk(base: str) -> tuple[Browser, str]:
    desk = Browser(base)
    desk.log_in(SUPERVISOR)
    return desk, reverse("dispatch:board")


def _warm_up(base: str, browser: Browser, path: str, server_workers: int) -> None:
    """Send the page to every gunicorn worker: each loads its templates once.

    Requests one after another mostly reach the same few workers; requests
    at once reach them all, as a sync worker takes one at a time.
    """

    def fetch() -> None:
        copy = Browser(base)
        copy.cookies = dict(browser.cookies)
        for _ in range(WARM_UP):
            copy.request("GET", path)

    threads = [threading.Thread(target=fetch) for _ in range(2 * server_workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def quiet_times(base: str, machine: Machine, server_workers: int) -> dict[str, Any]:
    """Rows and server times of the queue and the board, one at a time."""
    tablet, queue = _tablet(base, machine, 0)
    desk, board = _desk(base)
    queue_rows = tablet.request("GET", queue)[1].count('class="job-link"')
    board_rows = desk.request("GET", board)[1].count("?machine=")
    figures: dict[str, Any] = {"queue_rows": queue_rows, "board_rows": board_rows}
    for name, browser, path in (("queue", tablet, queue), ("board", desk, board)):
        _warm_up(base, browser, path, server_workers)
        timings = []
        for _ in range(QUIET_SAMPLES):
            browser.request("GET", path)
            timings.append(browser.server_ms)
            time.sleep(0.05)
        figures |= _summary(f"{name}_server", timings)
    return figures


def load_run(
    base: str,
    machines: list[Machine],
    clients: int,
    boards: int,
    seconds: float,
    interval: float,
) -> dict[str, Any]:
    """Tablets and boards refreshing on their interval, staggered."""
    timings: list[float] = []
    server: dict[str, list[float]] = {"queue": [], "board": []}
    errors: list[str] = []
    lock = threading.Lock()
    browsers = [
        ("queue", *_tablet(base, machines[n % len(machines)], n))
        for n in range(clients)
    ] + [("board", *_desk(base)) for _ in range(boards)]
    stop_at = time.monotonic() + seconds

    def work(kind: str, browser: Browser, path: str, offset: float) -> None:
        time.sleep(offset)
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status, text = browser.request("GET", path)
                ok = status == 200 and ("job-link" in text or kind == "board")
            except OSError as error:
                ok, status = False, str(error)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if kind == "queue":
                    timings.append(elapsed)
                server[kind].append(browser.server_ms)
                if not ok:
                    errors.append(str(status))
            time.sleep(max(0.0, interval - elapsed / 1000))

    threads = [
        threading.Thread(
            target=work, args=(*browser, interval * n / len(browsers)), daemon=True
        )
        for n, browser in enumerate(browsers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "clients": clients,
        "boards": boards,
        "seconds": seconds,
        "requests": len(timings),
        **_summary("", timings),
        "max_ms": round(max(timings), 1) if timings else None,
        "errors": len(errors),
        **_summary("load_queue_server", server["queue"]),
        **_summary("load_board_server", server["board"]),
    }


def _summary(prefix: str, timings: list[float]) -> dict[str, float | None]:
    """Median and 95th percentile, named ``<prefix>_ms`` and ``_p95_ms``."""
    ordered = sorted(timings)
    name = f"{prefix}_" if prefix else ""
    if not ordered:
        return {f"{name}p50_ms": None, f"{name}p95_ms": None}
    p95 = ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]
    return {
        f"{name}p50_ms": round(statistics.median(ordered), 1),
        f"{name}p95_ms": round(p95, 1),
    }
