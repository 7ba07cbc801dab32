"""The plant model: site, area, work center and machine (ISA-95 hierarchy)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
