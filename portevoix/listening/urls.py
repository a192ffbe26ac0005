from django.urls import path

from . import views, views_curation, views_vigilance, views_voice

app_name = "listening"
urlpatterns = [
    path("listening/", views.inbox, name="inbox"),
    path("listening/mentions/<int:pk>/status/", views.mention_status, name="mention_status"),
    path(
        "listening/mentions/<int:pk>/assign/", views_vigilance.mention_assign, name="mention_assign"
    ),
    path("listening/alerts/", views_vigilance.alerts, name="alerts"),
    path("listening/alerts/settings/", views_vigilance.alert_settings, name="alert_settings"),
    path("listening/summary/", views_vigilance.summary, name="summary"),
    path("listening/monitors/", views.monitors, name="monitors"),
    path("listening/monitors/<int:pk>/", views.monitor_edit, name="monitor"),
    path("listening/feeds/", views.feeds, name="feeds"),
    path("listening/feeds/<int:pk>/", views.feed_edit, name="feed"),
    path("listening/reddit/", views.reddit_settings, name="reddit"),
    path("listening/reddit/remove/", views.reddit_remove, name="reddit_remove"),
    path("listening/curation/", views_curation.proposals, name="curation"),
    path(
        "listening/curation/<int:pk>/accept/",
        views_curation.proposal_accept,
        name="proposal_accept",
    ),
    path(
        "listening/curation/<int:pk>/dismiss/",
        views_curation.proposal_dismiss,
        name="proposal_dismiss",
    ),
    path("listening/voice/", views_voice.voice, name="voice"),
    path("listening/benchmarks/", views_voice.benchmarks, name="benchmarks"),
    path("listening/benchmarks/<int:pk>/", views_voice.benchmark_edit, name="benchmark"),
    path(
        "listening/benchmarks/<int:pk>/delete/",
        views_voice.benchmark_delete,
        name="benchmark_delete",
    ),
]
