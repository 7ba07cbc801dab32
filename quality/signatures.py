"""Electronic signatures: a re-entered password binding a person to a decision.

The signer types their password again at the moment of signing; a wrong or
missing password refuses the action and changes nothing. The signature row
keeps who, when and the meaning (what the signer vouches for), with the
record signed, and is never changed afterwards.
"""

import logging
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from quality.models import ElectronicSignature, QualityError

logger = logging.getLogger(__name__)


def check_password(actor: Any, password: str) -> None:
    """Refuse a signature whose password is missing or wrong."""
    if not password:
        raise QualityError(
            {"password": _("Enter your password to sign.")}, code="signature"
        )
    if (
        actor is None
        or not actor.is_authenticated
        or not actor.check_password(password)
    ):
        logger.warning("Refused electronic signature of %s", actor)
        raise QualityError(
            {"password": _("The password is not correct; nothing was signed.")},
            code="signature",
        )


def sign(
    record: models.Model, actor: Any, password: str, meaning: str, reason: str = ""
) -> ElectronicSignature:
    """Check the password and store the signature of ``record``.

    Call inside the transaction that makes the signed change.
    """
    check_password(actor, password)
    return ElectronicSignature.objects.create(
        signer=actor,
        meaning=meaning,
        record_type=record._meta.label_lower,
        record_id=str(record.pk),
        record_text=str(record)[:200],
        reason=reason,
    )


def signatures_of(record: models.Model) -> models.QuerySet[ElectronicSignature]:
    return ElectronicSignature.objects.filter(
        record_type=record._meta.label_lower, record_id=str(record.pk)
    ).select_related("signer")
