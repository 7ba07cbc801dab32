"""Forms of the materials pages: scanned or typed codes become records.

Code fields accept what a keyboard-wedge scanner types (a lot, item or
location code, surrounding spaces forgiven) and turn it into the record, or
into a translated error naming the code that was not found.
"""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from materials import services
from materials.models import Item, Location, Lot, StockBalance, Supplier
from materials.services import StockError

SCANNER_ATTRS = {
    "autocomplete": "off",
    "data-scan-field": "",
    "autocapitalize": "characters",
    "spellcheck": "false",
}


class CodeField(forms.CharField):
    """A text field for a scanned or typed code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 60)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update(SCANNER_ATTRS)


def find_location(code: str) -> Location:
    location = Location.objects.filter(
        Q(code=code) | Q(code__iexact=code), is_active=True
    ).first()
    if location is None:
        raise forms.ValidationError(
            _("No active location has the code %(code)s.") % {"code": code}
        )
    return location


def find_item(code: str) -> Item:
    item = (
        Item.objects.select_related("unit")
        .filter(Q(code=code) | Q(code__iexact=code), is_active=True)
        .first()
    )
    if item is None:
        raise forms.ValidationError(
            _("No active item has the code %(code)s.") % {"code": code}
        )
    return item


def find_lot(code: str) -> Lot:
    try:
        return services.find_lot_by_code(code)
    except StockError as error:
        raise forms.ValidationError(error.messages) from None


def find_stock(code: str) -> tuple[Item, Lot | None]:
    """A lot code, or the code of an item kept without lots."""
    try:
        lot = services.find_lot_by_code(code)
    except StockError:
        lot = None
    if lot is not None:
        return lot.item, lot
    item = Item.objects.filter(
        Q(code=code) | Q(code__iexact=code), is_lot_controlled=False
    ).first()
    if item is None:
        raise forms.ValidationError(
            _("No lot, and no item kept without lots, has the code %(code)s.")
            % {"code": code}
        )
    return item, None


class QuantityField(forms.CharField):
    """A quantity as typed; the form checks it against the item's unit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})


def _quantity(form: forms.Form, value: str, item: Item | None, **options: Any) -> Any:
    try:
        return services.parse_quantity(value, item, **options)
    except StockError as error:
        form.add_error("quantity" if "quantity" in form.fields else None, error)
        return None


