from django.urls import path

from . import views, views_goals, views_reports

app_name = "analytics"
urlpatterns = [
    path("analytics/", views.dashboard, name="dashboard"),
    path("analytics/me/", views.me, name="me"),
    path("analytics/export/<slug:table>.csv", views.export, name="export"),
    path("analytics/export/<slug:table>.xlsx", views.export_xlsx, name="export_xlsx"),
    path("analytics/me/export/<slug:table>.csv", views.me_export, name="me_export"),
    path("analytics/me/export/<slug:table>.xlsx", views.me_export_xlsx, name="me_export_xlsx"),
    path("analytics/goals/", views_goals.goals, name="goals"),
    path("analytics/goals/new/", views_goals.goal_new, name="goal_new"),
    path("analytics/goals/<int:pk>/", views_goals.goal_edit, name="goal_edit"),
    path("analytics/goals/<int:pk>/archive/", views_goals.goal_archive, name="goal_archive"),
    path("analytics/settings/", views_goals.kpi_settings, name="kpi_settings"),
    path("analytics/reports/", views_reports.reports, name="reports"),
    path("analytics/reports/schedules/", views_reports.schedules, name="report_schedules"),
    path(
        "analytics/reports/schedules/<slug:kind>/",
        views_reports.schedule_edit,
        name="report_schedule",
    ),
    path("analytics/reports/<slug:kind>/", views_reports.report, name="report"),
    path("analytics/reports/<slug:kind>/pdf/", views_reports.report_pdf, name="report_pdf"),
    path("analytics/reports/<slug:kind>/xlsx/", views_reports.report_xlsx, name="report_xlsx"),
    path("analytics/reports/<slug:kind>/csv/", views_reports.report_csv, name="report_csv"),
]
