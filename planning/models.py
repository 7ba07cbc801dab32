"""Product definitions, production plans and work orders.

A product (a finished or semi-finished ``materials.Item``) has versioned bills
of material and routings. A new version is drafted, submitted for review and
released; releasing it makes the previous released version obsolete, so a
product has at most one released BOM and one released routing at a time
(a partial unique constraint guards this). Work orders keep the versions they
were released with.

Work orders follow an explicit state machine (``WORK_ORDER_TRANSITIONS``).
Models keep single-row rules only; the verbs that lock, audit and publish
live in ``planning.services``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from equipment.models import Machine, WorkCenter
from materials.models import Item
from mes.lib.states import StatusMachine

ZERO = Decimal("0")
HUNDRED = Decimal("100")


class PlanningError(ValidationError):
    """A refused planning action, carrying a translated message for the user."""


# Product definitions ------------------------------------------------------


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    RELEASED = "released", _("Released")
    OBSOLETE = "obsolete", _("Obsolete")


VERSION_TRANSITIONS: dict[str, set[str]] = {
    VersionStatus.DRAFT: {VersionStatus.IN_REVIEW},
    VersionStatus.IN_REVIEW: {VersionStatus.RELEASED, VersionStatus.DRAFT},
    VersionStatus.RELEASED: {VersionStatus.OBSOLETE},
    VersionStatus.OBSOLETE: set(),
}


class VersionedDefinition(StatusMachine, models.Model):
    """The shared fields and status rules of BOM and routing versions."""

    transitions = VERSION_TRANSITIONS
    transition_error = PlanningError

    product = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.product.code} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Bom(VersionedDefinition):
    """One version of a product's bill of material (物料清单)."""

    product = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="boms", verbose_name=_("product")
    )

    class Meta:
        verbose_name = _("bill of material")
        verbose_name_plural = _("bills of material")
        ordering = ["product__code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "version"], name="bom_version_unique"
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(status="released"),
                name="bom_one_released_per_product",
            ),
        ]


class BomLine(models.Model):
    """A component of a BOM: how much per unit of the product, with scrap."""

    bom = models.ForeignKey(
        Bom, on_delete=models.CASCADE, related_name="lines", verbose_name=_("BOM")
    )
    position = models.PositiveIntegerField(_("position"), default=10)
    component = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="used_in_bom_lines",
        verbose_name=_("component"),
    )
    quantity = models.DecimalField(
        _("quantity per unit"),
        max_digits=14,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text=_("Quantity of the component for one unit of the product."),
    )
    scrap_percent = models.DecimalField(
        _("scrap allowance (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("99.99"))],
        help_text=_("Extra share of the component expected to be lost."),
    )
    operation_sequence = models.PositiveIntegerField(
        _("consumed at operation"),
        null=True,
        blank=True,
        help_text=_("Sequence number of the routing operation that uses it."),
    )

    class Meta:
        verbose_name = _("BOM line")
        verbose_name_plural = _("BOM lines")
        ordering = ["bom", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="bom_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(scrap_percent__gte=0, scrap_percent__lt=100),
                name="bom_line_scrap_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bom}: {self.component.code} x {self.quantity}"

    @property
    def gross_quantity_per_unit(self) -> Decimal:
        """Quantity per unit including the scrap allowance."""
        return self.quantity * (1 + self.scrap_percent / HUNDRED)


class Routing(VersionedDefinition):
    """One version of a product's routing (工艺路线)."""

    product = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="routings",
        verbose_name=_("product"),
    )
    product_family = models.CharField(
        _("product family"),
        max_length=40,
        blank=True,
        help_text=_("Products of one family need no changeover between them."),
    )

    class Meta:
        verbose_name = _("routing")
        verbose_name_plural = _("routings")
        ordering = ["product__code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "version"], name="routing_version_unique"
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(status="released"),
                name="routing_one_released_per_product",
            ),
        ]


