from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from mes import health as health_checks
from mes.forms import LanguageForm, LockoutAuthenticationForm
from mes.middleware import forget_preferences
from mes.models import UserProfile
from mes.roles import home_url_name


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    url_name = home_url_name(request.user)
    if url_name is None:
        return render(request, "mes/no_role.html", status=403)
    return redirect(url_name)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if not form.is_valid():
        messages.error(request, _("That language is not available."))
        return redirect(next_url)

    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        UserProfile.objects.update_or_create(
            user=request.user, defaults={"language": language}
        )
        forget_preferences(request)
    translation.activate(language)
    response = redirect(next_url)
    response.set_cookie(
        "django_language", language, max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    states = health_checks.check_all()
    healthy = all(state == health_checks.OK for state in states.values())
    return JsonResponse(states, status=200 if healthy else 503)
