"""Domain verbs of quality: standards, plans, control limits.

Every verb takes the acting user, checks the state machine and the user's
roles, changes rows under a row lock inside one transaction and writes the
audit trail in that transaction. Refusals raise ``QualityError`` with a
translated message and change nothing.

Role rules: quality inspectors (and admins) write standards and plans;
another inspector releases a standard version, never the one who drafted or
submitted it, unless ``settings.ALLOW_SELF_APPROVAL`` is on.
"""

import logging
from datetime import datetime
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import services as dispatch_services
from mes import audit
from mes.roles import Role, has_role
from quality import queries, spc
from quality.models import (
    Characteristic,
    InspectionPlan,
    Measurement,
    QualityError,
    QualityStandard,
    StandardStatus,
)

logger = logging.getLogger(__name__)

QUALITY_ROLES = (Role.QUALITY, Role.ADMIN)


def _require_role(actor: Any) -> None:
    if not has_role(actor, *QUALITY_ROLES):
        raise QualityError(
            _("Only quality inspectors may change quality records."),
            code="not_allowed",
        )


def _user(actor: Any) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _full_clean(instance: Any) -> None:
    """Model validation as a QualityError, so callers catch one kind."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean()
    except ValidationError as error:
        raise QualityError(error.message_dict) from None


# Standards ---------------------------------------------------------------


def create_standard(actor: Any, **values: Any) -> QualityStandard:
    """Draft version 1 of a new quality standard."""
    _require_role(actor)
    with transaction.atomic():
        if QualityStandard.objects.filter(code=values.get("code")).exists():
            raise QualityError(
                {"code": _("A quality standard with this code exists already.")}
            )
        standard = QualityStandard(created_by=_user(actor), **values)
        _full_clean(standard)
        standard.save()
        audit.record_create(standard, actor=actor)
    return standard


def update_standard(
    standard: QualityStandard, actor: Any, **values: Any
) -> QualityStandard:
    """Change the name, item, operation or note of a draft version."""
    _require_role(actor)
    with transaction.atomic():
        standard = _locked_standard(standard)
        _require_editable(standard)
        before = audit.snapshot(standard)
        for name, value in values.items():
            setattr(standard, name, value)
        _full_clean(standard)
        standard.save()
        audit.record_change(standard, before, actor=actor)
    return standard


def _locked_standard(standard: QualityStandard) -> QualityStandard:
    return QualityStandard.objects.select_for_update().get(pk=standard.pk)


def _require_editable(standard: QualityStandard) -> None:
    if not standard.is_editable:
        raise QualityError(
            _("Version %(version)s is %(status)s; draft a new version to change it."),
            code="not_editable",
            params={
                "version": standard.version,
                "status": standard.get_status_display(),
            },
        )


def save_characteristic(
    standard: QualityStandard,
    actor: Any,
    characteristic: Characteristic | None = None,
    defect_codes: Any = None,
    **values: Any,
) -> Characteristic:
    """Add a characteristic to a draft standard, or change one of its own."""
    _require_role(actor)
    with transaction.atomic():
        standard = _locked_standard(standard)
        _require_editable(standard)
        if characteristic is None:
            characteristic = Characteristic(standard=standard)
            before = None
        else:
            before = audit.snapshot(characteristic)
        for name, value in values.items():
            setattr(characteristic, name, value)
        _full_clean(characteristic)
        characteristic.save()
        if defect_codes is not None:
            characteristic.defect_codes.set(defect_codes)
        if before is None:
            audit.record_create(characteristic, actor=actor)
        else:
            audit.record_change(characteristic, before, actor=actor)
    return characteristic


def delete_characteristic(characteristic: Characteristic, actor: Any) -> None:
    _require_role(actor)
    with transaction.atomic():
        _require_editable(_locked_standard(characteristic.standard))
        audit.record_delete(characteristic, actor=actor)
        characteristic.delete()


def submit_standard(standard: QualityStandard, actor: Any) -> QualityStandard:
    """Send a draft version for review; it needs at least one characteristic."""
    _require_role(actor)
    with transaction.atomic():
        standard = _locked_standard(standard)
        if not standard.characteristics.exists():
            raise QualityError(
                _("A quality standard needs at least one characteristic."),
                code="empty",
            )
        old = standard.transition_to(StandardStatus.IN_REVIEW)
        standard.submitted_by = _user(actor)
        standard.save(update_fields=["status", "submitted_by"])
        audit.record_transition(standard, "status", old, standard.status, actor=actor)
    return standard


def return_standard(standard: QualityStandard, actor: Any, reason: str) -> None:
    """Send a version in review back to draft, saying why."""
    _require_role(actor)
    if not (reason or "").strip():
        raise QualityError({"reason": _("Say why the version goes back.")})
    with transaction.atomic():
        standard = _locked_standard(standard)
        old = standard.transition_to(StandardStatus.DRAFT)
        standard.save(update_fields=["status"])
        audit.record_transition(
            standard, "status", old, standard.status, actor=actor, reason=reason
        )


def release_standard(standard: QualityStandard, actor: Any) -> QualityStandard:
    """Release a reviewed version; the released one of the code becomes obsolete."""
    _require_role(actor)
    with transaction.atomic():
        standard = _locked_standard(standard)
        if (
            not settings.ALLOW_SELF_APPROVAL
            and actor.pk is not None
            and actor.pk in (standard.created_by_id, standard.submitted_by_id)
        ):
            raise QualityError(
                _(
                    "You drafted or submitted this version; someone else must "
                    "release it."
                ),
                code="self_approval",
            )
        if not standard.can_become(StandardStatus.RELEASED):
            standard.transition_to(StandardStatus.RELEASED)
        current = (
            QualityStandard.objects.select_for_update()
            .filter(code=standard.code, status=StandardStatus.RELEASED)
            .first()
        )
        if current is not None:
            old = current.transition_to(StandardStatus.OBSOLETE)
            current.save(update_fields=["status"])
            audit.record_transition(current, "status", old, current.status, actor=actor)
        old = standard.transition_to(StandardStatus.RELEASED)
        standard.released_by = _user(actor)
        standard.released_at = timezone.now()
        standard.save(update_fields=["status", "released_by", "released_at"])
        audit.record_transition(standard, "status", old, standard.status, actor=actor)
        logger.info("Quality standard %s released by %s", standard, actor)
    return standard


def new_standard_version(standard: QualityStandard, actor: Any) -> QualityStandard:
    """Draft the next version of a standard as a copy of this one."""
    _require_role(actor)
    with transaction.atomic():
        latest = (
            QualityStandard.objects.select_for_update()
            .filter(code=standard.code)
            .order_by("-version")
            .first()
        )
        copy = QualityStandard.objects.get(pk=standard.pk)
        copy.pk = None
        copy.version = latest.version + 1 if latest else 1
        copy.status = StandardStatus.DRAFT
        copy.created_by = _user(actor)
        copy.submitted_by = None
        copy.released_by = None
        copy.released_at = None
        copy.change_note = ""
        copy.save()
        for characteristic in standard.characteristics.prefetch_related("defect_codes"):
            codes = list(characteristic.defect_codes.all())
            characteristic.pk = None
            characteristic.standard = copy
            characteristic.save()
            characteristic.defect_codes.set(codes)
        audit.record_create(copy, actor=actor)
    return copy


# Inspection plans ----------------------------------------------------------


def save_plan(
    actor: Any,
    plan: InspectionPlan | None = None,
    characteristics: Any = None,
    **values: Any,
) -> InspectionPlan:
    """Create or change an inspection plan of a released standard."""
    _require_role(actor)
    with transaction.atomic():
        before = audit.snapshot(plan) if plan is not None else None
        plan = plan or InspectionPlan()
        for name, value in values.items():
            setattr(plan, name, value)
        _full_clean(plan)
        if plan.standard.status != StandardStatus.RELEASED:
            raise QualityError(
                {"standard": _("An inspection plan needs a released quality standard.")}
            )
        chosen = list(characteristics or [])
        if any(item.standard_id != plan.standard_id for item in chosen):
            raise QualityError(
                {
                    "characteristics": _(
                        "Choose characteristics of the plan's quality standard."
                    )
                }
            )
        plan.save()
        if characteristics is not None:
            plan.characteristics.set(chosen)
        if before is None:
            audit.record_create(plan, actor=actor)
        else:
            audit.record_change(plan, before, actor=actor)
    return plan


# SPC ---------------------------------------------------------------------


def measurement_values(characteristic: Characteristic, **filters: Any) -> np.ndarray:
    """A characteristic's measured values in subgroup order, as an array."""
    rows = (
        Measurement.objects.filter(characteristic=characteristic, **filters)
        .order_by("subgroup", "id")
        .values_list("value", flat=True)
    )
    return np.fromiter(rows, dtype=float)


