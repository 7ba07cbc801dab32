from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from materials.models import (
    Item,
    Location,
    Lot,
    LotLink,
    PurchasePlan,
    PurchasePlanLine,
    StockBalance,
    StockCount,
    StockMove,
    Supplier,
    UnitOfMeasure,
)
from mes.admin import AuditedModelAdmin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only services write: admins may look, never touch."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(UnitOfMeasure)
class UnitOfMeasureAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "decimals"]
    search_fields = ["code", "name"]


@admin.register(Item)
class ItemAdmin(AuditedModelAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "unit",
        "is_lot_controlled",
        "requires_incoming_inspection",
        "reorder_point",
        "is_active",
    ]
    list_filter = ["kind", "is_lot_controlled", "is_active", "unit"]
    search_fields = ["code", "name", "description"]
    list_select_related = ["unit"]
    autocomplete_fields = ["default_location", "preferred_supplier"]


@admin.register(Supplier)
class SupplierAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "contact", "email", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "contact"]


@admin.register(Location)
class LocationAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "parent", "is_quarantine_area", "is_active"]
    list_filter = ["kind", "is_quarantine_area", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ["code", "item", "status", "expires_on", "supplier", "created_at"]
    list_filter = ["status"]
    search_fields = ["code", "supplier_lot_code", "item__code"]
    list_select_related = ["item", "supplier"]


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = [
        "moved_at",
        "kind",
        "item",
        "lot",
        "quantity",
        "from_location",
        "to_location",
        "reference",
        "moved_by",
    ]
    list_filter = ["kind"]
    search_fields = ["reference", "lot__code", "item__code"]
    list_select_related = ["item", "lot", "from_location", "to_location", "moved_by"]


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ["item", "lot", "location", "quantity", "updated_at"]
    search_fields = ["item__code", "lot__code", "location__code"]
    list_select_related = ["item", "lot", "location"]


@admin.register(LotLink)
class LotLinkAdmin(ReadOnlyAdmin):
    list_display = ["parent", "child", "quantity", "reference", "linked_at"]
    search_fields = ["parent__code", "child__code", "reference"]
    list_select_related = ["parent", "child"]


class PurchasePlanLineInline(admin.TabularInline):
    model = PurchasePlanLine
    extra = 0
    can_delete = False
    readonly_fields = [
        "item",
        "quantity",
        "received_quantity",
        "needed_by",
        "supplier",
        "note",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PurchasePlan)
class PurchasePlanAdmin(ReadOnlyAdmin):
    list_display = ["number", "status", "created_by", "created_at", "approved_by"]
    list_filter = ["status"]
    search_fields = ["number", "note"]
    inlines = [PurchasePlanLineInline]


@admin.register(StockCount)
class StockCountAdmin(ReadOnlyAdmin):
    list_display = ["number", "status", "location", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["number"]
