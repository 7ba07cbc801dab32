"""The equipment app's records.

The plant model (site, area, work center, machine: the ISA-95 hierarchy),
calendars (shift patterns and holidays), PLC connections and register maps,
what the pollers make of the readings (state intervals, production counts,
measured values, alarms), downtime with its reason tree, and maintenance
(plans, orders, fault reports).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mes.lib.states import StatusMachine


class EquipmentError(ValidationError):
    """A refused equipment action; the message says why, translated."""


class Site(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.TextField(_("address"), blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Empty uses the plant's time zone from the settings."),
    )

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Area(models.Model):
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="areas", verbose_name=_("site")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["site__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="area_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class WorkCenter(models.Model):
    """A line or cell: a group of machines that can do the same operations."""

    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="work_centers",
        verbose_name=_("area"),
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    shift_pattern = models.ForeignKey(
        "ShiftPattern",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_centers",
        verbose_name=_("shift pattern"),
        help_text=_("Empty: the work center works around the clock."),
    )
    line_side_location = models.ForeignKey(
        "materials.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_centers",
        verbose_name=_("line-side location"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("work center")
        verbose_name_plural = _("work centers")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Machine(models.Model):
    """A machine (ISA-95 work unit) that runs operations."""

    work_center = models.ForeignKey(
        WorkCenter,
        on_delete=models.PROTECT,
        related_name="machines",
        verbose_name=_("work center"),
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    model_number = models.CharField(_("model"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    ideal_cycle_seconds = models.DecimalField(
        _("ideal cycle time (s)"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Fastest possible time for one part, used for OEE performance."),
    )
    shift_pattern = models.ForeignKey(
        "ShiftPattern",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="machines",
        verbose_name=_("shift pattern"),
        help_text=_("Empty: the machine follows its work center's shift pattern."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("machine")
        verbose_name_plural = _("machines")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ideal_cycle_seconds__isnull=True)
                | models.Q(ideal_cycle_seconds__gt=0),
                name="machine_ideal_cycle_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# Calendars.


class ShiftPattern(models.Model):
    """A weekly pattern of shifts, giving a machine its planned production time."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("shift pattern")
        verbose_name_plural = _("shift patterns")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Shift(models.Model):
    """One shift of a pattern, worked on the listed ISO weekdays (1 = Monday).

    A shift whose end is not after its start runs past midnight into the
    next day; it belongs to the day it starts on.
    """

    pattern = models.ForeignKey(
        ShiftPattern,
        on_delete=models.CASCADE,
        related_name="shifts",
        verbose_name=_("shift pattern"),
    )
    name = models.CharField(_("name"), max_length=50)
    weekdays = models.CharField(
        _("weekdays"),
        max_length=7,
        default="12345",
        validators=[
            RegexValidator(
                r"^[1-7]{1,7}$", _("Use the digits 1 (Monday) to 7 (Sunday).")
            )
        ],
        help_text=_("ISO weekdays the shift is worked, e.g. 12345 for Monday-Friday."),
    )
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    break_minutes = models.PositiveIntegerField(
        _("break minutes"),
        default=0,
        help_text=_("Paid breaks in the shift, not planned production time."),
    )

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["pattern", "start_time"]

    def __str__(self) -> str:
        return f"{self.name} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class Holiday(models.Model):
    """A day without production: plant-wide, or for one work center or machine."""

    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)
    work_center = models.ForeignKey(
        WorkCenter,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holidays",
        verbose_name=_("work center"),
    )
    machine = models.ForeignKey(
        Machine,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holidays",
        verbose_name=_("machine"),
    )

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


# PLC connections and register maps.


