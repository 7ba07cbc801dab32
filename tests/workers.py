"""Real Celery worker processes for tests whose behaviour is the worker's.

The worker runs the project's code against the test database and the test
Redis, so tests using it need ``transactional_db`` (the worker is another
connection and only sees committed rows).
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from mes.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def worker_environment() -> dict[str, str]:
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    return os.environ | {
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "mes.settings",
        "PYTHONUNBUFFERED": "1",
    }


@contextmanager
def running_worker(
    queues: str = "celery", name: str = "test", concurrency: int = 2
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a worker on the queues and wait until it answers a ping."""
    node = f"{name}-{os.getpid()}@127.0.0.1"
    command = [
        sys.executable, "-m", "celery", "-A", "mes", "worker",
        "--pool=threads", f"--concurrency={concurrency}", "-Q", queues,
        "-n", node, "--without-gossip", "--without-mingle", "--loglevel=WARNING",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=worker_environment())
    try:
        _wait_for(node, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(node: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Celery worker exited with {process.returncode}")
        replies = celery_app.control.ping(destination=[node], timeout=0.5)
        if replies:
            return
    raise RuntimeError("Celery worker did not answer within 30 seconds")
