"""Material master data: units of measure and items."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