class ReceiveForm(forms.Form):
    item = CodeField(label=gettext_lazy("Item"))
    quantity = QuantityField(label=gettext_lazy("Quantity"))
    location = CodeField(label=gettext_lazy("Location"))
    supplier = forms.ModelChoiceField(
        label=gettext_lazy("Supplier"),
        queryset=Supplier.objects.filter(is_active=True),
        required=False,
    )
    supplier_lot_code = forms.CharField(
        label=gettext_lazy("Supplier lot code"), max_length=60, required=False
    )
    lot_code = CodeField(
        label=gettext_lazy("Lot code"),
        required=False,
        help_text=gettext_lazy("Leave empty to generate one."),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expiry"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty to use the item's shelf life."),
    )
    purchase_plan_line = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_item(self) -> Item:
        return find_item(self.cleaned_data["item"].strip())

    def clean_location(self) -> Location:
        return find_location(self.cleaned_data["location"].strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "item" in data and "quantity" in data:
            data["quantity"] = _quantity(self, data["quantity"], data["item"])
        return data


class MoveForm(forms.Form):
    stock = CodeField(
        label=gettext_lazy("Lot or item"),
        help_text=gettext_lazy("Scan the lot label, or an item kept without lots."),
    )
    quantity = QuantityField(label=gettext_lazy("Quantity"))
    from_location = CodeField(
        label=gettext_lazy("From location"),
        required=False,
        help_text=gettext_lazy("Leave empty when the stock is in one place only."),
    )
    to_location = CodeField(label=gettext_lazy("To location"))

    def clean_stock(self) -> tuple[Item, Lot | None]:
        return find_stock(self.cleaned_data["stock"].strip())

    def clean_from_location(self) -> Location | None:
        code = self.cleaned_data["from_location"].strip()
        return find_location(code) if code else None

    def clean_to_location(self) -> Location:
        return find_location(self.cleaned_data["to_location"].strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "stock" in data and "quantity" in data:
            data["quantity"] = _quantity(self, data["quantity"], data["stock"][0])
        if "stock" in data and "from_location" in data and not data["from_location"]:
            data["from_location"] = self._only_location(*data["stock"])
        return data

    def _only_location(self, item: Item, lot: Lot | None) -> Location | None:
        places = list(
            StockBalance.objects.filter(item=item, lot=lot, quantity__gt=0).values_list(
                "location", flat=True
            )[:2]
        )
        if len(places) == 1:
            return Location.objects.get(pk=places[0])
        message = (
            _("There is no stock of %(what)s.")
            if not places
            else _("%(what)s is in several locations: scan the one to take it from.")
        )
        self.add_error(
            "from_location", message % {"what": lot.code if lot else item.code}
        )
        return None


class IssueForm(forms.Form):
    stock = CodeField(
        label=gettext_lazy("Lot or item"),
        help_text=gettext_lazy("Scan the lot label, or an item kept without lots."),
    )
    quantity = QuantityField(label=gettext_lazy("Quantity"))
    reference = CodeField(
        label=gettext_lazy("Order"),
        help_text=gettext_lazy("The work order (and operation) the stock is for."),
    )
    to_location = CodeField(
        label=gettext_lazy("To line-side location"),
        required=False,
        help_text=gettext_lazy("Leave empty to issue the stock out to the order."),
    )
    from_location = CodeField(
        label=gettext_lazy("From location"),
        required=False,
        help_text=gettext_lazy("Leave empty to take it from storage in order."),
    )

    def clean_stock(self) -> tuple[Item, Lot | None]:
        return find_stock(self.cleaned_data["stock"].strip())

    def clean_to_location(self) -> Location | None:
        code = self.cleaned_data["to_location"].strip()
        return find_location(code) if code else None

    def clean_from_location(self) -> Location | None:
        code = self.cleaned_data["from_location"].strip()
        return find_location(code) if code else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "stock" in data and "quantity" in data:
            data["quantity"] = _quantity(self, data["quantity"], data["stock"][0])
        return data


class ScrapForm(forms.Form):
    stock = CodeField(
        label=gettext_lazy("Lot or item"),
        help_text=gettext_lazy("Scan the lot label, or an item kept without lots."),
    )
    quantity = QuantityField(label=gettext_lazy("Quantity"))
    location = CodeField(label=gettext_lazy("Location"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)

    def clean_stock(self) -> tuple[Item, Lot | None]:
        return find_stock(self.cleaned_data["stock"].strip())

    def clean_location(self) -> Location:
        return find_location(self.cleaned_data["location"].strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "stock" in data and "quantity" in data:
            data["quantity"] = _quantity(self, data["quantity"], data["stock"][0])
        return data


class ProposalForm(forms.Form):
    """Which lots to take: an item, a quantity and first-expiry or first-in."""

    STRATEGIES = [
        ("fefo", gettext_lazy("First expiry, first out")),
        ("fifo", gettext_lazy("First in, first out")),
    ]

    item = CodeField(label=gettext_lazy("Item"))
    quantity = QuantityField(label=gettext_lazy("Quantity"))
    strategy = forms.ChoiceField(
        label=gettext_lazy("Order"), choices=STRATEGIES, initial="fefo"
    )

    def clean_item(self) -> Item:
        return find_item(self.cleaned_data["item"].strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "item" in data and "quantity" in data:
            data["quantity"] = _quantity(self, data["quantity"], data["item"])
        return data


class LotSearchForm(forms.Form):
    code = CodeField(label=gettext_lazy("Lot code"))

    def clean_code(self) -> Lot:
        return find_lot(self.cleaned_data["code"])


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=500, widget=forms.Textarea
    )


class PurchasePlanLineForm(forms.Form):
    item = CodeField(label=gettext_lazy("Item"))
    quantity = QuantityField(label=gettext_lazy("Quantity"))
    needed_by = forms.DateField(
        label=gettext_lazy("Needed by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    supplier = forms.ModelChoiceField(
        label=gettext_lazy("Supplier"),
        queryset=Supplier.objects.filter(is_active=True),
        required=False,
        help_text=gettext_lazy("Leave empty for the item's preferred supplier."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def clean_item(self) -> Item:
        return find_item(self.cleaned_data["item"].strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "item" in data and "quantity" in data:
            data["quantity"] = _quantity(self, data["quantity"], data["item"])
        return data


class StockCountStartForm(forms.Form):
    location = CodeField(label=gettext_lazy("Location"), required=False)
    items = forms.CharField(
        label=gettext_lazy("Items"),
        required=False,
        help_text=gettext_lazy("Item codes separated by commas or spaces."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def clean_location(self) -> Location | None:
        code = self.cleaned_data["location"].strip()
        return find_location(code) if code else None

    def clean_items(self) -> list[Item]:
        codes = self.cleaned_data["items"].replace(",", " ").split()
        return [find_item(code) for code in codes]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not data.get("location") and not data.get("items"):
            raise forms.ValidationError(_("Choose a location or some items to count."))
        return data


class StockCountEntryForm(forms.Form):
    stock = CodeField(
        label=gettext_lazy("Lot or item"),
        help_text=gettext_lazy("Scan the lot label, or an item kept without lots."),
    )
    location = CodeField(label=gettext_lazy("Location"))
    quantity = QuantityField(label=gettext_lazy("Counted quantity"))

    def clean_stock(self) -> tuple[Item, Lot | None]:
        return find_stock(self.cleaned_data["stock"].strip())

    def clean_location(self) -> Location:
        return find_location(self.cleaned_data["location"].strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "stock" in data and "quantity" in data:
            data["quantity"] = _quantity(
                self, data["quantity"], data["stock"][0], allow_zero=True
            )
        return data