def set_control_limits(
    characteristic: Characteristic,
    actor: Any,
    baseline_from: datetime,
    baseline_to: datetime,
) -> spc.VariableLimits:
    """Compute and keep control limits from the measurements of a baseline."""
    _require_role(actor)
    if not characteristic.is_variable:
        raise QualityError(_("Control limits are kept for measured characteristics."))
    if baseline_from >= baseline_to:
        raise QualityError({"baseline_to": _("The baseline must end after it starts.")})
    values = measurement_values(
        characteristic, taken_at__gte=baseline_from, taken_at__lte=baseline_to
    )
    size = characteristic.subgroup_size
    needed = max(2, size * 2)
    if len(values) < needed:
        raise QualityError(
            _(
                "The baseline holds %(count)s values; at least %(needed)s are "
                "needed for control limits."
            ),
            params={"count": len(values), "needed": needed},
        )
    limits = spc.variable_limits(values, size)
    with transaction.atomic():
        locked = Characteristic.objects.select_for_update().get(pk=characteristic.pk)
        before = audit.snapshot(locked)
        locked.control_limits = limits.as_dict()
        locked.baseline_from = baseline_from
        locked.baseline_to = baseline_to
        locked.save(update_fields=["control_limits", "baseline_from", "baseline_to"])
        audit.record_change(locked, before, actor=actor, reason=_("New SPC baseline"))
    transaction.on_commit(queries.forget_capability_summary)
    characteristic.control_limits = locked.control_limits
    characteristic.baseline_from = baseline_from
    characteristic.baseline_to = baseline_to
    return limits


