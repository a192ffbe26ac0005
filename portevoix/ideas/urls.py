from django.urls import path

from . import views

app_name = "ideas"
urlpatterns = [
    path("ideas/", views.idea_list, name="list"),
    path("ideas/new/", views.idea_new, name="new"),
    path("ideas/<int:pk>/", views.idea_detail, name="idea"),
    path("ideas/<int:pk>/vote/", views.idea_vote, name="vote"),
    path("ideas/<int:pk>/comment/", views.idea_comment, name="comment"),
    path("ideas/<int:pk>/accept/", views.idea_accept, name="accept"),
    path("ideas/<int:pk>/decline/", views.idea_decline, name="decline"),
    path("ideas/<int:pk>/merge/", views.idea_merge, name="merge"),
]
