"""Forms of the planning pages: typed values for the services."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from equipment.models import Machine, WorkCenter
from materials.models import Item
from planning import queries
from planning.models import (
    BomLine,
    Priority,
    ProductionPlan,
    RoutingOperation,
    RoutingOperationMachine,
    WorkInstructionFile,
    WorkOrder,
    WorkOrderStatus,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkOrderForm(forms.ModelForm):
    class Meta:
        model = WorkOrder
        fields = [
            "product",
            "quantity",
            "due_date",
            "priority",
            "customer_reference",
            "plan",
            "note",
        ]
        widgets = {"due_date": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = queries.products().order_by("code")
        self.fields["plan"].queryset = ProductionPlan.objects.order_by("-starts_on")
        self.fields["quantity"].min_value = 0

    def clean_quantity(self) -> Any:
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise forms.ValidationError(_("The quantity must be greater than zero."))
        return quantity

    def clean_due_date(self) -> Any:
        due_date = self.cleaned_data["due_date"]
        changed = "due_date" in self.changed_data
        if due_date and changed and due_date < timezone.localdate():
            raise forms.ValidationError(_("The due date is in the past."))
        return due_date


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.TextInput()
    )


class AdjustForm(forms.Form):
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=14, decimal_places=4, required=False
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_INPUT)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", "---------"), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required: why the order changes."),
    )


MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_INSTRUCTION_BYTES = 20 * 1024 * 1024


def _check_size(upload: Any, limit: int) -> Any:
    if upload is not None and upload.size > limit:
        raise forms.ValidationError(
            _("The file is larger than %(megabytes)s MB."),
            params={"megabytes": limit // (1024 * 1024)},
        )
    return upload


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: product, quantity, due_date (YYYY-MM-DD); optional: "
            "priority, customer_reference, plan, note, number. UTF-8 (with or "
            "without BOM) or GBK."
        ),
    )

    def clean_file(self) -> Any:
        return _check_size(self.cleaned_data.get("file"), MAX_IMPORT_BYTES)


class ProductionPlanForm(forms.ModelForm):
    class Meta:
        model = ProductionPlan
        fields = ["code", "name", "period", "starts_on", "ends_on", "note"]
        widgets = {
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            raise forms.ValidationError(_("A plan cannot end before it starts."))
        return cleaned


class OrderFilterForm(forms.Form):
    """The order list's filters; bad values are dropped, not refused."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All statuses")),
            ("open", _("Open")),
            *WorkOrderStatus.choices,
        ],
    )
    plan = forms.ModelChoiceField(
        label=_("Production plan"),
        queryset=ProductionPlan.objects.order_by("-starts_on"),
        required=False,
        empty_label=_("All plans"),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("All priorities")), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DATE_INPUT)
    due_to = forms.DateField(label=_("Due to"), required=False, widget=DATE_INPUT)
    late = forms.BooleanField(label=_("Late only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("due_date", _("Due date")),
            ("-due_date", _("Due date, latest first")),
            ("priority", _("Priority")),
            ("number", _("Number")),
            ("-number", _("Number, newest first")),
            ("product", _("Product")),
            ("-quantity", _("Quantity, largest first")),
            ("status", _("Status")),
            ("-created_at", _("Entered, newest first")),
        ],
    )

    def criteria(self) -> queries.OrderFilter:
        if not self.is_valid():
            return queries.OrderFilter()
        data = self.cleaned_data
        return queries.OrderFilter(
            text=data["q"].strip(),
            status=data["status"],
            plan_id=data["plan"].pk if data["plan"] else None,
            priority=data["priority"],
            due_from=data["due_from"],
            due_to=data["due_to"],
            late_only=data["late"],
            sort=data["sort"] or queries.DEFAULT_SORT,
        )


class CapacityForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    size = forms.ChoiceField(
        label=_("Per"),
        required=False,
        choices=[("week", _("Week")), ("day", _("Day"))],
    )
    count = forms.IntegerField(
        label=_("Periods"), required=False, min_value=1, max_value=26
    )


class PerformanceForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Production plan"),
        queryset=ProductionPlan.objects.order_by("-starts_on"),
        required=False,
        empty_label=_("Any plan: use the due dates"),
    )
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DATE_INPUT)
    due_to = forms.DateField(label=_("Due to"), required=False, widget=DATE_INPUT)


class BomLineForm(forms.ModelForm):
    class Meta:
        model = BomLine
        fields = [
            "position",
            "component",
            "quantity",
            "scrap_percent",
            "operation_sequence",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = Item.objects.filter(
            is_active=True
        ).order_by("code")


class RoutingOperationForm(forms.ModelForm):
    class Meta:
        model = RoutingOperation
        fields = [
            "sequence",
            "name",
            "work_center",
            "setup_minutes",
            "run_minutes_per_unit",
            "requires_inspection",
            "instructions",
        ]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_center"].queryset = WorkCenter.objects.filter(
            is_active=True
        ).order_by("code")


class OperationMachineForm(forms.ModelForm):
    class Meta:
        model = RoutingOperationMachine
        fields = ["machine", "run_minutes_per_unit"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["machine"].queryset = Machine.objects.filter(
            is_active=True
        ).order_by("code")


class InstructionFileForm(forms.ModelForm):
    class Meta:
        model = WorkInstructionFile
        fields = ["title", "file"]

    def clean_file(self) -> Any:
        return _check_size(self.cleaned_data.get("file"), MAX_INSTRUCTION_BYTES)


class PlanTargetForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=queries.products().order_by("code")
    )
    quantity = forms.DecimalField(
        label=_("Target quantity"),
        max_digits=14,
        decimal_places=4,
        min_value=0,
        help_text=_("Zero removes the target."),
    )
