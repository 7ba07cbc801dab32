from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from equipment import registers
from equipment.models import (
    AlarmCode,
    Area,
    ChecklistItem,
    DowntimeEvent,
    DowntimeReason,
    FaultReport,
    Holiday,
    Machine,
    MaintenanceOrder,
    MaintenancePlan,
    PlcDevice,
    Shift,
    ShiftPattern,
    Site,
    Tag,
    WorkCenter,
)
from mes import audit
from mes.admin import AuditedModelAdmin


class AuditedInlinesMixin:
    """Inline rows (tags, shifts, checks) go to the audit trail too."""

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        befores = {
            inline_form.instance.pk: audit.snapshot(inline_form.instance)
            for inline_form in formset.initial_forms
            if inline_form.instance.pk
        }
        formset.save()
        reason = _("Edited in admin")
        for instance in formset.new_objects:
            audit.record_create(instance, actor=request.user, reason=reason)
        for instance, _fields in formset.changed_objects:
            before = befores.get(instance.pk, {})
            audit.record_change(instance, before, actor=request.user, reason=reason)
        for instance in formset.deleted_objects:
            audit.record_delete(instance, actor=request.user, reason=reason)


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
    list_display = ["code", "name", "area", "shift_pattern", "is_active"]
    list_filter = ["area__site", "area", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Machine)
class MachineAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "work_center", "ideal_cycle_seconds", "is_active"]
    list_filter = ["work_center__area", "work_center", "is_active"]
    search_fields = ["code", "name", "serial_number", "manufacturer"]
    list_select_related = ["work_center"]


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 1


@admin.register(ShiftPattern)
class ShiftPatternAdmin(AuditedInlinesMixin, AuditedModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    inlines = [ShiftInline]


@admin.register(Holiday)
class HolidayAdmin(AuditedModelAdmin):
    list_display = ["date", "name", "work_center", "machine"]
    list_filter = ["work_center"]
    date_hierarchy = "date"


class TagFormSet(forms.BaseInlineFormSet):
    """Checks the whole register map: overlaps and single roles."""

    def clean(self) -> None:
        super().clean()
        specs = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("name"):
                continue
            if data.get("address") is None or not data.get("data_type"):
                continue
            specs.append(
                registers.TagSpec(
                    id=0,
                    name=data["name"],
                    register_kind=data["register_kind"],
                    address=data["address"],
                    data_type=data["data_type"],
                    word_order=data.get("word_order") or "big",
                    role=data["role"],
                    minimum=_float(data.get("minimum")),
                    maximum=_float(data.get("maximum")),
                )
            )
        errors = registers.validate_map(specs)
        if errors:
            raise ValidationError(errors)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


class TagInline(admin.TabularInline):
    model = Tag
    formset = TagFormSet
    extra = 0
    fields = [
        "name",
        "register_kind",
        "address",
        "data_type",
        "word_order",
        "scale",
        "offset",
        "role",
        "unit",
        "minimum",
        "maximum",
        "deadband",
    ]


class RegisterMapUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))


@admin.register(PlcDevice)
class PlcDeviceAdmin(AuditedInlinesMixin, AuditedModelAdmin):
    list_display = [
        "machine",
        "host",
        "port",
        "unit_id",
        "poll_interval_seconds",
        "polling_group",
        "is_enabled",
    ]
    list_filter = ["polling_group", "is_enabled"]
    search_fields = ["machine__code", "machine__name", "host"]
    list_select_related = ["machine"]
    inlines = [TagInline]
    actions = ["export_register_maps"]
    change_list_template = "admin/equipment/plcdevice/change_list.html"

    def get_urls(self) -> list[Any]:
        extra = [
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_register_maps),
                name="equipment_plcdevice_import",
            )
        ]
        return extra + super().get_urls()

    @admin.action(description=_("Export register maps as CSV"))
    def export_register_maps(self, request: HttpRequest, queryset: Any) -> HttpResponse:
        text = registers.export_csv(queryset.select_related("machine"))
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="register-maps.csv"'
        return response

    def import_register_maps(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV of register maps; all or nothing, errors per row."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = RegisterMapUploadForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            raw = form.cleaned_data["file"].read()
            try:
                counts = registers.import_csv(raw.decode("utf-8"), actor=request.user)
            except UnicodeDecodeError:
                errors = [str(_("The file is not UTF-8 text."))]
            except registers.RegisterMapError as error:
                errors = error.errors
            else:
                messages.success(
                    request,
                    _("Imported the register maps of %(count)s machines.")
                    % {"count": len(counts)},
                )
                return redirect(reverse("admin:equipment_plcdevice_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "title": _("Import register maps"),
            "opts": self.model._meta,
        }
        return render(request, "admin/equipment/plcdevice/import_csv.html", context)


@admin.register(AlarmCode)
class AlarmCodeAdmin(AuditedModelAdmin):
    list_display = ["code", "text", "raises_fault_report", "failure_category"]
    list_filter = ["raises_fault_report", "failure_category"]
    search_fields = ["code", "text"]


@admin.register(DowntimeReason)
class DowntimeReasonAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "parent", "category", "is_planned", "is_active"]
    list_filter = ["category", "is_planned", "is_active"]
    search_fields = ["code", "name"]


@admin.register(DowntimeEvent)
class DowntimeEventAdmin(AuditedModelAdmin):
    list_display = ["machine", "kind", "started_at", "ended_at", "reason", "source"]
    list_filter = ["kind", "source", "reason__category"]
    date_hierarchy = "started_at"
    list_select_related = ["machine", "reason"]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1


@admin.register(MaintenancePlan)
class MaintenancePlanAdmin(AuditedInlinesMixin, AuditedModelAdmin):
    list_display = [
        "name",
        "machine",
        "trigger",
        "interval_days",
        "interval_usage",
        "last_done_at",
        "is_active",
    ]
    list_filter = ["trigger", "is_active"]
    search_fields = ["name", "machine__code"]
    inlines = [ChecklistItemInline]


@admin.register(MaintenanceOrder)
class MaintenanceOrderAdmin(AuditedModelAdmin):
    list_display = ["number", "machine", "kind", "status", "due_at", "assigned_to"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "machine__code"]
    readonly_fields = ["number", "status", "started_at", "finished_at"]


@admin.register(FaultReport)
class FaultReportAdmin(AuditedModelAdmin):
    list_display = ["machine", "reported_at", "failure_category", "reported_by"]
    list_filter = ["failure_category"]
    search_fields = ["machine__code", "description"]
