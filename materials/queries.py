"""Read-side selectors of material master data."""

from django.db.models import Q, QuerySet

from materials.models import Item


def search_items(text: str = "", kind: str = "") -> QuerySet[Item]:
    items = Item.objects.select_related("unit").filter(is_active=True)
    if kind:
        items = items.filter(kind=kind)
    if text:
        items = items.filter(Q(code__icontains=text) | Q(name__icontains=text))
    return items.order_by("code")
