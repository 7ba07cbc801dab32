from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Quality")

    def ready(self) -> None:
        from mes import events
        from quality import inspections

        events.subscribe(events.Event.LOT_RECEIVED, inspections.on_lot_received)
        events.subscribe(
            events.Event.OPERATION_REPORTED, inspections.on_operation_reported
        )
        events.subscribe(
            events.Event.OPERATION_COMPLETED, inspections.on_operation_completed
        )
