import sys

from django.core.management.base import BaseCommand

from planning import mrp
from planning.models import MrpRun


class Command(BaseCommand):
    help = (
        "Run material requirements planning now, in this process, for the "
        "approved, released and running work orders. Use it from cron or "
        "after a bulk import; the planning page starts the same run on a "
        "Celery worker."
    )

    def handle(self, *args: object, **options: object) -> None:
        run = MrpRun.objects.create()

        def progress(percent: int, stage: str) -> None:
            sys.stderr.write(f"\rMRP run {run.pk}: {percent:3d}% {stage:<10}")
            sys.stderr.flush()

        run = mrp.execute(run, progress)
        sys.stderr.write("\n")
        if run.error:
            self.stderr.write(f"MRP run {run.pk} failed: {run.error}")
            return
        self.stdout.write(
            f"MRP run {run.pk}: {run.order_count} orders, {run.item_count} items, "
            f"{run.shortage_count} shortages."
        )
