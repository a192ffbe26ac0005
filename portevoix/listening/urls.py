from django.urls import path

from . import views, views_voice

app_name = "listening"
urlpatterns = [
    path("listening/", views.inbox, name="inbox"),
    path("listening/mentions/<int:pk>/status/", views.mention_status, name="mention_status"),
    path("listening/monitors/", views.monitors, name="monitors"),
    path("listening/monitors/<int:pk>/", views.monitor_edit, name="monitor"),
    path("listening/feeds/", views.feeds, name="feeds"),
    path("listening/feeds/<int:pk>/", views.feed_edit, name="feed"),
    path("listening/voice/", views_voice.voice, name="voice"),
    path("listening/benchmarks/", views_voice.benchmarks, name="benchmarks"),
    path("listening/benchmarks/<int:pk>/", views_voice.benchmark_edit, name="benchmark"),
    path(
        "listening/benchmarks/<int:pk>/delete/",
        views_voice.benchmark_delete,
        name="benchmark_delete",
    ),
]
