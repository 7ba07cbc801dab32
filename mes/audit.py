"""The audit trail: the one way every app records changes of its records.

Services call ``record_create``, ``record_change``, ``record_transition`` or
``record_delete`` inside the transaction that makes the change, so the entry
and the change commit or roll back together. ``AuditedModelAdmin`` does the
same for master data edited in Django admin.
"""

import datetime
import decimal
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from mes.models import AuditAction, AuditEntry


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The concrete field values of a record, as JSON-ready values."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        values[field.name] = _plain(getattr(instance, field.attname))
    return values


def record(
    instance: models.Model,
    action: str,
    *,
    actor: Any = None,
    changes: dict[str, list[Any]] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one audit entry for the record."""
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        changes=changes or {},
        reason=reason,
        actor=user,
    )


def record_create(
    instance: models.Model, *, actor: Any, reason: str = ""
) -> AuditEntry:
    changes = {name: [None, value] for name, value in snapshot(instance).items()}
    return record(
        instance, AuditAction.CREATE, actor=actor, changes=changes, reason=reason
    )


def record_change(
    instance: models.Model,
    before: dict[str, Any],
    *,
    actor: Any,
    reason: str = "",
) -> AuditEntry | None:
    """Record the fields that differ from ``before``; nothing if none do."""
    after = snapshot(instance)
    changes = {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }
    if not changes:
        return None
    return record(
        instance, AuditAction.CHANGE, actor=actor, changes=changes, reason=reason
    )


def record_transition(
    instance: models.Model,
    field: str,
    old: Any,
    new: Any,
    *,
    actor: Any,
    reason: str = "",
) -> AuditEntry:
    changes = {field: [_plain(old), _plain(new)]}
    return record(
        instance, AuditAction.TRANSITION, actor=actor, changes=changes, reason=reason
    )


def record_delete(
    instance: models.Model, *, actor: Any, reason: str = ""
) -> AuditEntry:
    changes = {name: [value, None] for name, value in snapshot(instance).items()}
    return record(
        instance, AuditAction.DELETE, actor=actor, changes=changes, reason=reason
    )


def history(instance: models.Model) -> models.QuerySet[AuditEntry]:
    """Entries of one record, newest first."""
    return AuditEntry.objects.for_object(instance).select_related("actor")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return "<binary>"
    if hasattr(value, "name") and hasattr(value, "url"):
        return value.name or ""
    return value
