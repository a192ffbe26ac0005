"""Every write of the training app: course authoring (`authoring`), taking courses and
certificates (`learning`), coaching sessions and events (`events`, `event_emails`).
Functions are keyword-only, typed, atomic, and check permissions themselves."""

from .authoring import (
    ChoiceData,
    CourseData,
    LessonData,
    QuestionData,
    course_create,
    course_publish,
    course_unpublish,
    course_update,
    lesson_create,
    lesson_delete,
    lesson_update,
    question_create,
    question_delete,
    question_update,
)
from .event_emails import calendar_text, event_reminders_send, registration_email_send
from .events import (
    EventData,
    attendance_mark,
    event_create,
    event_update,
    registration_cancel,
    registration_create,
)
from .learning import AnswerData, AttemptResult, certificate_revoke, lesson_complete, quiz_submit

__all__ = [
    "AnswerData",
    "AttemptResult",
    "ChoiceData",
    "CourseData",
    "EventData",
    "LessonData",
    "QuestionData",
    "attendance_mark",
    "calendar_text",
    "certificate_revoke",
    "course_create",
    "course_publish",
    "course_unpublish",
    "course_update",
    "event_create",
    "event_reminders_send",
    "event_update",
    "lesson_complete",
    "lesson_create",
    "lesson_delete",
    "lesson_update",
    "question_create",
    "question_delete",
    "question_update",
    "quiz_submit",
    "registration_cancel",
    "registration_create",
    "registration_email_send",
]
