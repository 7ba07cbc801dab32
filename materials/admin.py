from django.contrib import admin

from materials.models import Item, UnitOfMeasure
from mes.admin import AuditedModelAdmin


@admin.register(UnitOfMeasure)
class UnitOfMeasureAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "decimals"]
    search_fields = ["code", "name"]


@admin.register(Item)
class ItemAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "unit", "is_lot_controlled", "is_active"]
    list_filter = ["kind", "is_lot_controlled", "is_active", "unit"]
    search_fields = ["code", "name", "description"]
    list_select_related = ["unit"]
