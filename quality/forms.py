"""Forms of quality: they turn input into typed values for the services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from materials.models import Item
from quality.models import (
    Characteristic,
    DefectCode,
    InspectionPlan,
    QualityStandard,
    StandardStatus,
)


class StandardForm(forms.ModelForm):
    class Meta:
        model = QualityStandard
        fields = ["code", "name", "item", "operation_name", "change_note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(is_active=True)


class CharacteristicForm(forms.ModelForm):
    defect_codes = forms.ModelMultipleChoiceField(
        label=_("defect codes"),
        queryset=DefectCode.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Characteristic
        fields = [
            "sequence",
            "name",
            "kind",
            "unit",
            "decimals",
            "nominal",
            "lower_limit",
            "upper_limit",
            "physical_minimum",
            "physical_maximum",
            "subgroup_size",
            "defect_codes",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        low, high = cleaned.get("lower_limit"), cleaned.get("upper_limit")
        if low is not None and high is not None and low >= high:
            self.add_error(
                "upper_limit",
                _("The upper specification limit must be above the lower one."),
            )
        return cleaned

    def _post_clean(self) -> None:
        # The service validates the model inside its transaction.
        pass


class PlanForm(forms.ModelForm):
    class Meta:
        model = InspectionPlan
        fields = [
            "code",
            "name",
            "standard",
            "characteristics",
            "trigger",
            "every_parts",
            "every_minutes",
            "sampling",
            "sample_size",
            "sample_percent",
            "aql",
            "holds_lot_on_failure",
            "stops_operation_on_failure",
            "due_minutes",
            "is_active",
        ]
        widgets = {"characteristics": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = QualityStandard.objects.filter(
            status=StandardStatus.RELEASED
        ).select_related("item")
        self.fields["characteristics"].queryset = Characteristic.objects.filter(
            standard__status=StandardStatus.RELEASED
        ).select_related("standard")
        self.fields["characteristics"].label_from_instance = lambda item: (
            f"{item.standard.code}: {item.name}"
        )

    def _post_clean(self) -> None:
        # The service validates the model inside its transaction.
        pass


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class BaselineForm(forms.Form):
    baseline_from = forms.DateTimeField(
        label=_("baseline from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    baseline_to = forms.DateTimeField(
        label=_("baseline to"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("baseline_from"), cleaned.get("baseline_to")
        if start and end and start >= end:
            self.add_error("baseline_to", _("The baseline must end after it starts."))
        return cleaned
