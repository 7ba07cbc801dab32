from django.urls import path

from equipment import views

app_name = "equipment"

urlpatterns = [
    path("", views.home, name="home"),
    path("machines/<int:pk>/", views.machine_detail, name="machine-detail"),
]
