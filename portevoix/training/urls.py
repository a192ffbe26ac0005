from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    # Taking courses
    path("training/", views.index, name="index"),
    path("training/courses/<int:pk>/", views.course_detail, name="course"),
    path(
        "training/courses/<int:pk>/lessons/<int:lesson_pk>/",
        views.lesson_detail,
        name="lesson",
    ),
    path("training/courses/<int:pk>/quiz/", views.quiz, name="quiz"),
    # Certificates: the verification pages are public (no login).
    path("certificates/", views.verify_form, name="certificate_lookup"),
    path("certificates/<str:public_id>/", views.verify, name="certificate_verify"),
    path(
        "training/certificates/<str:public_id>/print/",
        views.certificate_print,
        name="certificate_print",
    ),
    path(
        "training/certificates/<str:public_id>/revoke/",
        views.certificate_revoke,
        name="certificate_revoke",
    ),
    # Authoring
    path("training/manage/", views.manage_index, name="manage"),
    path("training/manage/courses/new/", views.course_new, name="course_new"),
    path("training/manage/courses/<int:pk>/", views.course_edit, name="manage_course"),
    path("training/manage/courses/<int:pk>/publish/", views.course_publish, name="course_publish"),
    path(
        "training/manage/courses/<int:pk>/unpublish/",
        views.course_unpublish,
        name="course_unpublish",
    ),
    path("training/manage/courses/<int:pk>/lessons/new/", views.lesson_new, name="lesson_new"),
    path(
        "training/manage/courses/<int:pk>/lessons/<int:lesson_pk>/",
        views.lesson_edit,
        name="lesson_edit",
    ),
    path(
        "training/manage/courses/<int:pk>/lessons/<int:lesson_pk>/delete/",
        views.lesson_delete,
        name="lesson_delete",
    ),
    path(
        "training/manage/courses/<int:pk>/questions/new/",
        views.question_new,
        name="question_new",
    ),
    path(
        "training/manage/courses/<int:pk>/questions/<int:question_pk>/",
        views.question_edit,
        name="question_edit",
    ),
    path(
        "training/manage/courses/<int:pk>/questions/<int:question_pk>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    # Completion reports
    path("training/reports/", views.report, name="report"),
    path("training/reports/<int:pk>/", views.report_course, name="report_course"),
    path("training/reports/<int:pk>/export.csv", views.report_csv, name="report_csv"),
    # Coaching sessions and events
    path("events/", views.events, name="events"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/register/", views.event_register, name="event_register"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<int:pk>/attendance/", views.event_attendance, name="event_attendance"),
    path("events/<int:pk>/calendar.ics", views.event_calendar, name="event_calendar"),
]
