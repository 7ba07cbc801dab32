"""Lot holds from quality's side: forward through the genealogy, and release.

A hold blocks a lot everywhere because materials refuses to issue, consume
or move a held lot; quality keeps its own ``LotHold`` record of why and by
whom, and of the release with its electronic signature. A hold may follow
the genealogy forward: every lot made from the suspect lot, at every level,
is held too. ``hold_preview`` shows that set before anything changes.

Limitations: consumed and scrapped lots cannot be held (their stock is gone)
and are listed in the preview as such; shipped finished goods are not
tracked beyond the last lot, so a recall outside the plant is the user's
step.
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from materials import services as materials
from materials.genealogy import trace_forward
from materials.models import Lot, LotStatus
from mes import audit
from mes.roles import Role, has_role
from quality import signatures
from quality.models import (
    InspectionOrder,
    LotHold,
    Nonconformance,
    QualityError,
    SignatureMeaning,
)

logger = logging.getLogger(__name__)

HOLD_ROLES = (Role.QUALITY, Role.ADMIN)
HOLDABLE = (LotStatus.AVAILABLE, LotStatus.QUARANTINE, LotStatus.ON_HOLD)


@dataclass(frozen=True)
class HoldCandidate:
    """A lot the hold would reach, and whether it can be held."""

    lot_id: int
    code: str
    item_code: str
    item_name: str
    status: str
    depth: int

    @property
    def can_hold(self) -> bool:
        return self.status in HOLDABLE

    @property
    def status_label(self) -> str:
        return str(LotStatus(self.status).label)


def hold_preview(lot: Lot, follow_genealogy: bool) -> list[HoldCandidate]:
    """The lots a hold would reach: the lot, and with genealogy all made from it."""
    if not follow_genealogy:
        return [
            HoldCandidate(lot.pk, lot.code, lot.item.code, lot.item.name, lot.status, 0)
        ]
    traced = trace_forward(lot)
    depths = traced.depths()
    ordered = [traced.root, *traced.reached]
    return [
        HoldCandidate(
            item.id,
            item.code,
            item.item_code,
            item.item_name,
            item.status,
            depths.get(item.id, 0),
        )
        for item in ordered
    ]


def _require_role(actor: Any) -> None:
    if not has_role(actor, *HOLD_ROLES):
        raise QualityError(
            _("Only quality inspectors may hold and release lots."), code="not_allowed"
        )


def hold_lots(
    lot: Lot,
    actor: Any,
    reason: str,
    *,
    follow_genealogy: bool = False,
    nonconformance: Nonconformance | None = None,
    inspection_order: InspectionOrder | None = None,
) -> list[LotHold]:
    """Hold the lot (and, following the genealogy, every lot made from it).

    Lots already held by quality keep their open hold; consumed and scrapped
    lots are passed over. Returns the holds created.
    """
    _require_role(actor)
    reason = (reason or "").strip()
    if not reason:
        raise QualityError({"reason": _("Give a reason for the hold.")})
    candidates = [c for c in hold_preview(lot, follow_genealogy) if c.can_hold]
    created = []
    with transaction.atomic():
        open_lots = set(
            LotHold.objects.filter(
                lot_id__in=[c.lot_id for c in candidates], released_at__isnull=True
            ).values_list("lot_id", flat=True)
        )
        for candidate in sorted(candidates, key=lambda c: c.lot_id):
            if candidate.lot_id in open_lots:
                continue
            target = Lot.objects.get(pk=candidate.lot_id)
            try:
                materials.hold_lot(target, actor, reason)
            except materials.StockError as error:
                raise QualityError(error.messages) from None
            hold = LotHold.objects.create(
                lot=target,
                source_lot=lot if target.pk != lot.pk else None,
                reason=reason,
                nonconformance=nonconformance,
                inspection_order=inspection_order,
                held_by=actor if actor is not None and actor.is_authenticated else None,
            )
            audit.record_create(hold, actor=actor, reason=reason)
            created.append(hold)
    logger.info("Quality held %s lots from %s", len(created), lot.code)
    return created


def release_hold(hold: LotHold, actor: Any, reason: str, password: str) -> LotHold:
    """Release a held lot: a reason and the signer's password are required."""
    _require_role(actor)
    reason = (reason or "").strip()
    if not reason:
        raise QualityError({"reason": _("Give a reason for the release.")})
    with transaction.atomic():
        hold = LotHold.objects.select_for_update().get(pk=hold.pk)
        if not hold.is_open:
            raise QualityError(_("This hold was released already."), code="released")
        signature = signatures.sign(
            hold, actor, password, SignatureMeaning.RELEASED, reason
        )
        lot = Lot.objects.get(pk=hold.lot_id)
        if lot.status == LotStatus.ON_HOLD:
            try:
                materials.release_lot(lot, actor, reason)
            except materials.StockError as error:
                raise QualityError(error.messages) from None
        before = audit.snapshot(hold)
        hold.released_at = timezone.now()
        hold.release_reason = reason
        hold.release_signature = signature
        hold.save(update_fields=["released_at", "release_reason", "release_signature"])
        audit.record_change(hold, before, actor=actor, reason=reason)
    logger.info("Quality released lot %s", hold.lot_id)
    return hold


def release_lot_after_inspection(lot: Lot, actor: Any, reason: str) -> None:
    """A passed receipt or final inspection makes its lot available.

    Holds quality placed for the inspection itself are closed (the order
    carries the inspector's signature); a lot also held for another reason
    stays on hold.
    """
    if lot.status not in (LotStatus.QUARANTINE, LotStatus.ON_HOLD):
        return
    if LotHold.objects.filter(
        lot=lot, released_at__isnull=True, inspection_order__isnull=True
    ).exists():
        return
    try:
        materials.release_lot(lot, actor, reason)
    except materials.StockError as error:
        raise QualityError(error.messages) from None
    for hold in LotHold.objects.filter(lot=lot, released_at__isnull=True):
        before = audit.snapshot(hold)
        hold.released_at = timezone.now()
        hold.release_reason = reason
        hold.save(update_fields=["released_at", "release_reason"])
        audit.record_change(hold, before, actor=actor, reason=reason)
