"""Forms of dispatch: they turn input into typed values for the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dispatch.models import Goal, Method, PauseReason, ScrapReason
from dispatch.services import MAX_TIME_LIMIT


class RunForm(forms.Form):
    goal = forms.ChoiceField(
        label=_("Objective"), choices=Goal.choices, initial=Goal.MIX
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=Method.choices, initial=Method.SOLVER
    )
    time_limit = forms.IntegerField(
        label=_("Time limit (s)"), min_value=1, max_value=MAX_TIME_LIMIT, initial=30
    )


class LockForm(forms.Form):
    machine = forms.ModelChoiceField(label=_("Machine"), queryset=None)
    keep_start = forms.BooleanField(
        label=_("Also keep the planned start"), required=False, initial=True
    )

    def __init__(self, *args, machines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["machine"].queryset = machines


class PauseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why pause?"), choices=PauseReason.choices)


class ReportForm(forms.Form):
    good = forms.IntegerField(label=_("Good quantity"), min_value=0, initial=0)
    scrap = forms.IntegerField(label=_("Scrap quantity"), min_value=0, initial=0)
    scrap_reason = forms.ChoiceField(
        label=_("Scrap reason"),
        choices=[("", "—"), *ScrapReason.choices],
        required=False,
    )
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class SignOnForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    pin = forms.CharField(
        label=_("PIN"),
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric"}),
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
