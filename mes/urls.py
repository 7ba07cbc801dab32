from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mes import views

mes_patterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set-language"),
    path("health/", views.health, name="health"),
]

urlpatterns = [
    path("", include((mes_patterns, "mes"))),
    path("planning/", include("planning.urls")),
    path("dispatch/", include("dispatch.urls")),
    path("equipment/", include("equipment.urls")),
    path("quality/", include("quality.urls")),
    path("materials/", include("materials.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
