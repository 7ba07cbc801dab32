from django.urls import path

from materials import views

app_name = "materials"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/<int:pk>/", views.item_detail, name="item-detail"),
]
