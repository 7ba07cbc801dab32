"""Nonconformance reports: disposition with its stock moves, actions, closure.

A disposition posts the matching materials moves: scrap books the quantity
out of stock, return to supplier books it back to the supplier, rework
moves it to the rework location under a rework order reference, and use as
is releases the lot's quality holds after an approver signs. Closing needs
every corrective action done and a verification signed with the password.

Limitations: rework does not create a work order in planning; the rework
reference names the order planners create for it.
"""

import logging
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from materials import services as materials
from materials.models import Location, Lot, StockBalance
from mes import audit
from mes.roles import Role, has_role
from quality import signatures
from quality.models import (
    CorrectiveAction,
    Disposition,
    LotHold,
    Nonconformance,
    NonconformanceStatus,
    QualityError,
    SignatureMeaning,
)

logger = logging.getLogger(__name__)

NC_ROLES = (Role.QUALITY, Role.ADMIN)
# Use as is needs the word of someone who may accept a deviation.
APPROVER_ROLES = (Role.QUALITY, Role.SUPERVISOR, Role.ADMIN)


def _require_role(actor: Any, roles: tuple[str, ...] = NC_ROLES) -> None:
    if not has_role(actor, *roles):
        raise QualityError(
            _("You may not change nonconformance reports."), code="not_allowed"
        )


def next_number() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('quality_nonconformance_number_seq')")
        (value,) = cursor.fetchone()
    return f"NC-{value:06d}"


def open_nonconformance(actor: Any, **values: Any) -> Nonconformance:
    """Report nonconforming product; quantity, item and description needed."""
    _require_role(actor)
    quantity = values.get("quantity")
    if quantity is None or Decimal(quantity) <= 0:
        raise QualityError({"quantity": _("The quantity must be above zero.")})
    if not (values.get("description") or "").strip():
        raise QualityError({"description": _("Describe what is wrong.")})
    lot = values.get("lot")
    if lot is not None and values.get("item") is None:
        values["item"] = lot.item
    if lot is not None and lot.supplier_id and not values.get("supplier"):
        values["supplier"] = lot.supplier
    with transaction.atomic():
        report = Nonconformance.objects.create(
            number=next_number(), found_by=actor, **values
        )
        audit.record_create(report, actor=actor)
    logger.info("Nonconformance %s opened by %s", report.number, actor)
    return report


def lot_locations(lot: Lot) -> list[StockBalance]:
    return list(
        StockBalance.objects.filter(lot=lot, quantity__gt=0).select_related("location")
    )


def _location_for(report: Nonconformance, location: Location | None) -> Location:
    if location is not None:
        return location
    balances = lot_locations(report.lot) if report.lot else []
    if len(balances) != 1:
        raise QualityError(
            {"location": _("Choose the location the stock is taken from.")}
        )
    return balances[0].location


def disposition(
    report: Nonconformance,
    actor: Any,
    choice: str,
    *,
    note: str = "",
    quantity: Decimal | None = None,
    location: Location | None = None,
    rework_location: Location | None = None,
    rework_reference: str = "",
    password: str = "",
) -> Nonconformance:
    """Decide what happens with the nonconforming product and post the moves."""
    _require_role(
        actor, APPROVER_ROLES if choice == Disposition.USE_AS_IS else NC_ROLES
    )
    if choice not in Disposition.values:
        raise QualityError({"disposition": _("Choose a disposition.")})
    amount = quantity if quantity is not None else report.quantity
    if amount <= 0:
        raise QualityError({"quantity": _("The quantity must be above zero.")})
    with transaction.atomic():
        report = Nonconformance.objects.select_for_update().get(pk=report.pk)
        old = report.transition_to(NonconformanceStatus.DISPOSITIONED)
        reason = _("Nonconformance %(number)s: %(disposition)s") % {
            "number": report.number,
            "disposition": Disposition(choice).label,
        }
        try:
            _post_moves(
                report, actor, choice, amount, location, rework_location,
                rework_reference, password, reason,
            )  # fmt: skip
        except materials.StockError as error:
            raise QualityError(error.messages) from None
        report.disposition = choice
        report.disposition_note = note
        report.dispositioned_by = actor
        report.dispositioned_at = timezone.now()
        report.rework_reference = rework_reference
        report.save()
        audit.record_transition(
            report, "status", old, report.status, actor=actor, reason=reason
        )
    return report


