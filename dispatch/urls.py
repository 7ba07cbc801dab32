from django.urls import path

from dispatch import views

app_name = "dispatch"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("terminal/", views.terminal, name="terminal"),
]
