"""Web pages of training: courses, authoring, certificates, reports, events."""

from .certificates import certificate_print, certificate_revoke, verify, verify_form
from .courses import course_detail, index, lesson_detail, quiz
from .events import (
    event_attendance,
    event_calendar,
    event_cancel,
    event_detail,
    event_edit,
    event_new,
    event_register,
    events,
)
from .manage import (
    course_edit,
    course_new,
    course_publish,
    course_unpublish,
    lesson_delete,
    lesson_edit,
    lesson_new,
    manage_index,
    question_delete,
    question_edit,
    question_new,
)
from .reports import report, report_course, report_csv

__all__ = [
    "certificate_print",
    "certificate_revoke",
    "course_detail",
    "course_edit",
    "course_new",
    "course_publish",
    "course_unpublish",
    "event_attendance",
    "event_calendar",
    "event_cancel",
    "event_detail",
    "event_edit",
    "event_new",
    "event_register",
    "events",
    "index",
    "lesson_delete",
    "lesson_detail",
    "lesson_edit",
    "lesson_new",
    "manage_index",
    "question_delete",
    "question_edit",
    "question_new",
    "quiz",
    "report",
    "report_course",
    "report_csv",
    "verify",
    "verify_form",
]
