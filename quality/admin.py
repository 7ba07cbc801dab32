from django.contrib import admin

from mes.admin import AuditedModelAdmin
from quality.models import Characteristic, DefectCode, InspectionPlan, QualityStandard


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
