from django.urls import path

from . import views, views_goals

app_name = "analytics"
urlpatterns = [
    path("analytics/", views.dashboard, name="dashboard"),
    path("analytics/me/", views.me, name="me"),
    path("analytics/export/<slug:table>.csv", views.export, name="export"),
    path("analytics/me/export/<slug:table>.csv", views.me_export, name="me_export"),
    path("analytics/goals/", views_goals.goals, name="goals"),
    path("analytics/goals/new/", views_goals.goal_new, name="goal_new"),
    path("analytics/goals/<int:pk>/", views_goals.goal_edit, name="goal_edit"),
    path("analytics/goals/<int:pk>/archive/", views_goals.goal_archive, name="goal_archive"),
    path("analytics/settings/", views_goals.kpi_settings, name="kpi_settings"),
]
