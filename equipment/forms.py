"""Forms of the equipment pages: typed input for the services."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from equipment.models import (
    DowntimeReason,
    FailureCategory,
    Machine,
    MaintenanceOrder,
    WorkCenter,
)
from mes.roles import Role

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"})


class ClassifyDowntimeForm(forms.Form):
    reason = forms.ModelChoiceField(
        queryset=DowntimeReason.objects.filter(is_active=True),
        label=_("Reason"),
        error_messages={"invalid_choice": _("Choose a reason from the list.")},
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ManualDowntimeForm(forms.Form):
    machine = forms.ModelChoiceField(
        queryset=Machine.objects.filter(is_active=True), label=_("Machine")
    )
    started_at = forms.DateTimeField(label=_("Start"), widget=DATETIME_WIDGET)
    ended_at = forms.DateTimeField(label=_("End"), widget=DATETIME_WIDGET)
    reason = forms.ModelChoiceField(
        queryset=DowntimeReason.objects.filter(is_active=True), label=_("Reason")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("started_at"), data.get("ended_at")
        if start and end and end <= start:
            raise forms.ValidationError(_("The stop must end after it starts."))
        return data


class FaultReportForm(forms.Form):
    machine = forms.ModelChoiceField(
        queryset=Machine.objects.filter(is_active=True), label=_("Machine")
    )
    description = forms.CharField(
        label=_("What is wrong?"), widget=forms.Textarea(attrs={"rows": 3})
    )
    failure_category = forms.ChoiceField(
        label=_("Failure category"),
        choices=FailureCategory.choices,
        initial=FailureCategory.OTHER,
    )
    machine_stopped = forms.BooleanField(
        label=_("The machine is stopped"), required=False, initial=True
    )


class CompleteOrderForm(forms.Form):
    """Work done, time, spare parts and one result per check of the order."""

    work_done = forms.CharField(
        label=_("Work done"), widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes_spent = forms.IntegerField(
        label=_("Time spent (min)"), min_value=0, max_value=100_000
    )
    spare_part = forms.CharField(
        label=_("Spare part (item code)"), max_length=60, required=False
    )
    spare_quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        min_value=Decimal("0.001"),
        max_digits=12,
        decimal_places=3,
    )

    def __init__(self, *args: Any, order: MaintenanceOrder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.results = list(order.checklist_results.all())
        for result in self.results:
            self.fields[f"found_{result.pk}"] = forms.CharField(
                label=result.text, max_length=100, required=False
            )
            self.fields[f"ok_{result.pk}"] = forms.TypedChoiceField(
                label=_("Result"),
                choices=[("yes", _("OK")), ("no", _("Not OK"))],
                coerce=lambda value: value == "yes",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = (data.get("spare_part") or "").strip()
        if code:
            from materials.models import Item

            item = Item.objects.filter(code=code).first()
            if item is None:
                self.add_error(
                    "spare_part", _("There is no item %(code)s.") % {"code": code}
                )
            elif not data.get("spare_quantity"):
                self.add_error("spare_quantity", _("Give the quantity used."))
            else:
                data["spare_item"] = item
        return data

    def checklist(self) -> dict[int, tuple[str, bool | None]]:
        return {
            result.pk: (
                self.cleaned_data.get(f"found_{result.pk}", ""),
                self.cleaned_data.get(f"ok_{result.pk}"),
            )
            for result in self.results
        }

    def check_fields(self) -> list[tuple[Any, Any, Any]]:
        return [
            (result, self[f"found_{result.pk}"], self[f"ok_{result.pk}"])
            for result in self.results
        ]


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CancelOrderForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)


class AssignOrderForm(forms.Form):
    technician = forms.ModelChoiceField(
        queryset=get_user_model()
        .objects.filter(groups__name=Role.MAINTENANCE, is_active=True)
        .order_by("username"),
        label=_("Technician"),
    )


class OeeFilterForm(forms.Form):
    work_center = forms.ModelChoiceField(
        queryset=WorkCenter.objects.filter(is_active=True),
        required=False,
        label=_("Work center"),
        empty_label=_("All work centers"),
    )
    days = forms.TypedChoiceField(
        label=_("Days"),
        choices=[(7, "7"), (14, "14"), (30, "30")],
        coerce=int,
        initial=7,
        required=False,
    )