class PlcDevice(models.Model):
    """A machine's PLC, reached over Modbus TCP, and its polling settings."""

    machine = models.OneToOneField(
        Machine,
        on_delete=models.CASCADE,
        related_name="plc",
        verbose_name=_("machine"),
    )
    host = models.CharField(_("host"), max_length=255)
    port = models.PositiveIntegerField(
        _("port"), default=502, validators=[MaxValueValidator(65535)]
    )
    unit_id = models.PositiveSmallIntegerField(
        _("unit id"), default=1, validators=[MaxValueValidator(255)]
    )
    timeout_seconds = models.DecimalField(
        _("timeout (s)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.05"))],
    )
    poll_interval_seconds = models.DecimalField(
        _("poll interval (s)"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.10"))],
    )
    polling_group = models.SlugField(
        _("polling group"),
        max_length=40,
        default="default",
        help_text=_(
            "Devices of a group are polled by the workers of the Celery queue "
            "plc-<group>."
        ),
    )
    running_values = models.CharField(
        _("running values"),
        max_length=50,
        default="1",
        help_text=_("Run state values meaning running, comma separated."),
    )
    idle_values = models.CharField(
        _("idle values"),
        max_length=50,
        default="2",
        blank=True,
        help_text=_("Run state values meaning idle, comma separated."),
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("PLC")
        verbose_name_plural = _("PLCs")
        ordering = ["machine__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(poll_interval_seconds__gt=0), name="plc_interval_positive"
            ),
            models.CheckConstraint(
                condition=Q(timeout_seconds__gt=0), name="plc_timeout_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.machine.code} {self.host}:{self.port}/{self.unit_id}"

    @property
    def queue(self) -> str:
        return f"plc-{self.polling_group}"


class RegisterKind(models.TextChoices):
    COIL = "coil", _("Coil")
    DISCRETE_INPUT = "discrete_input", _("Discrete input")
    HOLDING = "holding", _("Holding register")
    INPUT = "input", _("Input register")


class DataType(models.TextChoices):
    BOOL = "bool", _("Boolean")
    INT16 = "int16", _("16-bit integer")
    UINT16 = "uint16", _("16-bit unsigned integer")
    INT32 = "int32", _("32-bit integer")
    UINT32 = "uint32", _("32-bit unsigned integer")
    FLOAT32 = "float32", _("32-bit float")


class WordOrder(models.TextChoices):
    BIG = "big", _("High word first")
    LITTLE = "little", _("Low word first")


class TagRole(models.TextChoices):
    RUN_STATE = "run_state", _("Run state")
    GOOD_COUNT = "good_count", _("Good count")
    SCRAP_COUNT = "scrap_count", _("Scrap count")
    ALARM_CODE = "alarm_code", _("Alarm code")
    SPEED = "speed", _("Speed")
    TEMPERATURE = "temperature", _("Temperature")
    VALUE = "value", _("Measured value")


# Roles a device has at most once.
SINGLE_ROLES = {
    TagRole.RUN_STATE,
    TagRole.GOOD_COUNT,
    TagRole.SCRAP_COUNT,
    TagRole.ALARM_CODE,
}
MEASURED_ROLES = {TagRole.SPEED, TagRole.TEMPERATURE, TagRole.VALUE}


class Tag(models.Model):
    """One value in a PLC's register map."""

    device = models.ForeignKey(
        PlcDevice, on_delete=models.CASCADE, related_name="tags", verbose_name=_("PLC")
    )
    name = models.CharField(_("name"), max_length=60)
    register_kind = models.CharField(
        _("register kind"), max_length=16, choices=RegisterKind.choices
    )
    address = models.PositiveIntegerField(
        _("address"), validators=[MaxValueValidator(65535)]
    )
    data_type = models.CharField(_("data type"), max_length=8, choices=DataType.choices)
    word_order = models.CharField(
        _("word order"), max_length=8, choices=WordOrder.choices, default=WordOrder.BIG
    )
    scale = models.DecimalField(
        _("scale"), max_digits=12, decimal_places=6, default=Decimal(1)
    )
    offset = models.DecimalField(
        _("offset"), max_digits=12, decimal_places=6, default=Decimal(0)
    )
    role = models.CharField(_("role"), max_length=16, choices=TagRole.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    minimum = models.DecimalField(
        _("minimum"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    maximum = models.DecimalField(
        _("maximum"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    deadband = models.DecimalField(
        _("deadband"),
        max_digits=12,
        decimal_places=4,
        default=Decimal(0),
        help_text=_("History keeps a new value only when it moved this much."),
    )

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["device", "register_kind", "address"]
        constraints = [
            models.UniqueConstraint(fields=["device", "name"], name="tag_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


# What the pollers make of the readings.


class MachineState(models.TextChoices):
    RUNNING = "running", _("Running")
    IDLE = "idle", _("Idle")
    STOPPED = "stopped", _("Stopped")
    ALARM = "alarm", _("Alarm")
    PLANNED_STOP = "planned_stop", _("Planned stop")
    COMMUNICATION_LOST = "communication_lost", _("Communication lost")
    UNKNOWN = "unknown", _("Unknown")


# States that stop production: long ones open a downtime event.
STOP_STATES = {MachineState.IDLE, MachineState.STOPPED, MachineState.ALARM}


class StateInterval(models.Model):
    """A stretch of time a machine spent in one state; open while it lasts."""

    machine = models.ForeignKey(
        Machine,
        on_delete=models.CASCADE,
        related_name="state_intervals",
        verbose_name=_("machine"),
    )
    state = models.CharField(_("state"), max_length=20, choices=MachineState.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    alarm_code = models.PositiveIntegerField(_("alarm code"), null=True, blank=True)

    class Meta:
        verbose_name = _("state interval")
        verbose_name_plural = _("state intervals")
        ordering = ["machine", "started_at"]
        indexes = [models.Index(fields=["machine", "started_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["machine"],
                condition=Q(ended_at__isnull=True),
                name="state_interval_one_open",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(ended_at__gte=models.F("started_at")),
                name="state_interval_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.machine_id} {self.state} {self.started_at}"


class CountSource(models.TextChoices):
    PLC = "plc", _("PLC")
    MANUAL = "manual", _("Manual report")


class ProductionCount(models.Model):
    """Good and scrap parts a machine made in one minute, from one source."""

    machine = models.ForeignKey(
        Machine,
        on_delete=models.CASCADE,
        related_name="production_counts",
        verbose_name=_("machine"),
    )
    period_start = models.DateTimeField(_("minute"))
    source = models.CharField(
        _("source"), max_length=8, choices=CountSource.choices, default=CountSource.PLC
    )
    good = models.PositiveIntegerField(_("good quantity"), default=0)
    scrap = models.PositiveIntegerField(_("scrap quantity"), default=0)

    class Meta:
        verbose_name = _("production count")
        verbose_name_plural = _("production counts")
        ordering = ["machine", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["machine", "period_start", "source"],
                name="production_count_unique_minute",
            )
        ]

    def __str__(self) -> str:
        return f"{self.machine_id} {self.period_start} {self.good}/{self.scrap}"


class PollerSnapshot(models.Model):
    """What the pollers last knew of a PLC; makes polling survive restarts.

    The counters' last raw values are written in the same transaction as
    the counts they produced, so a restarted worker continues from them and
    neither loses nor doubles parts.
    """

    device = models.OneToOneField(
        PlcDevice,
        on_delete=models.CASCADE,
        related_name="snapshot",
        verbose_name=_("PLC"),
    )
    good_raw = models.BigIntegerField(_("last good counter"), null=True, blank=True)
    scrap_raw = models.BigIntegerField(_("last scrap counter"), null=True, blank=True)
    values = models.JSONField(_("last stored values"), default=dict, blank=True)
    failures = models.PositiveIntegerField(_("failed polls in a row"), default=0)
    last_polled_at = models.DateTimeField(_("last poll"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    problems = models.JSONField(_("reported problems"), default=list, blank=True)
    poller = models.CharField(_("poller"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("poller snapshot")
        verbose_name_plural = _("poller snapshots")

    def __str__(self) -> str:
        return str(self.device_id)


class MachineUsage(models.Model):
    """Cycles and run hours of a machine, for maintenance by usage."""

    machine = models.OneToOneField(
        Machine,
        on_delete=models.CASCADE,
        related_name="usage",
        verbose_name=_("machine"),
    )
    cycles = models.BigIntegerField(_("cycles"), default=0)
    run_seconds = models.FloatField(_("run seconds"), default=0)

    class Meta:
        verbose_name = _("machine usage")
        verbose_name_plural = _("machine usage")

    def __str__(self) -> str:
        return str(self.machine_id)

    @property
    def run_hours(self) -> float:
        return self.run_seconds / 3600


class MeasuredValue(models.Model):
    """A measured value kept in the history (on change beyond the deadband)."""

    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="history", verbose_name=_("tag")
    )
    machine = models.ForeignKey(
        Machine,
        on_delete=models.CASCADE,
        related_name="measured_values",
        verbose_name=_("machine"),
    )
    measured_at = models.DateTimeField(_("measured at"))
    value = models.FloatField(_("value"))

    class Meta:
        verbose_name = _("measured value")
        verbose_name_plural = _("measured values")
        ordering = ["tag", "measured_at"]
        indexes = [models.Index(fields=["machine", "measured_at"])]

    def __str__(self) -> str:
        return f"{self.tag_id} {self.measured_at} {self.value}"


class FailureCategory(models.TextChoices):
    MECHANICAL = "mechanical", _("Mechanical")
    ELECTRICAL = "electrical", _("Electrical")
    HYDRAULIC = "hydraulic", _("Hydraulic and pneumatic")
    CONTROL = "control", _("Control and software")
    TOOLING = "tooling", _("Tooling")
    OTHER = "other", _("Other")


class AlarmCode(models.Model):
    """A PLC alarm code and what it means; may raise a fault report."""

    code = models.PositiveIntegerField(_("code"), unique=True)
    text = models.CharField(_("text"), max_length=200)
    raises_fault_report = models.BooleanField(
        _("raises a fault report"),
        default=False,
        help_text=_("The alarm opens a repair order for the machine."),
    )
    failure_category = models.CharField(
        _("failure category"),
        max_length=20,
        choices=FailureCategory.choices,
        blank=True,
    )

    class Meta:
        verbose_name = _("alarm code")
        verbose_name_plural = _("alarm codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Alarm(models.Model):
    """An alarm a machine raised, open while its code stays on."""

    machine = models.ForeignKey(
        Machine,
        on_delete=models.CASCADE,
        related_name="alarms",
        verbose_name=_("machine"),
    )
    code = models.PositiveIntegerField(_("code"))
    alarm_code = models.ForeignKey(
        AlarmCode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alarms",
        verbose_name=_("alarm code"),
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["machine"],
                condition=Q(ended_at__isnull=True),
                name="alarm_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.machine_id} {self.code}"


# Downtime.


class DowntimeCategory(models.TextChoices):
    BREAKDOWN = "breakdown", _("Breakdown")
    CHANGEOVER = "changeover", _("Changeover")
    NO_MATERIAL = "no_material", _("No material")
    NO_OPERATOR = "no_operator", _("No operator")
    QUALITY = "quality", _("Quality problem")
    MAINTENANCE = "maintenance", _("Planned maintenance")
    BREAK = "break", _("Break")
    OTHER = "other", _("Other")


class DowntimeReason(models.Model):
    """A node of the reason tree: planned or unplanned, in a category."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent reason"),
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(
        _("category"), max_length=20, choices=DowntimeCategory.choices
    )
    is_planned = models.BooleanField(_("planned"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("downtime reason")
        verbose_name_plural = _("downtime reasons")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DowntimeKind(models.TextChoices):
    DOWNTIME = "downtime", _("Downtime")
    MICRO_STOP = "micro_stop", _("Micro-stop")


class DowntimeEvent(models.Model):
    """A stop of a machine, opened by the poller or entered by hand."""

    machine = models.ForeignKey(
        Machine,
        on_delete=models.CASCADE,
        related_name="downtime_events",
        verbose_name=_("machine"),
    )
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=DowntimeKind.choices,
        default=DowntimeKind.DOWNTIME,
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    reason = models.ForeignKey(
        DowntimeReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("reason"),
    )
    source = models.CharField(
        _("source"), max_length=8, choices=CountSource.choices, default=CountSource.PLC
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("classified by"),
    )
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("downtime event")
        verbose_name_plural = _("downtime events")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["machine", "started_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["machine"],
                condition=Q(ended_at__isnull=True),
                name="downtime_one_open",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(ended_at__gte=models.F("started_at")),
                name="downtime_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.machine_id} {self.started_at}"

    @property
    def duration_seconds(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


# Maintenance.


class PlanTrigger(models.TextChoices):
    CALENDAR = "calendar", _("By calendar")
    CYCLES = "cycles", _("By cycles")
    RUN_HOURS = "run_hours", _("By run hours")


class MaintenancePlan(models.Model):
    """Preventive maintenance of a machine, due by calendar or by usage."""

    machine = models.ForeignKey(
        Machine,
        on_delete=models.CASCADE,
        related_name="maintenance_plans",
        verbose_name=_("machine"),
    )
    name = models.CharField(_("name"), max_length=100)
    trigger = models.CharField(_("trigger"), max_length=12, choices=PlanTrigger.choices)
    interval_days = models.PositiveIntegerField(
        _("interval (days)"), null=True, blank=True
    )
    interval_usage = models.PositiveIntegerField(
        _("interval (cycles or run hours)"), null=True, blank=True
    )
    duration_minutes = models.PositiveIntegerField(
        _("planned duration (min)"), default=60
    )
    last_done_at = models.DateTimeField(_("last done at"), null=True, blank=True)
    last_done_usage = models.FloatField(
        _("usage when last done"),
        default=0,
        help_text=_("Cycles or run hours of the machine at the last maintenance."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["machine__code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(trigger="calendar") | Q(interval_days__gt=0),
                name="maintenance_plan_calendar_interval",
            ),
            models.CheckConstraint(
                condition=Q(trigger="calendar") | Q(interval_usage__gt=0),
                name="maintenance_plan_usage_interval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.machine.code} {self.name}"


class ChecklistItem(models.Model):
    """A check (点检) of a plan, with the value expected."""

    plan = models.ForeignKey(
        MaintenancePlan,
        on_delete=models.CASCADE,
        related_name="checklist",
        verbose_name=_("maintenance plan"),
    )
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    text = models.CharField(_("check"), max_length=200)
    expected_value = models.CharField(_("expected value"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["plan", "sequence"]

    def __str__(self) -> str:
        return self.text


class FaultReport(models.Model):
    """A fault reported by an operator or raised by a PLC alarm."""

    machine = models.ForeignKey(
        Machine,
        on_delete=models.CASCADE,
        related_name="fault_reports",
        verbose_name=_("machine"),
    )
    description = models.TextField(_("description"))
    failure_category = models.CharField(
        _("failure category"),
        max_length=20,
        choices=FailureCategory.choices,
        default=FailureCategory.OTHER,
    )
    alarm = models.ForeignKey(
        Alarm,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fault_reports",
        verbose_name=_("alarm"),
    )
    machine_stopped = models.BooleanField(_("machine stopped"), default=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"))

    class Meta:
        verbose_name = _("fault report")
        verbose_name_plural = _("fault reports")
        ordering = ["-reported_at"]

    def __str__(self) -> str:
        return f"{self.machine.code} {self.reported_at:%Y-%m-%d %H:%M}"


class OrderKind(models.TextChoices):
    PREVENTIVE = "preventive", _("Preventive maintenance")
    REPAIR = "repair", _("Repair")


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


ORDER_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.OPEN: {OrderStatus.IN_PROGRESS, OrderStatus.CANCELLED},
    OrderStatus.IN_PROGRESS: {OrderStatus.COMPLETED},
    OrderStatus.COMPLETED: {OrderStatus.CLOSED, OrderStatus.IN_PROGRESS},
    OrderStatus.CLOSED: set(),
    OrderStatus.CANCELLED: set(),
}


class MaintenanceOrder(StatusMachine, models.Model):
    """Preventive maintenance or a repair, done by a technician."""

    transitions = ORDER_TRANSITIONS
    transition_error = EquipmentError
    transition_refused = _("A maintenance order that is %(old)s cannot become %(new)s.")

    number = models.CharField(_("number"), max_length=20, unique=True)
    machine = models.ForeignKey(
        Machine,
        on_delete=models.PROTECT,
        related_name="maintenance_orders",
        verbose_name=_("machine"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=OrderKind.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=OrderStatus.choices,
        default=OrderStatus.OPEN,
    )
    plan = models.ForeignKey(
        MaintenancePlan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("maintenance plan"),
    )
    fault_report = models.OneToOneField(
        FaultReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order",
        verbose_name=_("fault report"),
    )
    failure_category = models.CharField(
        _("failure category"),
        max_length=20,
        choices=FailureCategory.choices,
        blank=True,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="maintenance_orders",
        verbose_name=_("assigned to"),
    )
    due_at = models.DateTimeField(_("due at"))
    planned_minutes = models.PositiveIntegerField(
        _("planned duration (min)"), default=60
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    usage_at_start = models.FloatField(_("usage at start"), default=0)
    work_done = models.TextField(_("work done"), blank=True)
    minutes_spent = models.PositiveIntegerField(_("time spent (min)"), default=0)
    feedback = models.TextField(_("feedback"), blank=True)

    class Meta:
        verbose_name = _("maintenance order")
        verbose_name_plural = _("maintenance orders")
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status__in=["open", "in_progress"]),
                name="maintenance_order_one_open_per_plan",
            )
        ]

    def __str__(self) -> str:
        return self.number

    def can_start(self) -> bool:
        return self.can_become(OrderStatus.IN_PROGRESS)

    def can_complete(self) -> bool:
        return self.can_become(OrderStatus.COMPLETED)

    def can_close(self) -> bool:
        return self.can_become(OrderStatus.CLOSED)

    def can_cancel(self) -> bool:
        return self.can_become(OrderStatus.CANCELLED)


class ChecklistResult(models.Model):
    """The value a technician found for one check of an order."""

    order = models.ForeignKey(
        MaintenanceOrder,
        on_delete=models.CASCADE,
        related_name="checklist_results",
        verbose_name=_("maintenance order"),
    )
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    text = models.CharField(_("check"), max_length=200)
    expected_value = models.CharField(_("expected value"), max_length=100, blank=True)
    found_value = models.CharField(_("found value"), max_length=100, blank=True)
    is_ok = models.BooleanField(_("OK"), null=True)

    class Meta:
        verbose_name = _("checklist result")
        verbose_name_plural = _("checklist results")
        ordering = ["order", "sequence"]

    def __str__(self) -> str:
        return self.text


class SparePartUse(models.Model):
    """A spare part (an item of the materials app) used by an order."""

    order = models.ForeignKey(
        MaintenanceOrder,
        on_delete=models.CASCADE,
        related_name="spare_parts",
        verbose_name=_("maintenance order"),
    )
    item = models.ForeignKey(
        "materials.Item",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("item"),
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )

    class Meta:
        verbose_name = _("spare part used")
        verbose_name_plural = _("spare parts used")

    def __str__(self) -> str:
        return f"{self.item_id} x {self.quantity}"
