from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mes.admin import AuditedModelAdmin
from quality.models import (
    Characteristic,
    DefectCode,
    ElectronicSignature,
    InspectionOrder,
    InspectionPlan,
    Nonconformance,
    QualityStandard,
)


@admin.register(DefectCode)
class DefectCodeAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "severity", "is_active"]
    list_filter = ["severity", "is_active"]
    search_fields = ["code", "name"]


class CharacteristicInline(admin.TabularInline):
    model = Characteristic
    extra = 0
    fields = ["sequence", "name", "kind", "unit", "lower_limit", "upper_limit"]


@admin.register(QualityStandard)
class QualityStandardAdmin(AuditedModelAdmin):
    list_display = ["code", "version", "name", "item", "status"]
    list_filter = ["status"]
    search_fields = ["code", "name", "item__code"]
    readonly_fields = ["status", "submitted_by", "released_by", "released_at"]
    inlines = [CharacteristicInline]


@admin.register(InspectionPlan)
class InspectionPlanAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "standard", "trigger", "sampling", "is_active"]
    list_filter = ["trigger", "sampling", "is_active"]
    search_fields = ["code", "name"]


@admin.register(ElectronicSignature)
class ElectronicSignatureAdmin(admin.ModelAdmin):
    """Signatures are evidence: shown, never added, changed or deleted here."""

    list_display = ["signed_at", "signer", "meaning", "record_type", "record_text"]
    list_filter = ["meaning", "record_type"]
    search_fields = ["signer__username", "record_text", "reason"]
    date_hierarchy = "signed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InspectionOrder)
class InspectionOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "trigger", "item", "lot", "status", "due_at"]
    list_filter = ["status", "trigger"]
    search_fields = ["number", "lot__code", "reference"]
    readonly_fields = [field.name for field in InspectionOrder._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Nonconformance)
class NonconformanceAdmin(admin.ModelAdmin):
    list_display = ["number", "status", "item", "lot", "quantity", "disposition"]
    list_filter = ["status", "disposition"]
    search_fields = ["number", "lot__code", "description"]
    readonly_fields = [field.name for field in Nonconformance._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
