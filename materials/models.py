"""Materials: items, suppliers, locations, lots, the stock ledger, genealogy.

Stock is an append-only ledger of ``StockMove`` rows. ``StockBalance`` holds
the on-hand quantity per item, lot and location; services in
``materials.services`` update it in the same transaction as the move, under
row locks, and a CHECK constraint keeps every balance at zero or above.
``LotLink`` records which input lot went into which output lot.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mes.lib.states import StatusMachine

QUANTITY_DIGITS = 14
QUANTITY_DECIMALS = 3


def quantity_field(verbose_name: str, **options: object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_DECIMALS,
        **options,  # type: ignore[arg-type]
    )


def plain_quantity(value: Decimal | int) -> str:
    """A quantity without trailing zeros or exponent: 12.500 -> 12.5."""
    return format(Decimal(value).normalize(), "f")


class StockError(ValidationError):
    """A refused stock operation, with a translated reason for the user."""

    def __str__(self) -> str:
        return " ".join(str(message) for message in self.messages)


class UnitOfMeasure(models.Model):
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=50)
    decimals = models.PositiveSmallIntegerField(
        _("decimals"),
        default=0,
        help_text=_("Decimal places quantities in this unit are kept to."),
    )

    class Meta:
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Supplier(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(_("contact person"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LocationKind(models.TextChoices):
    WAREHOUSE = "warehouse", _("Warehouse")
    ZONE = "zone", _("Zone")
    BIN = "bin", _("Bin")
    LINE_SIDE = "line_side", _("Line-side location")


class Location(models.Model):
    """A place stock is kept: warehouse > zone > bin, or line-side.

    The tie of a line-side location to its work center is a foreign key on
    the equipment side (``WorkCenter.line_side_location``).
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=LocationKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent location"),
    )
    is_quarantine_area = models.BooleanField(
        _("quarantine area"),
        default=False,
        help_text=_(
            "Lots in quarantine or on hold may be kept here; they may not "
            "leave it for a normal location."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="location_not_own_parent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_line_side(self) -> bool:
        return self.kind == LocationKind.LINE_SIDE


class ItemKind(models.TextChoices):
    RAW_MATERIAL = "raw", _("Raw material")
    PURCHASED_PART = "purchased", _("Purchased part")
    SEMI_FINISHED = "semi", _("Semi-finished")
    FINISHED_GOOD = "finished", _("Finished good")
    SPARE_PART = "spare", _("Spare part")


class Item(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    unit = models.ForeignKey(
        UnitOfMeasure,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("unit of measure"),
    )
    is_lot_controlled = models.BooleanField(
        _("lot-controlled"),
        default=True,
        help_text=_("Stock is kept in lots with their own codes."),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    lead_time_days = models.PositiveIntegerField(
        _("purchase lead time (days)"),
        default=0,
        help_text=_("Days from ordering to receipt from the supplier."),
    )
    shelf_life_days = models.PositiveIntegerField(
        _("shelf life (days)"),
        null=True,
        blank=True,
        help_text=_("Days a lot keeps after receipt or production; empty: no expiry."),
    )
    default_location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="default_items",
        verbose_name=_("default location"),
    )
    reorder_point = quantity_field(
        _("reorder point"),
        default=Decimal(0),
        help_text=_("Suggest a purchase when on hand plus open receipts fall below."),
    )
    reorder_quantity = quantity_field(
        _("reorder quantity"),
        default=Decimal(0),
        help_text=_("Quantity a reorder suggestion asks for."),
    )
    preferred_supplier = models.ForeignKey(
        Supplier,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="preferred_items",
        verbose_name=_("preferred supplier"),
    )
    requires_incoming_inspection = models.BooleanField(
        _("requires incoming inspection"),
        default=False,
        help_text=_("Received lots stay in quarantine until quality releases them."),
    )

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reorder_point__gte=0) & Q(reorder_quantity__gte=0),
                name="item_reorder_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LotStatus(models.TextChoices):
    QUARANTINE = "quarantine", _("Quarantine")
    AVAILABLE = "available", _("Available")
    ON_HOLD = "on_hold", _("On hold")
    CONSUMED = "consumed", _("Consumed")
    SCRAPPED = "scrapped", _("Scrapped")


# Each status with the statuses it may change to. Consumed and scrapped are
# final, except that a stock count finding a consumed lot's stock again
# makes it available.
LOT_TRANSITIONS: dict[str, frozenset[str]] = {
    LotStatus.QUARANTINE: frozenset(
        {LotStatus.AVAILABLE, LotStatus.ON_HOLD, LotStatus.SCRAPPED}
    ),
    LotStatus.AVAILABLE: frozenset(
        {LotStatus.ON_HOLD, LotStatus.CONSUMED, LotStatus.SCRAPPED}
    ),
    LotStatus.ON_HOLD: frozenset({LotStatus.AVAILABLE, LotStatus.SCRAPPED}),
    LotStatus.CONSUMED: frozenset({LotStatus.AVAILABLE}),
    LotStatus.SCRAPPED: frozenset(),
}

LOT_STATUS_BADGE = {
    LotStatus.QUARANTINE: "warn",
    LotStatus.AVAILABLE: "ok",
    LotStatus.ON_HOLD: "bad",
    LotStatus.CONSUMED: "",
    LotStatus.SCRAPPED: "",
}


class Lot(StatusMachine, models.Model):
    """A quantity of one item made or received together, under one code."""

    transitions = LOT_TRANSITIONS
    transition_error = StockError
    transition_refused = _("Lot %(record)s cannot change from %(old)s to %(new)s.")

    code = models.CharField(_("lot code"), max_length=60, unique=True)
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="lots", verbose_name=_("item")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=LotStatus.choices,
        default=LotStatus.AVAILABLE,
    )
    initial_quantity = quantity_field(_("initial quantity"), default=Decimal(0))
    expires_on = models.DateField(_("expiry"), null=True, blank=True)
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lots",
        verbose_name=_("supplier"),
    )
    supplier_lot_code = models.CharField(
        _("supplier lot code"), max_length=60, blank=True
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    produced_at = models.DateTimeField(_("produced at"), null=True, blank=True)
    reference = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_("The order the lot was received or produced for."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["item", "status"], name="lot_item_status")]

    def __str__(self) -> str:
        return self.code

    @property
    def arrived_at(self) -> datetime.datetime:
        """When the lot came into stock, for first-in first-out order."""
        return self.received_at or self.produced_at or self.created_at

    def is_expired(self, today: datetime.date | None = None) -> bool:
        if self.expires_on is None:
            return False
        return self.expires_on < (today or timezone.localdate())

    @property
    def can_hold(self) -> bool:
        return self.can_become(LotStatus.ON_HOLD)

    @property
    def can_release(self) -> bool:
        return self.status in (LotStatus.ON_HOLD, LotStatus.QUARANTINE)

    @property
    def badge(self) -> str:
        return LOT_STATUS_BADGE[LotStatus(self.status)]


class MoveKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    TRANSFER = "transfer", _("Transfer")
    ISSUE = "issue", _("Issue")
    CONSUMPTION = "consumption", _("Consumption")
    OUTPUT = "output", _("Output")
    SCRAP = "scrap", _("Scrap")
    ADJUSTMENT = "adjustment", _("Adjustment")
    RETURN = "return", _("Return to supplier")


class StockMoveQuerySet(models.QuerySet["StockMove"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("Stock moves cannot be changed; post a new move.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Stock moves cannot be deleted; post a new move.")


class StockMove(models.Model):
    """One movement of stock, never changed: corrections are new moves.

    A move takes ``quantity`` out of ``from_location`` and puts it into
    ``to_location``; receipts and output have no source, consumption, scrap
    and returns no destination. A database trigger refuses updates and
    deletes.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=MoveKind.choices)
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="moves", verbose_name=_("item")
    )
    lot = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moves",
        verbose_name=_("lot"),
    )
    quantity = quantity_field(_("quantity"))
    from_location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moves_out",
        verbose_name=_("from location"),
    )
    to_location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moves_in",
        verbose_name=_("to location"),
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_moves",
        verbose_name=_("moved by"),
    )
    moved_at = models.DateTimeField(_("moved at"), default=timezone.now)

    objects = StockMoveQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-moved_at", "-id"]
        indexes = [
            models.Index(fields=["lot", "moved_at"], name="move_lot_at"),
            models.Index(fields=["item", "moved_at"], name="move_item_at"),
            models.Index(fields=["reference"], name="move_reference"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="stock_move_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(from_location__isnull=False) | Q(to_location__isnull=False),
                name="stock_move_has_a_location",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} {self.item.code}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("Stock moves cannot be changed; post a new move.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Stock moves cannot be deleted; post a new move.")


class StockBalance(models.Model):
    """On-hand quantity of an item (and lot) at a location, kept by services."""

    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="balances",
        verbose_name=_("item"),
    )
    lot = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="balances",
        verbose_name=_("lot"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="balances",
        verbose_name=_("location"),
    )
    quantity = quantity_field(_("on hand"), default=Decimal(0))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        ordering = ["item", "lot", "location"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="stock_balance_not_negative"
            ),
            models.UniqueConstraint(
                fields=["item", "lot", "location"],
                name="stock_balance_unique",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            models.Index(fields=["lot", "location"], name="balance_lot_location"),
            models.Index(fields=["location", "item"], name="balance_location_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} {self.lot or '-'} @ {self.location.code}"


class LotLink(models.Model):
    """Genealogy: ``quantity`` of the parent lot went into the child lot."""

    parent = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        related_name="child_links",
        verbose_name=_("input lot"),
        db_index=False,
    )
    child = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        related_name="parent_links",
        verbose_name=_("output lot"),
        db_index=False,
    )
    quantity = quantity_field(_("quantity"), default=Decimal(0))
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("lot link")
        verbose_name_plural = _("lot links")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "child"],
                name="lot_link_unique",
                include=["quantity"],
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("child")), name="lot_link_not_self"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="lot_link_quantity_not_negative"
            ),
        ]
        indexes = [
            models.Index(
                fields=["child", "parent"],
                name="lot_link_child_parent",
                include=["quantity"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.parent_id} -> {self.child_id}"


class PurchasePlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


PURCHASE_PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PurchasePlanStatus.DRAFT: frozenset(
        {PurchasePlanStatus.SUBMITTED, PurchasePlanStatus.CANCELLED}
    ),
    PurchasePlanStatus.SUBMITTED: frozenset(
        {PurchasePlanStatus.APPROVED, PurchasePlanStatus.RETURNED}
    ),
    PurchasePlanStatus.RETURNED: frozenset(
        {PurchasePlanStatus.SUBMITTED, PurchasePlanStatus.CANCELLED}
    ),
    PurchasePlanStatus.APPROVED: frozenset({PurchasePlanStatus.CLOSED}),
    PurchasePlanStatus.CLOSED: frozenset(),
    PurchasePlanStatus.CANCELLED: frozenset(),
}

PURCHASE_PLAN_BADGE = {
    PurchasePlanStatus.DRAFT: "",
    PurchasePlanStatus.SUBMITTED: "warn",
    PurchasePlanStatus.APPROVED: "ok",
    PurchasePlanStatus.RETURNED: "bad",
    PurchasePlanStatus.CLOSED: "",
    PurchasePlanStatus.CANCELLED: "",
}


class PurchasePlan(StatusMachine, models.Model):
    """采购计划: what to buy by when, reviewed and approved, then received."""

    transitions = PURCHASE_PLAN_TRANSITIONS
    transition_error = StockError
    transition_refused = _(
        "Purchase plan %(record)s cannot change from %(old)s to %(new)s."
    )

    number = models.CharField(_("number"), max_length=20, unique=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PurchasePlanStatus.choices,
        default=PurchasePlanStatus.DRAFT,
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        verbose_name = _("purchase plan")
        verbose_name_plural = _("purchase plans")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def can_edit(self) -> bool:
        return self.status in (PurchasePlanStatus.DRAFT, PurchasePlanStatus.RETURNED)

    @property
    def can_submit(self) -> bool:
        return self.can_become(PurchasePlanStatus.SUBMITTED)

    @property
    def can_review(self) -> bool:
        return self.status == PurchasePlanStatus.SUBMITTED

    @property
    def can_receive(self) -> bool:
        return self.status == PurchasePlanStatus.APPROVED

    @property
    def can_cancel(self) -> bool:
        return self.can_become(PurchasePlanStatus.CANCELLED)

    @property
    def can_close(self) -> bool:
        return self.can_become(PurchasePlanStatus.CLOSED)

    @property
    def badge(self) -> str:
        return PURCHASE_PLAN_BADGE[PurchasePlanStatus(self.status)]


class PurchasePlanLine(models.Model):
    plan = models.ForeignKey(
        PurchasePlan,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("purchase plan"),
    )
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="purchase_plan_lines",
        verbose_name=_("item"),
    )
    quantity = quantity_field(_("quantity"))
    received_quantity = quantity_field(_("received quantity"), default=Decimal(0))
    needed_by = models.DateField(_("needed by"))
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchase_plan_lines",
        verbose_name=_("supplier"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("purchase plan line")
        verbose_name_plural = _("purchase plan lines")
        ordering = ["plan", "needed_by", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="purchase_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(received_quantity__gte=0),
                name="purchase_line_received_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.number} {self.item.code} {self.quantity}"

    @property
    def open_quantity(self) -> Decimal:
        return max(self.quantity - self.received_quantity, Decimal(0))

    @property
    def is_received(self) -> bool:
        return self.received_quantity >= self.quantity


class StockCountStatus(models.TextChoices):
    COUNTING = "counting", _("Counting")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    CANCELLED = "cancelled", _("Cancelled")


STOCK_COUNT_TRANSITIONS: dict[str, frozenset[str]] = {
    StockCountStatus.COUNTING: frozenset(
        {StockCountStatus.SUBMITTED, StockCountStatus.CANCELLED}
    ),
    StockCountStatus.SUBMITTED: frozenset(
        {
            StockCountStatus.APPROVED,
            StockCountStatus.COUNTING,
            StockCountStatus.CANCELLED,
        }
    ),
    StockCountStatus.APPROVED: frozenset(),
    StockCountStatus.CANCELLED: frozenset(),
}


class StockCount(StatusMachine, models.Model):
    """盘点: a count of a location or of some items, approved before posting."""

    transitions = STOCK_COUNT_TRANSITIONS
    transition_error = StockError
    transition_refused = _(
        "Stock count %(record)s cannot change from %(old)s to %(new)s."
    )

    number = models.CharField(_("number"), max_length=20, unique=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=StockCountStatus.choices,
        default=StockCountStatus.COUNTING,
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_counts",
        verbose_name=_("location"),
        help_text=_("Counts this location and the locations under it."),
    )
    items = models.ManyToManyField(
        Item, blank=True, related_name="stock_counts", verbose_name=_("items")
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def can_count(self) -> bool:
        return self.status == StockCountStatus.COUNTING

    @property
    def can_submit(self) -> bool:
        return self.status == StockCountStatus.COUNTING

    @property
    def can_approve(self) -> bool:
        return self.status == StockCountStatus.SUBMITTED

    @property
    def can_cancel(self) -> bool:
        return self.can_become(StockCountStatus.CANCELLED)


class StockCountLine(models.Model):
    count = models.ForeignKey(
        StockCount,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("stock count"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    lot = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lot"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    expected_quantity = quantity_field(_("expected quantity"), default=Decimal(0))
    counted_quantity = quantity_field(_("counted quantity"), null=True, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counted by"),
    )
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock count line")
        verbose_name_plural = _("stock count lines")
        ordering = ["location__code", "item__code", "lot__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["count", "item", "lot", "location"],
                name="stock_count_line_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(counted_quantity__isnull=True) | Q(counted_quantity__gte=0),
                name="stock_count_line_counted_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count.number} {self.item.code}"

    @property
    def difference(self) -> Decimal | None:
        if self.counted_quantity is None:
            return None
        return self.counted_quantity - self.expected_quantity