# Alerts and stops ----------------------------------------------------------


def acknowledge_alert(alert: Any, actor: Any) -> None:
    """An inspector or supervisor has seen the broken run rule."""
    if not has_role(actor, Role.QUALITY, Role.SUPERVISOR, Role.ADMIN):
        raise QualityError(_("You may not acknowledge SPC alerts."), code="not_allowed")
    with transaction.atomic():
        alert = type(alert).objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            return
        before = audit.snapshot(alert)
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit.record_change(alert, before, actor=actor)


def lift_operation_stop(stop: Any, actor: Any, reason: str) -> None:
    """Let a stopped operation run again once quality has dealt with the cause."""
    _require_role(actor)
    if not (reason or "").strip():
        raise QualityError({"reason": _("Say why the operation may run again.")})
    with transaction.atomic():
        stop = type(stop).objects.select_for_update().get(pk=stop.pk)
        if stop.lifted_at is not None:
            raise QualityError(_("This stop was lifted already."))
        before = audit.snapshot(stop)
        stop.lifted_at = timezone.now()
        stop.lifted_by = actor
        stop.save(update_fields=["lifted_at", "lifted_by"])
        audit.record_change(stop, before, actor=actor, reason=reason.strip())
        if stop.inspection_order_id is not None:
            dispatch_services.resolve_exceptions_from(
                f"quality:{stop.inspection_order.number}", actor, reason.strip()
            )
