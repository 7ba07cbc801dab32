from decimal import Decimal

from django import template

from materials.models import LOT_STATUS_BADGE, LotStatus, plain_quantity

register = template.Library()


@register.filter
def lot_status(value: str) -> str:
    """The translated label of a lot status value."""
    try:
        return str(LotStatus(value).label)
    except ValueError:
        return value


@register.filter
def lot_badge(value: str) -> str:
    try:
        return LOT_STATUS_BADGE[LotStatus(value)]
    except ValueError:
        return ""


@register.filter
def quantity(value: Decimal | int | None) -> str:
    """A quantity without trailing zeros: 12.500 shows as 12.5."""
    if value is None:
        return "–"
    return plain_quantity(value)
