"""Explicit status pipelines: the one way a record's status changes.

A model with a ``status`` field mixes in ``StatusMachine`` and states, in
``transitions``, the statuses each status may move to and, in
``transition_error``, the domain error (a ``ValidationError``) a refused move
raises. ``can_become`` answers the templates' and services' questions;
``transition_to`` is the only place the status changes. A model may word
the refusal itself through ``transition_refused``, a translated message with
``%(record)s``, ``%(old)s`` and ``%(new)s``.
"""

from collections.abc import Collection, Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class StatusMachine:
    transitions: ClassVar[Mapping[str, Collection[str]]]
    transition_error: ClassVar[type[ValidationError]]
    transition_refused: ClassVar[Any] = _(
        "%(record)s is %(old)s and cannot become %(new)s."
    )

    status: str

    def can_become(self, status: str) -> bool:
        return status in self.transitions[self.status]

    def transition_to(self, status: str) -> str:
        """Move to ``status`` if the pipeline allows it; return the old status."""
        if not self.can_become(status):
            labels = dict(self._meta.get_field("status").flatchoices)  # type: ignore[attr-defined]
            raise self.transition_error(
                self.transition_refused,
                code="invalid_transition",
                params={
                    "record": str(self),
                    "old": labels[self.status],
                    "new": labels[status],
                },
            )
        old = self.status
        self.status = status
        return old
