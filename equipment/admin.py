from django.contrib import admin

from equipment.models import Area, Machine, Site, WorkCenter
from mes.admin import AuditedModelAdmin


@admin.register(Site)
class SiteAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "time_zone"]
    search_fields = ["code", "name"]


@admin.register(Area)
class AreaAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "site"]
    list_filter = ["site"]
    search_fields = ["code", "name"]


@admin.register(WorkCenter)
class WorkCenterAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "area", "is_active"]
    list_filter = ["area__site", "area", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Machine)
class MachineAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "work_center", "ideal_cycle_seconds", "is_active"]
    list_filter = ["work_center__area", "work_center", "is_active"]
    search_fields = ["code", "name", "serial_number", "manufacturer"]
    list_select_related = ["work_center"]
