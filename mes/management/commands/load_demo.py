from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from mes import demo
from mes.demo import DEMO_PASSWORD, DEMO_USERS

# Bottom of the dependency order first: later apps build on earlier data.
DEMO_APPS = ["equipment", "materials", "planning", "dispatch", "quality"]


class Command(BaseCommand):
    help = (
        "Load the demo plant (pump housings: one site, two areas, four work "
        "centers, eight machines, items and users of every role). Safe to run "
        "again: existing records are kept. `make run` runs it."
    )

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            created_users = demo.load()
            for app in DEMO_APPS:
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError:
                    continue
                summary = module.load()
                self.stdout.write(f"{app}: {summary}")

        users = ", ".join(username for username, *_rest in DEMO_USERS)
        self.stdout.write(
            f"Demo plant ready. Users: {users} (password {DEMO_PASSWORD}); "
            f"{len(created_users)} new."
        )
