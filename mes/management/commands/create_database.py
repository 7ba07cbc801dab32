from django.conf import settings
from django.core.management.base import BaseCommand
from psycopg import sql

from mes.lib.services import maintenance_connection


class Command(BaseCommand):
    help = (
        "Create the MES database named by DATABASE_URL if it does not exist; "
        "safe to run again. Part of `make setup`."
    )

    def handle(self, *args: object, **options: object) -> None:
        name = settings.DATABASES["default"]["NAME"]
        with maintenance_connection() as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if exists:
                self.stdout.write(f"Database {name} exists.")
                return
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            )
        self.stdout.write(f"Database {name} created.")
