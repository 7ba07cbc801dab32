from django.contrib import admin

from dispatch.models import (
    ExecutionReport,
    OperationLock,
    OperatorBadge,
    ProductionException,
    ScheduleRun,
    ScheduleVersion,
    WorkLog,
)
from mes.admin import AuditedModelAdmin


@admin.register(OperatorBadge)
class OperatorBadgeAdmin(AuditedModelAdmin):
    list_display = ["badge_code", "user"]
    search_fields = ["badge_code", "user__username"]
    exclude = ["pin_hash"]


@admin.register(ScheduleRun)
class ScheduleRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "goal", "method", "status", "created_at"]
    list_filter = ["status", "kind"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(admin.ModelAdmin):
    list_display = ["number", "status", "method", "goal", "late_orders", "created_at"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OperationLock)
class OperationLockAdmin(AuditedModelAdmin):
    list_display = ["operation", "machine", "start", "created_by"]


@admin.register(WorkLog)
class WorkLogAdmin(admin.ModelAdmin):
    list_display = ["operation", "machine", "operator", "started_at", "ended_at"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExecutionReport)
class ExecutionReportAdmin(admin.ModelAdmin):
    list_display = [
        "operation",
        "machine",
        "operator",
        "good_quantity",
        "scrap_quantity",
    ]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProductionException)
class ProductionExceptionAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "message", "raised_at", "acknowledged_by"]
    list_filter = ["kind", "status"]

    def has_change_permission(self, request, obj=None):
        return False
