"""Read-side selectors of the plant model."""

from django.db.models import Prefetch, QuerySet

from equipment.models import Machine, WorkCenter


def work_centers_with_machines() -> QuerySet[WorkCenter]:
    machines = Machine.objects.filter(is_active=True).order_by("code")
    return (
        WorkCenter.objects.filter(is_active=True)
        .select_related("area__site")
        .prefetch_related(Prefetch("machines", queryset=machines))
        .order_by("area__code", "code")
    )


def get_machine(pk: int) -> Machine:
    return Machine.objects.select_related("work_center__area__site").get(pk=pk)
