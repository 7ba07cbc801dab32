from django.contrib import admin

from mes.admin import AuditedModelAdmin
from planning.models import (
    Bom,
    BomLine,
    ProductionPlan,
    ProductionPlanTarget,
    Routing,
    RoutingOperation,
    RoutingOperationMachine,
    WorkInstructionFile,
    WorkOrder,
    WorkOrderMaterial,
    WorkOrderOperation,
)


class BomLineInline(admin.TabularInline):
    model = BomLine
    extra = 0
    autocomplete_fields = ["component"]


@admin.register(Bom)
class BomAdmin(AuditedModelAdmin):
    list_display = ["product", "version", "status", "released_at"]
    list_filter = ["status"]
    search_fields = ["product__code", "product__name"]
    readonly_fields = ["status", "submitted_by", "released_by", "released_at"]
    inlines = [BomLineInline]


class RoutingOperationInline(admin.TabularInline):
    model = RoutingOperation
    extra = 0
    show_change_link = True


@admin.register(Routing)
class RoutingAdmin(AuditedModelAdmin):
    list_display = ["product", "version", "status", "product_family", "released_at"]
    list_filter = ["status"]
    search_fields = ["product__code", "product__name"]
    readonly_fields = ["status", "submitted_by", "released_by", "released_at"]
    inlines = [RoutingOperationInline]


class RoutingOperationMachineInline(admin.TabularInline):
    model = RoutingOperationMachine
    extra = 0


class WorkInstructionFileInline(admin.TabularInline):
    model = WorkInstructionFile
    extra = 0


@admin.register(RoutingOperation)
class RoutingOperationAdmin(AuditedModelAdmin):
    list_display = ["routing", "sequence", "name", "work_center"]
    search_fields = ["routing__product__code", "name"]
    inlines = [RoutingOperationMachineInline, WorkInstructionFileInline]


class ProductionPlanTargetInline(admin.TabularInline):
    model = ProductionPlanTarget
    extra = 0


@admin.register(ProductionPlan)
class ProductionPlanAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "period", "starts_on", "ends_on"]
    search_fields = ["code", "name"]
    inlines = [ProductionPlanTargetInline]


class WorkOrderOperationInline(admin.TabularInline):
    model = WorkOrderOperation
    extra = 0
    can_delete = False
    fields = ["sequence", "name", "work_center", "quantity", "status"]
    readonly_fields = fields


class WorkOrderMaterialInline(admin.TabularInline):
    model = WorkOrderMaterial
    extra = 0
    can_delete = False
    fields = ["item", "quantity", "operation"]
    readonly_fields = fields


@admin.register(WorkOrder)
class WorkOrderAdmin(AuditedModelAdmin):
    """Read-mostly: the workflow runs through the planning pages."""

    list_display = ["number", "product", "quantity", "due_date", "priority", "status"]
    list_filter = ["status", "priority", "plan"]
    search_fields = ["number", "product__code", "customer_reference"]
    readonly_fields = [
        field.name
        for field in WorkOrder._meta.concrete_fields
        if field.name not in {"note", "customer_reference"}
    ]
    inlines = [WorkOrderOperationInline, WorkOrderMaterialInline]
