from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("surveys/", views.mine, name="mine"),
    path("surveys/<int:pk>/", views.answer, name="answer"),
    path("surveys/<int:pk>/thanks/", views.thanks, name="thanks"),
    path("surveys/manage/", views.manage, name="manage"),
    path("surveys/manage/new/", views.new, name="new"),
    path("surveys/manage/<int:pk>/edit/", views.edit, name="edit"),
    path("surveys/manage/<int:pk>/launch/", views.launch, name="launch"),
    path("surveys/manage/<int:pk>/close/", views.close, name="close"),
    path("surveys/manage/<int:pk>/results/", views.results, name="results"),
    path("surveys/manage/<int:pk>/export.csv", views.export, name="export"),
]
