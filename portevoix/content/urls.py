from django.urls import path

from . import views
from .views import approvals as approvals_views

app_name = "content"
urlpatterns = [
    path("feed/", views.feed, name="feed"),
    path("library/", views.library, name="library"),
    path("approvals/", approvals_views.approvals, name="approvals"),
    *(
        path(
            f"approvals/<int:pk>/{action.replace('_', '-')}/",
            approvals_views.approvals_action,
            {"action": action},
            name=f"approvals_{action}",
        )
        for action in approvals_views.QUEUE_ACTIONS
    ),
    path("library/new/", views.item_new, name="item_new"),
    path("library/bulk/", views.library_bulk, name="library_bulk"),
    path("library/import/", views.library_import, name="library_import"),
    path("library/import/sample.csv", views.library_import_sample, name="library_import_sample"),
    path("library/<int:pk>/duplicate/", views.item_duplicate, name="item_duplicate"),
    path(
        "library/<int:pk>/new-from-template/", views.item_from_template, name="item_from_template"
    ),
    path("library/topics/", views.topics, name="topics"),
    path("library/campaigns/", views.campaigns, name="campaigns"),
    path("library/<int:pk>/", views.item_detail, name="item"),
    path("library/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("library/<int:pk>/images/", views.image_add, name="image_add"),
    path(
        "library/<int:pk>/preview/refresh/",
        views.item_preview_refresh,
        name="item_preview_refresh",
    ),
    path(
        "library/<int:pk>/images/<int:image_id>/remove/",
        views.image_remove,
        name="image_remove",
    ),
    *(
        path(
            f"library/<int:pk>/{action.replace('_', '-')}/",
            views.item_action,
            {"action": action},
            name=f"item_{action}",
        )
        for action in views.WORKFLOW_ACTIONS
    ),
]
