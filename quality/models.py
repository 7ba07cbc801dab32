"""Quality records: standards, inspection plans and measurement history.

A quality standard (质量标准) lists the characteristics (检验项目) of an item
or operation, each variable (a measured value against specification
limits) or attribute (conforming or not, with defect codes). Standards are
versioned and reviewed before release, like routings; an inspection plan
(检验计划) says when and how much of a released standard is inspected.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from materials.models import Item
from mes.lib.states import StatusMachine


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


class DefectCode(models.Model):
    """An entry of the defect catalogue used for attribute characteristics."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MAJOR
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("defect code")
        verbose_name_plural = _("defect codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StandardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    RELEASED = "released", _("Released")
    OBSOLETE = "obsolete", _("Obsolete")


# Each status and the statuses it may move to (as planning's versions).
STANDARD_TRANSITIONS: dict[str, set[str]] = {
    StandardStatus.DRAFT: {StandardStatus.IN_REVIEW},
    StandardStatus.IN_REVIEW: {StandardStatus.RELEASED, StandardStatus.DRAFT},
    StandardStatus.RELEASED: {StandardStatus.OBSOLETE},
    StandardStatus.OBSOLETE: set(),
}


class QualityError(ValidationError):
    """A refused quality action, carrying a translated message for the user."""


class QualityStandard(StatusMachine, models.Model):
    """One version of the quality standard of an item (and operation)."""

    transitions = STANDARD_TRANSITIONS
    transition_error = QualityError

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="quality_standards",
        verbose_name=_("item"),
    )
    operation_name = models.CharField(
        _("operation"),
        max_length=100,
        blank=True,
        help_text=_("Routing operation the standard applies to; empty for the item."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=StandardStatus.choices,
        default=StandardStatus.DRAFT,
    )
    change_note = models.TextField(_("change note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("submitted by"),
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("released by"),
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("quality standard")
        verbose_name_plural = _("quality standards")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="quality_standard_version_unique"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(status="released"),
                name="quality_standard_one_released",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} {self.name}"

    @property
    def is_editable(self) -> bool:
        return self.status == StandardStatus.DRAFT


class CharacteristicKind(models.TextChoices):
    VARIABLE = "variable", _("Variable (measured)")
    ATTRIBUTE = "attribute", _("Attribute (pass / fail)")


class Characteristic(models.Model):
    """A property of the product that is inspected, with its limits."""

    standard = models.ForeignKey(
        QualityStandard,
        on_delete=models.CASCADE,
        related_name="characteristics",
        verbose_name=_("quality standard"),
    )
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=CharacteristicKind.choices
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    decimals = models.PositiveSmallIntegerField(
        _("decimals"), default=2, help_text=_("Decimal places a value is entered with.")
    )
    nominal = models.DecimalField(
        _("nominal"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    lower_limit = models.DecimalField(
        _("lower specification limit"),
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
    )
    upper_limit = models.DecimalField(
        _("upper specification limit"),
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
    )
    physical_minimum = models.DecimalField(
        _("lowest possible value"),
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("Values below are impossible and refused as typing errors."),
    )
    physical_maximum = models.DecimalField(
        _("highest possible value"),
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("Values above are impossible and refused as typing errors."),
    )
    defect_codes = models.ManyToManyField(
        DefectCode,
        blank=True,
        related_name="characteristics",
        verbose_name=_("defect codes"),
    )
    subgroup_size = models.PositiveSmallIntegerField(
        _("SPC subgroup size"),
        default=5,
        help_text=_("Values per point on the control chart; 1 for individuals."),
    )
    control_limits = models.JSONField(
        _("control limits"),
        default=dict,
        blank=True,
        help_text=_("Computed from the baseline; empty until a baseline is chosen."),
    )
    baseline_from = models.DateTimeField(_("baseline from"), null=True, blank=True)
    baseline_to = models.DateTimeField(_("baseline to"), null=True, blank=True)

    class Meta:
        verbose_name = _("characteristic")
        verbose_name_plural = _("characteristics")
        ordering = ["standard", "sequence", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lower_limit__isnull=True)
                | models.Q(upper_limit__isnull=True)
                | models.Q(lower_limit__lt=models.F("upper_limit")),
                name="characteristic_limits_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(physical_minimum__isnull=True)
                | models.Q(physical_maximum__isnull=True)
                | models.Q(physical_minimum__lt=models.F("physical_maximum")),
                name="characteristic_physical_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(subgroup_size__gte=1, subgroup_size__lte=25),
                name="characteristic_subgroup_size_range",
            ),
            models.CheckConstraint(
                condition=models.Q(decimals__lte=6),
                name="characteristic_decimals_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_variable(self) -> bool:
        return self.kind == CharacteristicKind.VARIABLE

    def clean(self) -> None:
        errors: dict[str, str] = {}
        low, high = self.lower_limit, self.upper_limit
        if low is not None and high is not None and low >= high:
            errors["upper_limit"] = _(
                "The upper specification limit must be above the lower one."
            )
        if self.is_variable and low is None and high is None:
            errors["lower_limit"] = _(
                "A measured characteristic needs at least one specification limit."
            )
        if not self.is_variable and (low is not None or high is not None):
            errors["lower_limit"] = _(
                "A pass / fail characteristic has no specification limits."
            )
        bottom, top = self.physical_minimum, self.physical_maximum
        if bottom is not None and top is not None and bottom >= top:
            errors["physical_maximum"] = _(
                "The highest possible value must be above the lowest one."
            )
        if errors:
            raise ValidationError(errors)

    def value_error(self, value: Decimal) -> str | None:
        """Why a measured value cannot be real, or None when it can."""
        if self.physical_minimum is not None and value < self.physical_minimum:
            return _("%(value)s is below the lowest possible value %(limit)s.") % {
                "value": value,
                "limit": self.physical_minimum.normalize(),
            }
        if self.physical_maximum is not None and value > self.physical_maximum:
            return _("%(value)s is above the highest possible value %(limit)s.") % {
                "value": value,
                "limit": self.physical_maximum.normalize(),
            }
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.decimals:
            return _("%(value)s has more than %(decimals)s decimal places.") % {
                "value": value,
                "decimals": self.decimals,
            }
        return None

    def conforms(self, value: Decimal) -> bool:
        """Within the specification limits (limits themselves conform)."""
        if self.lower_limit is not None and value < self.lower_limit:
            return False
        return not (self.upper_limit is not None and value > self.upper_limit)


class InspectionTrigger(models.TextChoices):
    RECEIPT = "receipt", _("Incoming inspection (on receipt)")
    FIRST_ARTICLE = "first_article", _("First article inspection")
    IN_PROCESS = "in_process", _("In-process inspection")
    FINAL = "final", _("Final inspection")


class SamplingMethod(models.TextChoices):
    FIXED = "fixed", _("Fixed sample size")
    PERCENTAGE = "percentage", _("Percentage of the lot")
    AQL = "aql", _("AQL sampling (ISO 2859-1, level II, normal)")


class InspectionPlan(models.Model):
    """When a standard is inspected, on how many units, and what a failure does."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    standard = models.ForeignKey(
        QualityStandard,
        on_delete=models.PROTECT,
        related_name="inspection_plans",
        verbose_name=_("quality standard"),
    )
    characteristics = models.ManyToManyField(
        Characteristic,
        blank=True,
        related_name="inspection_plans",
        verbose_name=_("characteristics"),
        help_text=_("Empty inspects every characteristic of the standard."),
    )
    trigger = models.CharField(
        _("trigger"), max_length=16, choices=InspectionTrigger.choices
    )
    every_parts = models.PositiveIntegerField(
        _("every N parts"),
        null=True,
        blank=True,
        help_text=_("In-process inspection after this many good parts."),
    )
    every_minutes = models.PositiveIntegerField(
        _("every T minutes"),
        null=True,
        blank=True,
        help_text=_("In-process inspection this often while the operation runs."),
    )
    sampling = models.CharField(
        _("sampling"),
        max_length=12,
        choices=SamplingMethod.choices,
        default=SamplingMethod.FIXED,
    )
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    sample_percent = models.DecimalField(
        _("sample percentage"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    aql = models.DecimalField(
        _("AQL"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    holds_lot_on_failure = models.BooleanField(
        _("hold the lot on failure"), default=True
    )
    stops_operation_on_failure = models.BooleanField(
        _("stop the operation on failure"), default=False
    )
    due_minutes = models.PositiveIntegerField(
        _("due within (minutes)"),
        default=60,
        help_text=_("Inspection orders are due this long after they are created."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        from quality import sampling

        errors: dict[str, str] = {}
        if self.sampling == SamplingMethod.FIXED and not self.sample_size:
            errors["sample_size"] = _("A fixed sample size needs a number of units.")
        if self.sampling == SamplingMethod.PERCENTAGE and not (
            self.sample_percent and 0 < self.sample_percent <= 100
        ):
            errors["sample_percent"] = _(
                "The sample percentage must be above 0 and at most 100."
            )
        if self.sampling == SamplingMethod.AQL:
            try:
                sampling.aql_column(self.aql if self.aql is not None else "")
            except ValidationError as error:
                errors["aql"] = error.messages[0]
        if self.trigger == InspectionTrigger.IN_PROCESS and not (
            self.every_parts or self.every_minutes
        ):
            errors["every_parts"] = _(
                "In-process inspection needs every N parts or every T minutes."
            )
        if errors:
            raise ValidationError(errors)

    def inspected_characteristics(self) -> models.QuerySet[Characteristic]:
        chosen = self.characteristics.all()
        if chosen.exists():
            return chosen
        return self.standard.characteristics.all()


class Measurement(models.Model):
    """One measured value of a variable characteristic: the SPC history.

    Values of one subgroup share ``subgroup``, a number rising with time per
    characteristic. Inspection orders append their values when signed.
    """

    characteristic = models.ForeignKey(
        Characteristic,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name=_("characteristic"),
    )
    subgroup = models.PositiveIntegerField(_("subgroup"))
    value = models.FloatField(_("value"))
    taken_at = models.DateTimeField(_("taken at"))
    order = models.ForeignKey(
        "InspectionOrder",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("inspection order"),
    )

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        indexes = [
            models.Index(
                fields=["characteristic", "subgroup"], name="measurement_history"
            )
        ]

    def __str__(self) -> str:
        return f"{self.characteristic_id}/{self.subgroup}: {self.value}"


# Inspection orders -----------------------------------------------------------


class InspectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


INSPECTION_TRANSITIONS: dict[str, set[str]] = {
    InspectionStatus.OPEN: {
        InspectionStatus.PASSED,
        InspectionStatus.FAILED,
        InspectionStatus.CANCELLED,
    },
    InspectionStatus.PASSED: set(),
    InspectionStatus.FAILED: set(),
    InspectionStatus.CANCELLED: set(),
}


class InspectionOrder(StatusMachine, models.Model):
    """One inspection to do: a plan applied to a lot or an operation's output.

    ``trigger_key`` names what caused it (the lot received, the operation's
    first article, its n-th interval) so that an event delivered twice
    creates one order.
    """

    transitions = INSPECTION_TRANSITIONS
    transition_error = QualityError
    transition_refused = _("Inspection order %(record)s is %(old)s already.")

    number = models.CharField(_("number"), max_length=20, unique=True)
    plan = models.ForeignKey(
        InspectionPlan,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("inspection plan"),
    )
    standard = models.ForeignKey(
        QualityStandard,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("quality standard"),
    )
    trigger = models.CharField(
        _("trigger"), max_length=16, choices=InspectionTrigger.choices
    )
    trigger_key = models.CharField(_("trigger key"), max_length=80)
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    lot = models.ForeignKey(
        "materials.Lot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspection_orders",
        verbose_name=_("lot"),
    )
    operation = models.ForeignKey(
        "planning.WorkOrderOperation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspection_orders",
        verbose_name=_("operation"),
    )
    machine = models.ForeignKey(
        "equipment.Machine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspection_orders",
        verbose_name=_("machine"),
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    lot_size = models.PositiveIntegerField(_("lot size"), null=True, blank=True)
    sample_size = models.PositiveIntegerField(_("sample size"))
    accept_number = models.PositiveIntegerField(_("acceptance number"), default=0)
    reject_number = models.PositiveIntegerField(_("rejection number"), default=1)
    code_letter = models.CharField(_("code letter"), max_length=1, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InspectionStatus.choices,
        default=InspectionStatus.OPEN,
    )
    nonconforming_units = models.PositiveIntegerField(
        _("nonconforming units"), default=0
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    due_at = models.DateTimeField(_("due at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspector"),
    )

    class Meta:
        verbose_name = _("inspection order")
        verbose_name_plural = _("inspection orders")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "trigger_key"], name="inspection_order_trigger_once"
            ),
            models.CheckConstraint(
                condition=models.Q(sample_size__gte=1),
                name="inspection_order_sample_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(reject_number__gt=models.F("accept_number")),
                name="inspection_order_reject_above_accept",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="inspection_open")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status == InspectionStatus.OPEN


class InspectionResult(models.Model):
    """What was found on one sample unit for one characteristic."""

    order = models.ForeignKey(
        InspectionOrder,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("inspection order"),
    )
    characteristic = models.ForeignKey(
        Characteristic,
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name=_("characteristic"),
    )
    sample_number = models.PositiveIntegerField(_("sample"))
    value = models.DecimalField(
        _("value"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    conforms = models.BooleanField(_("conforms"))
    defect_code = models.ForeignKey(
        DefectCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="results",
        verbose_name=_("defect code"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["order", "characteristic__sequence", "sample_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "characteristic", "sample_number"],
                name="inspection_result_once",
            ),
            models.CheckConstraint(
                condition=models.Q(sample_number__gte=1),
                name="inspection_result_sample_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.characteristic_id}/{self.sample_number}"


class SignatureMeaning(models.TextChoices):
    INSPECTED = "inspected", _("Inspected and decided")
    RELEASED = "released", _("Released from hold")
    APPROVED = "approved", _("Approved disposition")
    VERIFIED = "verified", _("Verified and closed")


class ElectronicSignature(models.Model):
    """A re-entered password binding a person to a decision: who, when, meaning.

    Part 11 style: the record signed is named by type and id, the meaning
    says what the signer vouches for. Signatures are never changed.
    """

    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="quality_signatures",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)
    meaning = models.CharField(
        _("meaning"), max_length=12, choices=SignatureMeaning.choices
    )
    record_type = models.CharField(_("record type"), max_length=60)
    record_id = models.CharField(_("record id"), max_length=64)
    record_text = models.CharField(_("record"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("electronic signature")
        verbose_name_plural = _("electronic signatures")
        ordering = ["-signed_at", "-id"]
        indexes = [
            models.Index(fields=["record_type", "record_id"], name="signature_record")
        ]

    def __str__(self) -> str:
        return f"{self.signer} · {self.get_meaning_display()} · {self.record_text}"


# Nonconformance ----------------------------------------------------------------


class NonconformanceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISPOSITIONED = "dispositioned", _("Dispositioned")
    CLOSED = "closed", _("Closed")


NONCONFORMANCE_TRANSITIONS: dict[str, set[str]] = {
    NonconformanceStatus.OPEN: {NonconformanceStatus.DISPOSITIONED},
    NonconformanceStatus.DISPOSITIONED: {NonconformanceStatus.CLOSED},
    NonconformanceStatus.CLOSED: set(),
}


class Disposition(models.TextChoices):
    REWORK = "rework", _("Rework")
    SCRAP = "scrap", _("Scrap")
    USE_AS_IS = "use_as_is", _("Use as is")
    RETURN_TO_SUPPLIER = "return", _("Return to supplier")


class Nonconformance(StatusMachine, models.Model):
    """A report of nonconforming product (不合格品) and what is done with it."""

    transitions = NONCONFORMANCE_TRANSITIONS
    transition_error = QualityError
    transition_refused = _(
        "Nonconformance %(record)s is %(old)s and cannot become %(new)s."
    )

    number = models.CharField(_("number"), max_length=20, unique=True)
    status = models.CharField(
        _("status"),
        max_length=14,
        choices=NonconformanceStatus.choices,
        default=NonconformanceStatus.OPEN,
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    lot = models.ForeignKey(
        "materials.Lot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformances",
        verbose_name=_("lot"),
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    defect_code = models.ForeignKey(
        DefectCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformances",
        verbose_name=_("defect code"),
    )
    characteristic = models.ForeignKey(
        Characteristic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformances",
        verbose_name=_("characteristic"),
    )
    inspection_order = models.ForeignKey(
        InspectionOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformances",
        verbose_name=_("inspection order"),
    )
    operation = models.ForeignKey(
        "planning.WorkOrderOperation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operation"),
    )
    machine = models.ForeignKey(
        "equipment.Machine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("machine"),
    )
    supplier = models.ForeignKey(
        "materials.Supplier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier"),
    )
    description = models.TextField(_("description"))
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("found by"),
    )
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    disposition = models.CharField(
        _("disposition"), max_length=10, choices=Disposition.choices, blank=True
    )
    disposition_note = models.TextField(_("disposition note"), blank=True)
    dispositioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dispositioned by"),
    )
    dispositioned_at = models.DateTimeField(
        _("dispositioned at"), null=True, blank=True
    )
    rework_reference = models.CharField(_("rework order"), max_length=60, blank=True)
    cause = models.TextField(_("cause"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    verification = models.TextField(_("verification"), blank=True)
    unit_cost = models.DecimalField(
        _("unit cost"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("Cost of one unit, for the cost of poor quality."),
    )

    class Meta:
        verbose_name = _("nonconformance")
        verbose_name_plural = _("nonconformances")
        ordering = ["-found_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="nonconformance_quantity"
            )
        ]

    def __str__(self) -> str:
        return self.number


class CorrectiveAction(models.Model):
    """A step against the cause of a nonconformance, owned and due."""

    nonconformance = models.ForeignKey(
        Nonconformance,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("nonconformance"),
    )
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


# Holds and stops -------------------------------------------------------------


class LotHold(models.Model):
    """Quality's record of a lot put on hold, and of its release."""

    lot = models.ForeignKey(
        "materials.Lot",
        on_delete=models.PROTECT,
        related_name="quality_holds",
        verbose_name=_("lot"),
    )
    source_lot = models.ForeignKey(
        "materials.Lot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suspect lot"),
        help_text=_("The lot whose genealogy led to this hold."),
    )
    reason = models.TextField(_("reason"))
    nonconformance = models.ForeignKey(
        Nonconformance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holds",
        verbose_name=_("nonconformance"),
    )
    inspection_order = models.ForeignKey(
        InspectionOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holds",
        verbose_name=_("inspection order"),
    )
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("held by"),
    )
    held_at = models.DateTimeField(_("held at"), auto_now_add=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_reason = models.TextField(_("reason for release"), blank=True)
    release_signature = models.ForeignKey(
        ElectronicSignature,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("release signature"),
    )

    class Meta:
        verbose_name = _("lot hold")
        verbose_name_plural = _("lot holds")
        ordering = ["-held_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot"],
                condition=models.Q(released_at__isnull=True),
                name="lot_hold_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lot} · {self.held_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.released_at is None


class OperationStop(models.Model):
    """An operation stopped by a failed inspection until quality lifts it."""

    operation = models.ForeignKey(
        "planning.WorkOrderOperation",
        on_delete=models.PROTECT,
        related_name="quality_stops",
        verbose_name=_("operation"),
    )
    machine = models.ForeignKey(
        "equipment.Machine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("machine"),
    )
    inspection_order = models.ForeignKey(
        InspectionOrder,
        on_delete=models.PROTECT,
        related_name="stops",
        verbose_name=_("inspection order"),
    )
    stopped_at = models.DateTimeField(_("stopped at"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )

    class Meta:
        verbose_name = _("operation stop")
        verbose_name_plural = _("operation stops")
        ordering = ["-stopped_at"]

    def __str__(self) -> str:
        return f"{self.operation_id} · {self.stopped_at:%Y-%m-%d %H:%M}"


class SpcAlert(models.Model):
    """A run rule broken on a control chart, for quality and the supervisor."""

    characteristic = models.ForeignKey(
        Characteristic,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("characteristic"),
    )
    rule = models.PositiveSmallIntegerField(_("rule"))
    subgroup = models.PositiveIntegerField(_("subgroup"))
    value = models.FloatField(_("value"))
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    class Meta:
        verbose_name = _("SPC alert")
        verbose_name_plural = _("SPC alerts")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["characteristic", "rule", "subgroup"], name="spc_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.characteristic} · {self.rule} · {self.subgroup}"
