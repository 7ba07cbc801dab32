"""Schedules, execution on the shop floor, and exceptions.

A scheduling run (排程运算) solves the open operations of released work
orders and produces a schedule version; a supervisor publishes one version,
which becomes the dispatch list (派工单). Operators execute operations on a
tablet terminal: work logs record who worked on what and when, reports the
good and scrap quantities. Exceptions (异常) collect what needs a
supervisor's attention.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from equipment.models import Machine
from mes.lib.states import StatusMachine
from planning.models import WorkOrder, WorkOrderOperation

QUANTITY = {"max_digits": 14, "decimal_places": 4}


class DispatchError(ValidationError):
    """A scheduling or execution request refused, with a translated message."""


class Goal(models.TextChoices):
    MAKESPAN = "makespan", _("Shortest makespan")
    TARDINESS = "tardiness", _("Least weighted tardiness")
    MIX = "mix", _("Tardiness and makespan")


class Method(models.TextChoices):
    SOLVER = "solver", _("Optimising solver")
    EDD = "edd", _("Earliest due date")
    SPT = "spt", _("Shortest processing time")
    FIFO = "fifo", _("First in, first out")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class RunKind(models.TextChoices):
    FULL = "full", _("Full schedule")
    REPAIR = "repair", _("Repair after an event")


class ScheduleRun(models.Model):
    """One solve of the open operations, with its live figures."""

    kind = models.CharField(
        _("kind"), max_length=8, choices=RunKind.choices, default=RunKind.FULL
    )
    goal = models.CharField(
        _("objective"), max_length=12, choices=Goal.choices, default=Goal.MIX
    )
    method = models.CharField(
        _("method"), max_length=8, choices=Method.choices, default=Method.SOLVER
    )
    time_limit_seconds = models.PositiveIntegerField(_("time limit (s)"), default=30)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RunStatus.choices,
        default=RunStatus.QUEUED,
        db_index=True,
    )
    message = models.TextField(_("message"), blank=True)
    solutions = models.PositiveIntegerField(_("solutions found"), default=0)
    objective = models.BigIntegerField(_("best objective"), null=True, blank=True)
    bound = models.BigIntegerField(_("bound"), null=True, blank=True)
    stop_requested = models.BooleanField(_("stop requested"), default=False)
    rule_objectives = models.JSONField(
        _("objective of each dispatching rule"), default=dict, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduling run")
        verbose_name_plural = _("scheduling runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def gap_percent(self) -> float | None:
        if self.objective is None or self.bound is None or not self.objective:
            return None
        return round(100 * (self.objective - self.bound) / self.objective, 1)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class ScheduleVersion(models.Model):
    """A complete schedule of the open operations; one is published."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    run = models.OneToOneField(
        ScheduleRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="version",
        verbose_name=_("scheduling run"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
        db_index=True,
    )
    is_proposal = models.BooleanField(
        _("rescheduling proposal"),
        default=False,
        help_text=_("Computed after an event, to repair the published schedule."),
    )
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    goal = models.CharField(_("objective"), max_length=12, choices=Goal.choices)
    origin = models.DateTimeField(
        _("time zero"), help_text=_("The moment the schedule was computed from.")
    )
    makespan_end = models.DateTimeField(_("last end"), null=True, blank=True)
    weighted_tardiness_minutes = models.BigIntegerField(
        _("weighted tardiness (min)"), default=0
    )
    late_orders = models.PositiveIntegerField(_("late orders"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("schedule version")
        verbose_name_plural = _("schedule versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="published"),
                name="schedule_version_one_published",
            )
        ]

    def __str__(self) -> str:
        return _("Schedule %(number)s") % {"number": self.number}

    @property
    def can_publish(self) -> bool:
        return self.status == VersionStatus.DRAFT


class ScheduledOperation(models.Model):
    """Where and when a version runs an operation."""

    version = models.ForeignKey(
        ScheduleVersion,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("schedule version"),
    )
    operation = models.ForeignKey(
        WorkOrderOperation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("operation"),
    )
    machine = models.ForeignKey(
        Machine, on_delete=models.PROTECT, related_name="+", verbose_name=_("machine")
    )
    start = models.DateTimeField(_("planned start"))
    end = models.DateTimeField(_("planned end"))
    is_kept = models.BooleanField(
        _("kept"), default=False, help_text=_("Locked or already started.")
    )
    is_affected = models.BooleanField(_("affected by the event"), default=False)

    class Meta:
        verbose_name = _("scheduled operation")
        verbose_name_plural = _("scheduled operations")
        ordering = ["version", "machine", "start"]
        indexes = [models.Index(fields=["version", "machine", "start"])]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "operation"], name="scheduled_operation_unique"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="scheduled_operation_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version_id}: {self.operation_id} on {self.machine_id}"


