from django.urls import path

from . import fairplay_views, views, views_awards

app_name = "recognition"
urlpatterns = [
    path("recognition/", views.board, name="board"),
    path("recognition/export.csv", views.board_export, name="export"),
    path("recognition/me/", views.me, name="me"),
    path("recognition/me/visibility/", views.visibility, name="visibility"),
    path("recognition/rules/", views.rules, name="rules"),
    path("recognition/rules/recount/", views.recount, name="recount"),
    path("recognition/fair-play/", fairplay_views.fairplay, name="fairplay"),
    path(
        "recognition/fair-play/<int:flag_id>/review/",
        fairplay_views.flag_review,
        name="flag_review",
    ),
    path(
        "recognition/fair-play/settings/",
        fairplay_views.fairplay_settings,
        name="fairplay_settings",
    ),
    path("recognition/badges/", views_awards.badges, name="badges"),
    path("recognition/badges/new/", views_awards.badge_new, name="badge_new"),
    path("recognition/badges/<int:pk>/active/", views_awards.badge_active, name="badge_active"),
    path("recognition/challenges/", views_awards.challenges, name="challenges"),
    path("recognition/challenges/new/", views_awards.challenge_new, name="challenge_new"),
    path("recognition/challenges/<int:pk>/", views_awards.challenge, name="challenge"),
]
