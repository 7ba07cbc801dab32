from django.core.management.base import BaseCommand

from mes.lib.services import maintenance_connection, require_redis


class Command(BaseCommand):
    help = (
        "Check that PostgreSQL and Redis can be reached; run before set-up and "
        "tests. Stops with the command that starts a missing server."
    )

    def handle(self, *args: object, **options: object) -> None:
        maintenance_connection().close()
        require_redis()
        self.stdout.write("PostgreSQL and Redis are reachable.")
