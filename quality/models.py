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


class QualityStandard(models.Model):
    """One version of the quality standard of an item (and operation)."""

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

    def can_become(self, status: str) -> bool:
        return status in STANDARD_TRANSITIONS[self.status]

    def transition_to(self, status: str) -> str:
        """Change the status if the rules allow it; return the old one."""
        if not self.can_become(status):
            raise QualityError(
                _("Version %(version)s is %(old)s and cannot become %(new)s."),
                code="invalid_transition",
                params={
                    "version": self.version,
                    "old": self.get_status_display(),
                    "new": StandardStatus(status).label,
                },
            )
        old = self.status
        self.status = status
        return old


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
