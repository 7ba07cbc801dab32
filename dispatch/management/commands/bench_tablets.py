"""Load-test the operator terminal: many tablets refreshing their queues."""

import json
import os
import re
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
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dispatch import execution, gantt, services
from dispatch.models import Method, OperatorBadge
from dispatch.planner import build_problem
from dispatch.scheduling import rules
from dispatch.scheduling.model import Result
from dispatch.scheduling.problem import Objective
from equipment.models import Area, Machine, Site, WorkCenter
from materials.models import Item, ItemKind, UnitOfMeasure
from mes.roles import Role
from planning.models import (
    WorkOrder,
    WorkOrderOperation,
    WorkOrderOperationMachine,
    WorkOrderStatus,
)

PASSWORD = "bench-tablets-2026"
PREFIX = "BENCH"
MACHINES = 20


class Command(BaseCommand):
    help = (
        "Start the MES under gunicorn on 127.0.0.1 and let N tablets (threads "
        "with their own sessions) sign on at machines and refresh their queue "
        "every few seconds, as the terminal page does; print one JSON line with "
        "requests, p50_ms, p95_ms and errors, plus the server time of the queue, "
        "board and Gantt pages. It adds BENCH machines, orders, operators and a "
        "published schedule to the database: run it on a development database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=50)
        parser.add_argument("--seconds", type=float, default=60)
        parser.add_argument("--interval", type=float, default=5)
        parser.add_argument("--operations", type=int, default=600)
        parser.add_argument("--server-workers", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        machines = prepare(options["operations"], options["clients"])
        # A plant's tables carry planner statistics (autovacuum keeps them);
        # freshly bulk-loaded bench rows do not until analysed.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stderr.write("Bench plant ready; measuring server times...")
        figures = server_times(machines[0])
        port = _free_port()
        server = _start_server(port, options["server_workers"])
        try:
            self.stderr.write(
                f"Server on 127.0.0.1:{port}; {options['clients']} tablets..."
            )
            figures |= load_run(
                f"http://127.0.0.1:{port}",
                machines,
                options["clients"],
                options["seconds"],
                options["interval"],
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
        self.stdout.write(json.dumps(figures))


def prepare(operation_count: int, clients: int) -> list[Machine]:
    """Bench machines, an order book on them, published; tablet operators."""
    site, _ = Site.objects.get_or_create(code=PREFIX, defaults={"name": "Bench site"})
    area, _ = Area.objects.get_or_create(
        site=site, code=PREFIX, defaults={"name": "Bench"}
    )
    center, _ = WorkCenter.objects.get_or_create(
        code=PREFIX, defaults={"area": area, "name": "Bench cell"}
    )
    machines = [
        Machine.objects.get_or_create(
            code=f"{PREFIX}-M{number}",
            defaults={"work_center": center, "name": f"Bench machine {number}"},
        )[0]
        for number in range(1, MACHINES + 1)
    ]
    _orders(center, machines, operation_count)
    _operators(clients)
    version = services.published_version()
    busy = set(
        version.entries.values_list("machine_id", flat=True).distinct()
        if version
        else []
    )
    # Tablets stand at machines with work, as on a real floor.
    return [machine for machine in machines if machine.pk in busy] or machines


def _orders(center: WorkCenter, machines: list[Machine], operation_count: int) -> None:
    if WorkOrder.objects.filter(number__startswith=f"{PREFIX}-").exists():
        return
    unit, _ = UnitOfMeasure.objects.get_or_create(code="pcs", defaults={"name": "pcs"})
    product, _ = Item.objects.get_or_create(
        code=f"{PREFIX}-PRODUCT",
        defaults={
            "name": "Bench product",
            "unit": unit,
            "kind": ItemKind.FINISHED_GOOD,
        },
    )
    today = timezone.localdate()
    for index in range(operation_count // 3):
        order = WorkOrder.objects.create(
            number=f"{PREFIX}-{index:05d}",
            product=product,
            quantity=Decimal(20),
            due_date=today + timedelta(days=3 + index % 20),
            status=WorkOrderStatus.RELEASED,
        )
        for step in range(3):
            operation = WorkOrderOperation.objects.create(
                work_order=order,
                sequence=(step + 1) * 10,
                name=f"Step {step + 1}",
                work_center=center,
                setup_minutes=Decimal(10),
                run_minutes_per_unit=Decimal(2),
                quantity=order.quantity,
                instructions="Bench work instruction.",
            )
            for offset in (0, 1):
                machine = machines[(index + step * 2 + offset) % len(machines)]
                WorkOrderOperationMachine.objects.create(
                    operation=operation,
                    machine=machine,
                    run_minutes_per_unit=Decimal(2 + offset),
                    duration_minutes=Decimal(10 + (2 + offset) * 20),
                )
    plant = build_problem()
    schedule = rules.dispatch(plant.problem, rules.Rule.EDD)
    cost = schedule.cost(plant.problem, Objective())
    result = Result(schedule, "rule", cost, 0, 0.0, 0.0, 1, rule=Method.EDD)
    version = services.save_version(None, plant, result, None, note="Bench")
    services.publish_version(version, None)


def _operators(clients: int) -> None:
    supervisor, created = User.objects.get_or_create(username="bench-supervisor")
    if created:
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


def server_times(machine: Machine) -> dict[str, Any]:
    """Median server time of the pages, rendered in this process."""
    client = Client(HTTP_HOST="127.0.0.1")
    operator = User.objects.get(username="bench-operator-000")
    client.force_login(operator)
    queue_url = reverse("dispatch:terminal-machine", args=[machine.pk])
    client.post(queue_url, {"scan": f"{PREFIX}-000"})
    supervisor = User.objects.get(username="bench-supervisor")
    board_client = Client(HTTP_HOST="127.0.0.1")
    board_client.force_login(supervisor)
    htmx = {"HX-Request": "true"}
    rows = len(re.findall(r'class="job-link"', client.get(queue_url).content.decode()))

    def median_ms(action: Any) -> float:
        timings = []
        for _ in range(15):
            started = time.perf_counter()
            action()
            timings.append((time.perf_counter() - started) * 1000)
        return round(statistics.median(timings), 1)

    version = services.published_version()
    return {
        "queue_rows": rows,
        "queue_server_ms": median_ms(lambda: client.get(queue_url, headers=htmx)),
        "board_server_ms": median_ms(
            lambda: board_client.get(reverse("dispatch:board"), headers=htmx)
        ),
        "gantt_week_operations": gantt.render(version, zoom="week").bars,
        "gantt_week_server_ms": median_ms(lambda: gantt.render(version, zoom="week")),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    database = connection.settings_dict
    env = {
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        # Development settings: static files need no collected manifest.
        "DEBUG": "true",
    }

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
        cwd=Path(settings.BASE_DIR),
        env=os.environ | env,
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


class Tablet:
    """One tablet: its own session, signed on at a machine."""

    def __init__(self, base: str, machine: Machine, number: int) -> None:
        self.host = urlsplit(base).netloc
        self.connection = HTTPConnection(self.host, timeout=10)
        self.cookies: dict[str, str] = {}
        self.queue = reverse("dispatch:terminal-machine", args=[machine.pk])
        self.number = number

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        sent |= headers or {}
        data = None
        if body is not None:
            data = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"http://{self.host}{path}"
        self.connection.request(method, path, body=data, headers=sent)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        return response.status, text

    def sign_on(self) -> None:
        self.request("GET", "/login/")
        token = self.cookies.get("csrftoken", "")
        username = f"bench-operator-{self.number:03d}"
        self.request(
            "POST",
            "/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        token = self.cookies.get("csrftoken", token)
        self.request(
            "POST",
            self.queue,
            {"scan": f"{PREFIX}-{self.number:03d}", "csrfmiddlewaretoken": token},
        )


def load_run(
    base: str, machines: list[Machine], clients: int, seconds: float, interval: float
) -> dict[str, Any]:
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    tablets = [Tablet(base, machines[n % len(machines)], n) for n in range(clients)]
    for tablet in tablets:
        tablet.sign_on()
    stop_at = time.monotonic() + seconds

    def work(tablet: Tablet, offset: float) -> None:
        time.sleep(offset)
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status, text = tablet.request(
                    "GET", tablet.queue, headers={"HX-Request": "true"}
                )
                ok = status == 200 and "job-link" in text
            except OSError as error:
                ok, status = False, str(error)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                if not ok:
                    errors.append(str(status))
            time.sleep(max(0.0, interval - elapsed / 1000))

    threads = [
        threading.Thread(target=work, args=(t, interval * n / clients), daemon=True)
        for n, t in enumerate(tablets)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings.sort()
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings), 1) if timings else None,
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1) if timings else None,
        "max_ms": round(timings[-1], 1) if timings else None,
        "errors": len(errors),
    }