def _post_moves(
    report: Nonconformance,
    actor: Any,
    choice: str,
    amount: Decimal,
    location: Location | None,
    rework_location: Location | None,
    rework_reference: str,
    password: str,
    reason: str,
) -> None:
    lot = report.lot
    if choice == Disposition.USE_AS_IS:
        signatures.sign(report, actor, password, SignatureMeaning.APPROVED, reason)
        if lot is not None:
            _release_holds_of(report, lot, actor, reason)
        return
    if lot is None:
        raise QualityError(
            _("Scrap, rework and return need the lot of the nonconforming product.")
        )
    source = _location_for(report, location)
    if choice == Disposition.SCRAP:
        materials.scrap(amount, source, actor, reason, lot=lot, reference=report.number)
    elif choice == Disposition.RETURN_TO_SUPPLIER:
        if lot.supplier_id is None:
            raise QualityError(_("Lot %(code)s has no supplier.") % {"code": lot.code})
        materials.return_to_supplier(
            lot, amount, source, actor, reason, reference=report.number
        )
    elif choice == Disposition.REWORK:
        if rework_location is None or not rework_reference.strip():
            raise QualityError(
                {
                    "rework_location": _(
                        "Rework needs the rework location and the rework order."
                    )
                }
            )
        materials.transfer(
            amount,
            source,
            rework_location,
            actor,
            lot=lot,
            reference=rework_reference.strip(),
            reason=reason,
        )


def _release_holds_of(
    report: Nonconformance, lot: Lot, actor: Any, reason: str
) -> None:
    """Use as is: the lot's holds for this report end and the lot is usable."""
    holds = LotHold.objects.filter(lot=lot, released_at__isnull=True)
    for hold in holds:
        before = audit.snapshot(hold)
        hold.released_at = timezone.now()
        hold.release_reason = reason
        hold.save(update_fields=["released_at", "release_reason"])
        audit.record_change(hold, before, actor=actor, reason=reason)
    lot.refresh_from_db()
    if lot.can_release:
        materials.release_lot(lot, actor, reason)


def add_action(
    report: Nonconformance, actor: Any, description: str, owner: Any, due_on: date
) -> CorrectiveAction:
    _require_role(actor)
    if report.status == NonconformanceStatus.CLOSED:
        raise QualityError(_("The nonconformance is closed."))
    if not (description or "").strip():
        raise QualityError({"description": _("Describe the corrective action.")})
    with transaction.atomic():
        action = CorrectiveAction.objects.create(
            nonconformance=report,
            description=description.strip(),
            owner=owner,
            due_on=due_on,
        )
        audit.record_create(action, actor=actor)
    return action


def complete_action(action: CorrectiveAction, actor: Any, result: str) -> None:
    """The owner (or a quality inspector) reports the action done."""
    if actor.pk != action.owner_id:
        _require_role(actor)
    if not (result or "").strip():
        raise QualityError({"result": _("Say what was done.")})
    with transaction.atomic():
        action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
        if action.is_done:
            raise QualityError(_("This corrective action is done already."))
        before = audit.snapshot(action)
        action.done_at = timezone.now()
        action.result = result.strip()
        action.save(update_fields=["done_at", "result"])
        audit.record_change(action, before, actor=actor)


def close_nonconformance(
    report: Nonconformance, actor: Any, cause: str, verification: str, password: str
) -> Nonconformance:
    """Close with the cause and a signed verification; every action done."""
    _require_role(actor)
    if not (cause or "").strip() or not (verification or "").strip():
        raise QualityError(
            {"verification": _("Name the cause and how the correction was verified.")}
        )
    with transaction.atomic():
        report = Nonconformance.objects.select_for_update().get(pk=report.pk)
        if report.actions.filter(done_at__isnull=True).exists():
            raise QualityError(_("Every corrective action must be done first."))
        old = report.transition_to(NonconformanceStatus.CLOSED)
        signatures.sign(
            report, actor, password, SignatureMeaning.VERIFIED, verification
        )
        report.cause = cause.strip()
        report.verification = verification.strip()
        report.closed_by = actor
        report.closed_at = timezone.now()
        report.save(
            update_fields=["status", "cause", "verification", "closed_by", "closed_at"]
        )
        audit.record_transition(report, "status", old, report.status, actor=actor)
    return report
