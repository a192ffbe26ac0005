from django.urls import path

from . import views

app_name = "rewards"
urlpatterns = [
    path("rewards/", views.catalogue, name="catalogue"),
    path("rewards/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("rewards/mine/", views.mine, name="mine"),
    path("rewards/mine/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("rewards/export/", views.export, name="export"),
    path("rewards/requests/", views.queue, name="queue"),
    path("rewards/requests/<int:pk>/<str:action>/", views.decide, name="decide"),
    path("rewards/manage/", views.manage, name="manage"),
    path("rewards/manage/new/", views.reward_new, name="reward_new"),
    path("rewards/manage/<int:pk>/", views.reward_edit, name="reward_edit"),
]
