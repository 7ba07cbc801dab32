"""Template filters for equipment pages: ratios as percentages, hours."""

from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """0.8125 -> '81.3 %'; None -> '–'."""
    if value is None:
        return "–"
    return f"{number_format(value * 100, digits)} %"


@register.filter
def hours(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return number_format(seconds / 3600, 1)


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)
