from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    # The charter: every member reads and accepts it; admins write and publish versions.
    path("governance/charter/", views.charter, name="charter"),
    path("governance/charter/accept/", views.charter_accept, name="charter_accept"),
    path("governance/charter/versions/", views.charter_manage, name="charter_manage"),
    path("governance/charter/versions/new/", views.charter_new, name="charter_new"),
    path("governance/charter/versions/<int:pk>/", views.charter_edit, name="charter_edit"),
    path(
        "governance/charter/versions/<int:pk>/publish/",
        views.charter_publish,
        name="charter_publish",
    ),
    path(
        "governance/charter/versions/<int:pk>/delete/",
        views.charter_delete,
        name="charter_delete",
    ),
    path(
        "governance/charter/acknowledgements/",
        views.acknowledgements,
        name="acknowledgements",
    ),
    path(
        "governance/charter/acknowledgements.csv",
        views.acknowledgements_csv,
        name="acknowledgements_csv",
    ),
    # Guardrails.
    path("governance/guardrails/", views.rules, name="rules"),
    path("governance/guardrails/new/", views.rule_new, name="rule_new"),
    path("governance/guardrails/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("governance/guardrails/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("governance/check/", views.check, name="check"),
    path("governance/check/live/", views.check_live, name="check_live"),
    # Moderation.
    path("governance/moderation/", views.queue, name="queue"),
    path("governance/moderation/<int:pk>/", views.case_detail, name="case"),
    path(
        "governance/moderation/<int:pk>/<str:decision>/",
        views.case_decide,
        name="case_decide",
    ),
    path("governance/report/", views.report, name="report"),
    path("governance/report/thanks/", views.report_done, name="report_done"),
    # Audit log.
    path("governance/audit/", views.audit_log, name="audit"),
    path("governance/audit.csv", views.audit_csv, name="audit_csv"),
]