class OperationLock(models.Model):
    """A supervisor's decision the next run respects.

    With ``start`` the operation keeps machine and start (locked); without,
    it only stays on ``machine`` (moved).
    """

    operation = models.OneToOneField(
        WorkOrderOperation,
        on_delete=models.CASCADE,
        related_name="dispatch_lock",
        verbose_name=_("operation"),
    )
    machine = models.ForeignKey(
        Machine, on_delete=models.PROTECT, related_name="+", verbose_name=_("machine")
    )
    start = models.DateTimeField(_("locked start"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("operation lock")
        verbose_name_plural = _("operation locks")

    def __str__(self) -> str:
        return f"{self.operation_id} on {self.machine_id}"


class OperatorBadge(models.Model):
    """How an operator signs on at a terminal: a badge code or a PIN."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="operator_badge",
        verbose_name=_("operator"),
    )
    badge_code = models.CharField(_("badge code"), max_length=60, unique=True)
    pin_hash = models.CharField(_("PIN"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("operator badge")
        verbose_name_plural = _("operator badges")

    def __str__(self) -> str:
        return self.badge_code


class PauseReason(models.TextChoices):
    MATERIAL = "material", _("Waiting for material")
    QUALITY = "quality", _("Waiting for quality")
    MACHINE = "machine", _("Machine problem")
    TOOLING = "tooling", _("Tooling or setup")
    BREAK = "break", _("Break or shift end")
    OTHER = "other", _("Other")


class ScrapReason(models.TextChoices):
    DIMENSION = "dimension", _("Out of tolerance")
    SURFACE = "surface", _("Surface defect")
    MATERIAL = "material", _("Material defect")
    SETUP = "setup", _("Setup parts")
    HANDLING = "handling", _("Handling damage")
    OTHER = "other", _("Other")


class WorkLog(models.Model):
    """Time an operator spent on an operation at a machine; open while it runs."""

    operation = models.ForeignKey(
        WorkOrderOperation,
        on_delete=models.CASCADE,
        related_name="work_logs",
        verbose_name=_("operation"),
    )
    machine = models.ForeignKey(
        Machine, on_delete=models.PROTECT, related_name="+", verbose_name=_("machine")
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("operator"),
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    pause_reason = models.CharField(
        _("pause reason"), max_length=12, choices=PauseReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("work log")
        verbose_name_plural = _("work logs")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["machine"],
                condition=Q(ended_at__isnull=True),
                name="work_log_one_running_per_machine",
            ),
            models.UniqueConstraint(
                fields=["operation"],
                condition=Q(ended_at__isnull=True),
                name="work_log_one_running_per_operation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operation_id} {self.started_at}"

    @property
    def minutes(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds() / 60


class ExecutionReport(models.Model):
    """Good and scrap quantities an operator reported; never twice per tap."""

    operation = models.ForeignKey(
        WorkOrderOperation,
        on_delete=models.CASCADE,
        related_name="execution_reports",
        verbose_name=_("operation"),
    )
    machine = models.ForeignKey(
        Machine, on_delete=models.PROTECT, related_name="+", verbose_name=_("machine")
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("operator"),
    )
    good_quantity = models.DecimalField(_("good quantity"), **QUANTITY)
    scrap_quantity = models.DecimalField(_("scrap quantity"), **QUANTITY)
    scrap_reason = models.CharField(
        _("scrap reason"), max_length=12, choices=ScrapReason.choices, blank=True
    )
    request_key = models.CharField(
        _("request key"),
        max_length=64,
        unique=True,
        help_text=_("One per form shown, so a double tap reports once."),
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("execution report")
        verbose_name_plural = _("execution reports")
        ordering = ["-reported_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(good_quantity__gte=0, scrap_quantity__gte=0),
                name="execution_report_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.operation_id}: {self.good_quantity}/{self.scrap_quantity}"


class ExceptionKind(models.TextChoices):
    MACHINE_DOWN = "machine_down", _("Machine down")
    COMMUNICATION_LOST = "communication_lost", _("Communication lost")
    MAINTENANCE = "maintenance", _("Maintenance started")
    LOT_ON_HOLD = "lot_on_hold", _("Lot on hold")
    MATERIAL_SHORT = "material_short", _("Material short")
    ORDER_ADJUSTED = "order_adjusted", _("Order adjusted")
    ORDER_CANCELLED = "order_cancelled", _("Order cancelled")
    OVERRUN = "overrun", _("Operation overrunning")
    HELP_CALL = "help_call", _("Help call (andon)")
    QUALITY_STOP = "quality_stop", _("Stopped by quality")


class ExceptionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


EXCEPTION_TRANSITIONS: dict[str, frozenset[str]] = {
    ExceptionStatus.OPEN: frozenset(
        {ExceptionStatus.ACKNOWLEDGED, ExceptionStatus.RESOLVED}
    ),
    ExceptionStatus.ACKNOWLEDGED: frozenset({ExceptionStatus.RESOLVED}),
    ExceptionStatus.RESOLVED: frozenset(),
}


class ProductionException(StatusMachine, models.Model):
    """Something on the floor that needs a supervisor (异常)."""

    transitions = EXCEPTION_TRANSITIONS
    transition_error = DispatchError
    transition_refused = _("The exception is %(old)s already.")

    kind = models.CharField(_("kind"), max_length=20, choices=ExceptionKind.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ExceptionStatus.choices,
        default=ExceptionStatus.OPEN,
        db_index=True,
    )
    machine = models.ForeignKey(
        Machine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("machine"),
    )
    work_order = models.ForeignKey(
        WorkOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("work order"),
    )
    operation = models.ForeignKey(
        WorkOrderOperation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operation"),
    )
    message = models.CharField(_("message"), max_length=300)
    source_key = models.CharField(
        _("source key"),
        max_length=100,
        blank=True,
        help_text=_("Identifies the event, so one event raises one exception."),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolution = models.TextField(_("what was done"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("exception")
        verbose_name_plural = _("exceptions")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~Q(source_key="") & ~Q(status="resolved"),
                name="exception_one_open_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message}"

    @property
    def can_acknowledge(self) -> bool:
        return self.can_become(ExceptionStatus.ACKNOWLEDGED)

    @property
    def can_resolve(self) -> bool:
        return self.can_become(ExceptionStatus.RESOLVED)
