"""Run the whole MES on one machine: web, worker, beat and simulated PLCs."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import BaseCommand, CommandError

from mes.demo import DEMO_PASSWORD, DEMO_USERS

READY_TIMEOUT_SECONDS = 90


def plant_processes(port: int) -> list[tuple[str, list[str]]]:
    """The processes of a one-machine plant, each as a name and a command."""
    python = sys.executable
    state_dir = Path(settings.BASE_DIR) / "var"
    state_dir.mkdir(exist_ok=True)
    processes = [
        ("web", [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]),
        (
            "worker",
            [
                python, "-m", "celery", "-A", "mes", "worker",
                "--loglevel=INFO", "--concurrency=2", "-n", "worker@%h",
                "-Q", ",".join(settings.CELERY_WORKER_QUEUES),
            ],
        ),
        (
            # PLC polling runs long loops: a threads pool, on its own queue,
            # so Ctrl-C reaches the loops and other work is never starved.
            "poller",
            [
                python, "-m", "celery", "-A", "mes", "worker",
                "--loglevel=INFO", "--pool=threads", "--concurrency=2",
                "-n", "poller@%h", "-Q", "plc-default",
            ],
        ),
        (
            "beat",
            [
                python, "-m", "celery", "-A", "mes", "beat", "--loglevel=INFO",
                "--schedule", str(state_dir / "celerybeat-schedule"),
            ],
        ),
    ]  # fmt: skip
    if "simulate_plcs" in get_commands():
        processes.append(("plcs", [python, "manage.py", "simulate_plcs"]))
    return processes


class Command(BaseCommand):
    help = (
        "Start the web server, a Celery worker, Celery beat and the simulated "
        "PLCs, wait until /health/ is green and print the URL and demo logins. "
        "Ctrl-C stops them all. `make run` runs it after set-up."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", 8000))
        )

    def handle(self, *args: object, **options: Any) -> None:
        port = options["port"]
        children: dict[str, subprocess.Popen[bytes]] = {}
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            for name, command in plant_processes(port):
                self.stdout.write(f"Starting {name}: {' '.join(command[1:])}")
                children[name] = subprocess.Popen(
                    command, cwd=settings.BASE_DIR, start_new_session=True
                )
            self._wait_until_healthy(port, children, lambda: stopping)
            self._announce(port)
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        raise CommandError(
                            f"{name} stopped with code {child.returncode}."
                        )
                time.sleep(0.5)
        finally:
            self._stop_all(children)
        self.stdout.write("All MES processes stopped.")

    def _wait_until_healthy(
        self, port: int, children: dict[str, subprocess.Popen[bytes]], stopping: Any
    ) -> None:
        url = f"http://127.0.0.1:{port}/health/"
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        last = "no answer yet"
        while time.monotonic() < deadline and not stopping():
            for name, child in children.items():
                if child.poll() is not None:
                    raise CommandError(f"{name} stopped with code {child.returncode}.")
            try:
                with urllib.request.urlopen(url, timeout=3) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                last = error.read().decode(errors="replace")
            except (urllib.error.URLError, OSError) as error:
                last = str(error)
            time.sleep(1)
        if not stopping():
            raise CommandError(f"The MES did not become healthy: {last}")

    def _announce(self, port: int) -> None:
        logins = ", ".join(name for name, *_rest in DEMO_USERS)
        self.stdout.write(
            self.style.SUCCESS(f"\nThe MES is running at http://127.0.0.1:{port}/")
        )
        self.stdout.write(f"Demo logins: {logins}; password for all: {DEMO_PASSWORD}")
        self.stdout.write("Press Ctrl-C to stop.\n")
        self.stdout.flush()

    def _stop_all(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for child in children.values():
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
