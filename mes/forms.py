from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from mes import lockout


class LockoutAuthenticationForm(AuthenticationForm):
    """The login form, refusing locked user names and addresses."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed logins. This account or terminal is locked for "
            "%(minutes)s minutes; ask a supervisor if you need in sooner."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = _client_address(self.request)
        if lockout.is_locked(username, address):
            raise self._locked_error()
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            lockout.record_failure(username, address)
            if lockout.is_locked(username, address):
                raise self._locked_error() from None
            raise
        lockout.clear_failures(username)
        return cleaned

    def _locked_error(self) -> forms.ValidationError:
        return forms.ValidationError(
            self.error_messages["locked"],
            code="locked",
            params={"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
        )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


def _client_address(request: Any) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")
