"""Forms of quality: they turn input into typed values for the services."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from materials import services as materials
from materials.models import Item, Location, Lot
from quality.models import (
    Characteristic,
    DefectCode,
    Disposition,
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


class StandardEditForm(StandardForm):
    class Meta(StandardForm.Meta):
        fields = ["name", "item", "operation_name", "change_note"]


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


def _lot_from_code(code: str) -> Lot:
    try:
        return materials.find_lot_by_code(code)
    except materials.StockError as error:
        raise forms.ValidationError(error.messages[0]) from None


class NonconformanceForm(forms.Form):
    lot_code = forms.CharField(label=_("lot code"), max_length=60, required=False)
    item = forms.ModelChoiceField(
        label=_("item"), queryset=Item.objects.filter(is_active=True), required=False
    )
    quantity = forms.DecimalField(label=_("quantity"), min_value=Decimal("0.0001"))
    defect_code = forms.ModelChoiceField(
        label=_("defect code"),
        queryset=DefectCode.objects.filter(is_active=True),
        required=False,
    )
    description = forms.CharField(label=_("description"), widget=forms.Textarea)
    unit_cost = forms.DecimalField(
        label=_("unit cost"), min_value=Decimal(0), initial=Decimal(0), required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        code = (cleaned.get("lot_code") or "").strip()
        cleaned["lot"] = None
        if code:
            try:
                cleaned["lot"] = _lot_from_code(code)
            except forms.ValidationError as error:
                self.add_error("lot_code", error)
        if not code and not cleaned.get("item"):
            self.add_error("item", _("Name the lot or the item."))
        return cleaned


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(label=_("disposition"), choices=Disposition.choices)
    quantity = forms.DecimalField(
        label=_("quantity"), min_value=Decimal("0.0001"), required=False
    )
    location = forms.ModelChoiceField(
        label=_("from location"), queryset=Location.objects.none(), required=False
    )
    rework_location = forms.ModelChoiceField(
        label=_("rework location"),
        queryset=Location.objects.filter(is_active=True),
        required=False,
    )
    rework_reference = forms.CharField(
        label=_("rework order"), max_length=60, required=False
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    password = forms.CharField(
        label=_("password (approval of use as is)"),
        required=False,
        widget=forms.PasswordInput,
    )

    def __init__(self, *args: Any, lot: Lot | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lot is not None:
            self.fields["location"].queryset = Location.objects.filter(
                balances__lot=lot, balances__quantity__gt=0
            ).distinct()


class ActionForm(forms.Form):
    description = forms.CharField(
        label=_("corrective action"), widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(
        label=_("owner"), queryset=get_user_model().objects.filter(is_active=True)
    )
    due_on = forms.DateField(
        label=_("due on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ActionDoneForm(forms.Form):
    result = forms.CharField(
        label=_("result"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    cause = forms.CharField(label=_("cause"), widget=forms.Textarea(attrs={"rows": 2}))
    verification = forms.CharField(
        label=_("verification"), widget=forms.Textarea(attrs={"rows": 2})
    )
    password = forms.CharField(
        label=_("password (electronic signature)"), widget=forms.PasswordInput
    )


class HoldForm(forms.Form):
    lot_code = forms.CharField(label=_("lot code"), max_length=60)
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_genealogy = forms.BooleanField(
        label=_("also hold every lot made from it"), required=False
    )

    def clean_lot_code(self) -> Lot:
        return _lot_from_code(self.cleaned_data["lot_code"])


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 2})
    )
    password = forms.CharField(
        label=_("password (electronic signature)"), widget=forms.PasswordInput
    )
