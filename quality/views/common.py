"""What every quality page shares: roles, access helpers, error display."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from mes.roles import Role
from quality.models import Characteristic, InspectionPlan, QualityStandard

# Who may look at quality records, and who may change them.
VIEW_ROLES = (Role.QUALITY, Role.SUPERVISOR, Role.ADMIN)
EDIT_ROLES = (Role.QUALITY, Role.ADMIN)


def get_standard_for_user(user: Any, pk: int) -> QualityStandard:
    return get_object_or_404(
        QualityStandard.objects.select_related("item", "created_by"), pk=pk
    )


def get_characteristic_for_user(user: Any, pk: int) -> Characteristic:
    return get_object_or_404(
        Characteristic.objects.select_related("standard__item"), pk=pk
    )


def get_plan_for_user(user: Any, pk: int) -> InspectionPlan:
    return get_object_or_404(
        InspectionPlan.objects.select_related("standard__item"), pk=pk
    )


def show_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on its fields or above them."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item.messages[0])
    else:
        for message in error.messages:
            form.add_error(None, message)


def report_error(request: HttpRequest, error: ValidationError) -> None:
    """A refused button press: the reason as an error message."""
    for message in error.messages:
        messages.error(request, message)
