from django.urls import path

from . import views

app_name = "recognition"
urlpatterns = [
    path("recognition/", views.board, name="board"),
    path("recognition/export.csv", views.board_export, name="export"),
    path("recognition/me/", views.me, name="me"),
    path("recognition/me/visibility/", views.visibility, name="visibility"),
    path("recognition/rules/", views.rules, name="rules"),
    path("recognition/rules/recount/", views.recount, name="recount"),
]