class RoutingOperation(models.Model):
    """A step of a routing (工序) at a work center."""

    routing = models.ForeignKey(
        Routing,
        on_delete=models.CASCADE,
        related_name="operations",
        verbose_name=_("routing"),
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    name = models.CharField(_("name"), max_length=100)
    work_center = models.ForeignKey(
        WorkCenter,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("work center"),
    )
    setup_minutes = models.DecimalField(
        _("setup time (min)"),
        max_digits=10,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    run_minutes_per_unit = models.DecimalField(
        _("run time per unit (min)"),
        max_digits=10,
        decimal_places=3,
        validators=[MinValueValidator(ZERO)],
    )
    requires_inspection = models.BooleanField(
        _("inspection required"),
        default=False,
        help_text=_("Parts of this operation are inspected before they move on."),
    )
    instructions = models.TextField(_("work instruction"), blank=True)

    class Meta:
        verbose_name = _("routing operation")
        verbose_name_plural = _("routing operations")
        ordering = ["routing", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["routing", "sequence"], name="routing_operation_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(setup_minutes__gte=0, run_minutes_per_unit__gte=0),
                name="routing_operation_times_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sequence} {self.name}"


class RoutingOperationMachine(models.Model):
    """A machine able to run an operation, with its own run time if it differs."""

    operation = models.ForeignKey(
        RoutingOperation,
        on_delete=models.CASCADE,
        related_name="machines",
        verbose_name=_("operation"),
    )
    machine = models.ForeignKey(
        Machine, on_delete=models.PROTECT, related_name="+", verbose_name=_("machine")
    )
    run_minutes_per_unit = models.DecimalField(
        _("run time per unit (min)"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Empty uses the operation's run time."),
    )

    class Meta:
        verbose_name = _("alternative machine")
        verbose_name_plural = _("alternative machines")
        ordering = ["operation", "machine__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "machine"], name="routing_machine_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.operation}: {self.machine.code}"

    @property
    def effective_run_minutes(self) -> Decimal:
        if self.run_minutes_per_unit is None:
            return self.operation.run_minutes_per_unit
        return self.run_minutes_per_unit


class WorkInstructionFile(models.Model):
    """A file attached to an operation's work instruction (作业指导书)."""

    operation = models.ForeignKey(
        RoutingOperation,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name=_("operation"),
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="planning/instructions/%Y/")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("work instruction file")
        verbose_name_plural = _("work instruction files")
        ordering = ["operation", "title"]

    def __str__(self) -> str:
        return self.title


# Production plans ---------------------------------------------------------


class PlanPeriod(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class ProductionPlan(models.Model):
    """A group of work orders for a week or month, with its targets."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    period = models.CharField(
        _("period"), max_length=8, choices=PlanPeriod.choices, default=PlanPeriod.WEEK
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("production plan")
        verbose_name_plural = _("production plans")
        ordering = ["-starts_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="production_plan_period_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProductionPlanTarget(models.Model):
    """The quantity of a product a plan aims to make."""

    plan = models.ForeignKey(
        ProductionPlan,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("production plan"),
    )
    product = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.DecimalField(
        _("target quantity"), max_digits=14, decimal_places=4
    )

    class Meta:
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")
        ordering = ["plan", "product__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "product"], name="plan_target_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="plan_target_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code}: {self.product.code} x {self.quantity}"


# Work orders --------------------------------------------------------------


class WorkOrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    RELEASED = "released", _("Released")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Each status lists the statuses it may move to; nothing else is allowed.
WORK_ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    WorkOrderStatus.DRAFT: frozenset(
        {WorkOrderStatus.SUBMITTED, WorkOrderStatus.CANCELLED}
    ),
    WorkOrderStatus.SUBMITTED: frozenset(
        {WorkOrderStatus.APPROVED, WorkOrderStatus.RETURNED, WorkOrderStatus.CANCELLED}
    ),
    WorkOrderStatus.RETURNED: frozenset(
        {WorkOrderStatus.SUBMITTED, WorkOrderStatus.CANCELLED}
    ),
    WorkOrderStatus.APPROVED: frozenset(
        {WorkOrderStatus.RELEASED, WorkOrderStatus.RETURNED, WorkOrderStatus.CANCELLED}
    ),
    WorkOrderStatus.RELEASED: frozenset(
        {
            WorkOrderStatus.IN_PROGRESS,
            WorkOrderStatus.COMPLETED,
            WorkOrderStatus.CANCELLED,
        }
    ),
    WorkOrderStatus.IN_PROGRESS: frozenset({WorkOrderStatus.COMPLETED}),
    WorkOrderStatus.COMPLETED: frozenset({WorkOrderStatus.CLOSED}),
    WorkOrderStatus.CLOSED: frozenset(),
    WorkOrderStatus.CANCELLED: frozenset(),
}

# Statuses in which the order's header may still be edited freely.
EDITABLE_STATUSES = frozenset({WorkOrderStatus.DRAFT, WorkOrderStatus.RETURNED})
# Statuses in which quantity, due date and priority change by adjustment.
ADJUSTABLE_STATUSES = frozenset(
    {WorkOrderStatus.APPROVED, WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS}
)
# Orders whose requirements and load count in MRP and capacity.
PLANNED_STATUSES = frozenset(
    {WorkOrderStatus.APPROVED, WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS}
)
OPEN_STATUSES = frozenset(
    {
        WorkOrderStatus.DRAFT,
        WorkOrderStatus.SUBMITTED,
        WorkOrderStatus.RETURNED,
        WorkOrderStatus.APPROVED,
        WorkOrderStatus.RELEASED,
        WorkOrderStatus.IN_PROGRESS,
    }
)
DONE_STATUSES = frozenset({WorkOrderStatus.COMPLETED, WorkOrderStatus.CLOSED})


class Priority(models.IntegerChoices):
    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")
    LOW = 4, _("Low")


class WorkOrder(StatusMachine, models.Model):
    """A request to make a quantity of a product by a due date (生产工单)."""

    transitions = WORK_ORDER_TRANSITIONS
    transition_error = PlanningError
    transition_refused = _(
        "Work order %(record)s is %(old)s and cannot become %(new)s."
    )

    number = models.CharField(_("number"), max_length=30, unique=True)
    product = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("product"),
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    due_date = models.DateField(_("due date"))
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    customer_reference = models.CharField(
        _("customer or sales reference"), max_length=100, blank=True
    )
    plan = models.ForeignKey(
        ProductionPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("production plan"),
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=WorkOrderStatus.choices,
        default=WorkOrderStatus.DRAFT,
        db_index=True,
    )
    return_reason = models.TextField(
        _("return reason"),
        blank=True,
        help_text=_("Why the reviewer sent the order back, the latest time."),
    )
    bom = models.ForeignKey(
        Bom,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("BOM version"),
    )
    routing = models.ForeignKey(
        Routing,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("routing version"),
    )
    good_quantity = models.DecimalField(
        _("good quantity"), max_digits=14, decimal_places=4, default=ZERO
    )
    scrap_quantity = models.DecimalField(
        _("scrap quantity"), max_digits=14, decimal_places=4, default=ZERO
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
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["due_date", "priority", "number"]
        indexes = [models.Index(fields=["status", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="work_order_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(good_quantity__gte=0, scrap_quantity__gte=0),
                name="work_order_made_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def reference(self) -> str:
        """The plain string other apps record against this order."""
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    # State-only checks; services.can_* add the roles of the user.
    def can_submit(self) -> bool:
        return self.can_become(WorkOrderStatus.SUBMITTED)

    def can_approve(self) -> bool:
        return self.can_become(WorkOrderStatus.APPROVED)

    def can_return(self) -> bool:
        return self.can_become(WorkOrderStatus.RETURNED)

    def can_release(self) -> bool:
        return self.can_become(WorkOrderStatus.RELEASED)

    def can_start(self) -> bool:
        return self.can_become(WorkOrderStatus.IN_PROGRESS)

    def can_complete(self) -> bool:
        return self.can_become(WorkOrderStatus.COMPLETED)

    def can_close(self) -> bool:
        return self.can_become(WorkOrderStatus.CLOSED)

    def can_cancel(self) -> bool:
        return self.can_become(WorkOrderStatus.CANCELLED)

    def can_adjust(self) -> bool:
        return self.status in ADJUSTABLE_STATUSES

    def can_edit(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def can_delete(self) -> bool:
        return self.status == WorkOrderStatus.DRAFT


class OperationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class WorkOrderOperation(models.Model):
    """An operation of a released work order, copied from its routing.

    The dispatch app schedules these on the eligible machines.
    """

    work_order = models.ForeignKey(
        WorkOrder,
        on_delete=models.CASCADE,
        related_name="operations",
        verbose_name=_("work order"),
    )
    routing_operation = models.ForeignKey(
        RoutingOperation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("routing operation"),
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    name = models.CharField(_("name"), max_length=100)
    work_center = models.ForeignKey(
        WorkCenter,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("work center"),
    )
    setup_minutes = models.DecimalField(
        _("setup time (min)"), max_digits=10, decimal_places=2, default=ZERO
    )
    run_minutes_per_unit = models.DecimalField(
        _("run time per unit (min)"), max_digits=10, decimal_places=3
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    requires_inspection = models.BooleanField(_("inspection required"), default=False)
    instructions = models.TextField(_("work instruction"), blank=True)
    product_family = models.CharField(_("product family"), max_length=40, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=OperationStatus.choices,
        default=OperationStatus.PENDING,
    )
    good_quantity = models.DecimalField(
        _("good quantity"), max_digits=14, decimal_places=4, default=ZERO
    )
    scrap_quantity = models.DecimalField(
        _("scrap quantity"), max_digits=14, decimal_places=4, default=ZERO
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("work order operation")
        verbose_name_plural = _("work order operations")
        ordering = ["work_order", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_order", "sequence"], name="work_order_operation_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(good_quantity__gte=0, scrap_quantity__gte=0),
                name="work_order_operation_made_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_order.number}/{self.sequence} {self.name}"

    @property
    def reference(self) -> str:
        """The plain string other apps record against this operation."""
        return f"{self.work_order.number}/{self.sequence}"

    @property
    def remaining_quantity(self) -> Decimal:
        return max(self.quantity - self.good_quantity, ZERO)

    @property
    def planned_minutes(self) -> Decimal:
        return self.setup_minutes + self.run_minutes_per_unit * self.quantity

    @property
    def remaining_minutes(self) -> Decimal:
        if self.status in (OperationStatus.COMPLETED, OperationStatus.CANCELLED):
            return ZERO
        setup = self.setup_minutes if self.status == OperationStatus.PENDING else ZERO
        return setup + self.run_minutes_per_unit * self.remaining_quantity


class WorkOrderOperationMachine(models.Model):
    """A machine eligible for a work order operation, with its own duration."""

    operation = models.ForeignKey(
        WorkOrderOperation,
        on_delete=models.CASCADE,
        related_name="eligible_machines",
        verbose_name=_("operation"),
    )
    machine = models.ForeignKey(
        Machine, on_delete=models.PROTECT, related_name="+", verbose_name=_("machine")
    )
    run_minutes_per_unit = models.DecimalField(
        _("run time per unit (min)"), max_digits=10, decimal_places=3
    )
    duration_minutes = models.DecimalField(
        _("duration (min)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Setup plus run time for the whole quantity on this machine."),
    )

    class Meta:
        verbose_name = _("eligible machine")
        verbose_name_plural = _("eligible machines")
        ordering = ["operation", "duration_minutes", "machine__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "machine"], name="work_order_machine_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.operation}: {self.machine.code}"


class WorkOrderMaterial(models.Model):
    """A component a work order needs, from its BOM at release."""

    work_order = models.ForeignKey(
        WorkOrder,
        on_delete=models.CASCADE,
        related_name="materials",
        verbose_name=_("work order"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("component")
    )
    quantity_per_unit = models.DecimalField(
        _("quantity per unit"), max_digits=14, decimal_places=4
    )
    scrap_percent = models.DecimalField(
        _("scrap allowance (%)"), max_digits=5, decimal_places=2, default=ZERO
    )
    quantity = models.DecimalField(
        _("required quantity"), max_digits=14, decimal_places=4
    )
    operation = models.ForeignKey(
        WorkOrderOperation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="materials",
        verbose_name=_("operation"),
    )

    class Meta:
        verbose_name = _("work order material")
        verbose_name_plural = _("work order materials")
        ordering = ["work_order", "item__code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="work_order_material_quantity_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_order.number}: {self.item.code} x {self.quantity}"


# Material requirements planning -------------------------------------------


class MrpRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class MrpAction(models.TextChoices):
    BUY = "buy", _("Buy")
    MAKE = "make", _("Make")


class MrpRun(models.Model):
    """One run of material requirements planning (物料需求计划) and its result."""

    status = models.CharField(
        _("status"),
        max_length=12,
        choices=MrpRunStatus.choices,
        default=MrpRunStatus.QUEUED,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    order_count = models.PositiveIntegerField(_("orders"), default=0)
    item_count = models.PositiveIntegerField(_("items"), default=0)
    shortage_count = models.PositiveIntegerField(_("shortages"), default=0)

    class Meta:
        verbose_name = _("MRP run")
        verbose_name_plural = _("MRP runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"MRP #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (MrpRunStatus.SUCCEEDED, MrpRunStatus.FAILED)


class MrpRequirement(models.Model):
    """A time-phased net requirement of an item on one date."""

    run = models.ForeignKey(
        MrpRun,
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name=_("MRP run"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="+", verbose_name=_("item")
    )
    need_date = models.DateField(_("needed on"))
    gross_quantity = models.DecimalField(
        _("gross requirement"), max_digits=18, decimal_places=4
    )
    receipt_quantity = models.DecimalField(
        _("scheduled receipts"), max_digits=18, decimal_places=4, default=ZERO
    )
    projected_quantity = models.DecimalField(
        _("projected on hand"), max_digits=18, decimal_places=4, default=ZERO
    )
    net_quantity = models.DecimalField(
        _("net requirement"), max_digits=18, decimal_places=4, default=ZERO
    )
    action = models.CharField(_("action"), max_length=8, choices=MrpAction.choices)
    release_date = models.DateField(
        _("order by"),
        help_text=_("Need date minus the lead time: when to buy or start."),
    )
    supplier_id = models.BigIntegerField(_("supplier"), null=True, blank=True)
    purchase_plan_number = models.CharField(
        _("purchase plan"), max_length=20, blank=True
    )
    work_order_number = models.CharField(
        _("work order"),
        max_length=30,
        blank=True,
        help_text=_("The draft work order made from this suggestion."),
    )

    class Meta:
        verbose_name = _("net requirement")
        verbose_name_plural = _("net requirements")
        ordering = ["run", "item_id", "need_date"]
        indexes = [models.Index(fields=["run", "action", "net_quantity"])]

    def __str__(self) -> str:
        return f"{self.item_id} {self.need_date}: {self.net_quantity}"

    @property
    def is_late(self) -> bool:
        """The order-by date had passed when the run was made."""
        made_on = timezone.localtime(self.run.created_at).date()
        return self.net_quantity > 0 and self.release_date < made_on


class MrpShortage(models.Model):
    """What a work order lacks of an item, at any BOM level, in one run."""

    run = models.ForeignKey(
        MrpRun,
        on_delete=models.CASCADE,
        related_name="shortages",
        verbose_name=_("MRP run"),
    )
    work_order = models.ForeignKey(
        WorkOrder,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("work order"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="+", verbose_name=_("item")
    )
    need_date = models.DateField(_("needed on"))
    quantity = models.DecimalField(_("short by"), max_digits=18, decimal_places=4)
    action = models.CharField(_("action"), max_length=8, choices=MrpAction.choices)

    class Meta:
        verbose_name = _("shortage")
        verbose_name_plural = _("shortages")
        ordering = ["run", "work_order_id", "need_date"]
        indexes = [models.Index(fields=["run", "work_order"])]

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.item_id} x {self.quantity}"
