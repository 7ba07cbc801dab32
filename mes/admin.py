from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mes import audit
from mes.models import AuditEntry, UserProfile

admin.site.site_header = _("MES administration")
admin.site.site_title = _("MES administration")


class AuditedModelAdmin(admin.ModelAdmin):
    """Model admin that writes every add, change and delete to the audit trail."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        if before is None:
            audit.record_create(obj, actor=request.user, reason=_("Edited in admin"))
        else:
            audit.record_change(
                obj, before, actor=request.user, reason=_("Edited in admin")
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit.record_delete(obj, actor=request.user, reason=_("Deleted in admin"))
        super().delete_model(request, obj)

    def delete_queryset(
        self, request: HttpRequest, queryset: models.QuerySet[Any]
    ) -> None:
        for obj in queryset:
            audit.record_delete(obj, actor=request.user, reason=_("Deleted in admin"))
        super().delete_queryset(request, queryset)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "content_type", "object_repr", "action", "actor", "reason"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "object_id", "reason", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "time_zone"]
    search_fields = ["user__username"]
