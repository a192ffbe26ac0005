"""Web pages of training: who sees what (200/403), isolation (404), and the main flows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from portevoix.accounts.roles import Role
from portevoix.training import services
from portevoix.training.models import (
    Course,
    Enrollment,
    Event,
    Lesson,
    Question,
    QuizAttempt,
    Registration,
)
from tests import factories
from tests.training.conftest import answers, first_choice, first_lesson, make_course, make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(org):
    return factories.make_member(org, email="coach@acme.test")


@pytest.fixture
def objects(admin, course, coach, member):
    lesson = course.lessons.order_by("position").first()
    question = course.questions.order_by("position").first()
    event = make_event(admin, coach=coach)
    certificate = services.quiz_submit(
        membership=member, course=course, answers=answers(course)
    ).certificate
    assert certificate is not None
    return {
        "pk": course.pk,
        "lesson_pk": lesson.pk,
        "question_pk": question.pk,
        "event": event.pk,
        "public_id": certificate.public_id,
    }


def url(name, objects):
    args = {
        "course": [objects["pk"]],
        "lesson": [objects["pk"], objects["lesson_pk"]],
        "quiz": [objects["pk"]],
        "manage_course": [objects["pk"]],
        "course_publish": [objects["pk"]],
        "course_unpublish": [objects["pk"]],
        "lesson_new": [objects["pk"]],
        "lesson_edit": [objects["pk"], objects["lesson_pk"]],
        "lesson_delete": [objects["pk"], objects["lesson_pk"]],
        "question_new": [objects["pk"]],
        "question_edit": [objects["pk"], objects["question_pk"]],
        "question_delete": [objects["pk"], objects["question_pk"]],
        "report_course": [objects["pk"]],
        "report_csv": [objects["pk"]],
        "event": [objects["event"]],
        "event_edit": [objects["event"]],
        "event_register": [objects["event"]],
        "event_cancel": [objects["event"]],
        "event_attendance": [objects["event"]],
        "event_calendar": [objects["event"]],
        "certificate_print": [objects["public_id"]],
        "certificate_revoke": [objects["public_id"]],
    }.get(name, [])
    return reverse(f"training:{name}", args=args)


MEMBER_PAGES = ["index", "course", "lesson", "quiz", "events", "event", "event_calendar"]
MANAGE_PAGES = [
    "manage",
    "course_new",
    "manage_course",
    "lesson_new",
    "lesson_edit",
    "lesson_delete",
    "question_new",
    "question_edit",
    "question_delete",
]
REPORT_PAGES = ["report", "report_course", "report_csv"]
EVENT_MANAGE_PAGES = ["event_new", "event_edit"]
ID_URLS = [
    "course",
    "lesson",
    "quiz",
    "manage_course",
    "course_publish",
    "course_unpublish",
    "lesson_new",
    "lesson_edit",
    "lesson_delete",
    "question_new",
    "question_edit",
    "question_delete",
    "report_course",
    "report_csv",
    "event",
    "event_edit",
    "event_register",
    "event_cancel",
    "event_attendance",
    "event_calendar",
    "certificate_print",
    "certificate_revoke",
]
POST_ONLY = {"course_publish", "course_unpublish", "event_register", "event_cancel"}
# Read-only pages answer 405 to a POST before looking anything up: nothing leaks either.
GET_ONLY = {"course", "report_course", "report_csv", "event", "event_calendar", "certificate_print"}


def _who(org, role):
    if role == "ambassador":
        return factories.make_member(org, ambassador=True)
    return factories.make_member(org, *([role] if role else []))


ROLES = [
    None,
    "ambassador",
    Role.ADMIN,
    Role.CONTENT_MANAGER,
    Role.COMMUNITY_MANAGER,
    Role.ANALYST,
    Role.APPROVER,
    Role.EXECUTIVE,
]
CAN_MANAGE = {Role.ADMIN, Role.CONTENT_MANAGER}
CAN_REPORT = {Role.ADMIN, Role.COMMUNITY_MANAGER, Role.ANALYST}
CAN_EVENTS = {Role.ADMIN, Role.COMMUNITY_MANAGER}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "no-role")
def test_pages_by_role(client, org, objects, role):
    client.force_login(_who(org, role).user)
    expectations = [
        *((name, 200) for name in MEMBER_PAGES),
        *((name, 200 if role in CAN_MANAGE else 403) for name in MANAGE_PAGES),
        *((name, 200 if role in CAN_REPORT else 403) for name in REPORT_PAGES),
        *((name, 200 if role in CAN_EVENTS else 403) for name in EVENT_MANAGE_PAGES),
        ("event_attendance", 403),  # the coach only
        ("certificate_print", 404),  # the holder only
        ("certificate_revoke", 200 if role in CAN_MANAGE else 403),
    ]
    for name, expected in expectations:
        response = client.get(url(name, objects))
        assert response.status_code == expected, (name, response.status_code)


def test_anonymous_is_sent_to_login(client, objects):
    for name in [*MEMBER_PAGES, *MANAGE_PAGES, *REPORT_PAGES, *EVENT_MANAGE_PAGES, *ID_URLS]:
        response = client.get(url(name, objects))
        if name in POST_ONLY:
            response = client.post(url(name, objects))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("accounts:login")), name


@pytest.mark.parametrize("name", ID_URLS)
def test_outsider_gets_404_on_every_id_url(client, objects, outsider, name):
    client.force_login(outsider.user)
    target = url(name, objects)
    if name not in POST_ONLY:
        assert client.get(target).status_code == 404
    expected = 405 if name in GET_ONLY else 404
    assert client.post(target, {"reason": "x", "title": "x"}).status_code == expected


def test_outsider_cannot_change_anything(client, objects, outsider):
    client.force_login(outsider.user)
    before = (
        Course.objects.filter(published=True).count(),
        Lesson.objects.count(),
        Question.objects.count(),
        Registration.objects.count(),
        QuizAttempt.objects.count(),
    )
    for name in ID_URLS:
        client.post(url(name, objects), {"title": "Piraté", "reason": "x"})
    after = (
        Course.objects.filter(published=True).count(),
        Lesson.objects.count(),
        Question.objects.count(),
        Registration.objects.count(),
        QuizAttempt.objects.count(),
    )
    assert before == after


# --- Taking a course on the web


def test_reading_lessons_then_passing_the_quiz(client, ambassador, course):
    client.force_login(ambassador.user)
    first, second = list(course.lessons.order_by("position"))
    response = client.post(reverse("training:lesson", args=[course.pk, first.pk]))
    assert response.url == reverse("training:lesson", args=[course.pk, second.pk])
    response = client.post(reverse("training:lesson", args=[course.pk, second.pk]))
    assert response.url == reverse("training:quiz", args=[course.pk])
    assert Enrollment.objects.get(membership=ambassador).completions.count() == 2
    page = client.get(reverse("training:course", args=[course.pk])).content.decode()
    assert "2 of 2 lessons read" in page

    quiz = client.get(reverse("training:quiz", args=[course.pk]))
    assert quiz.status_code == 200
    data = {}
    for answer in answers(course):
        question = Question.objects.get(pk=answer.question_id)
        key = f"q_{question.pk}"
        ids = [str(i) for i in answer.choice_ids]
        data[key] = ids if question.kind == "multiple" else ids[0]
    response = client.post(reverse("training:quiz", args=[course.pk]), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "100%" in text and "Your certificate is issued" in text
    assert "Les clics et le réseau" in text  # explanations are shown after submitting
    assert QuizAttempt.objects.get(membership=ambassador).passed


def test_failed_quiz_shows_explanations_and_offers_a_retry(client, member, course):
    client.force_login(member.user)
    response = client.post(reverse("training:quiz", args=[course.pk]), {})
    assert response.status_code == 200
    text = response.content.decode()
    assert "0%" in text and "Try again" in text and "On s&#x27;inscrit" in text


def test_unknown_choices_are_a_400_not_a_500(client, member, course, admin):
    client.force_login(member.user)
    question = course.questions.order_by("position").first()
    other = make_course(admin, title="Autre")
    foreign_choice = first_choice(other).pk
    for value in [str(foreign_choice), "abc", "99999999999999999999999"]:
        response = client.post(
            reverse("training:quiz", args=[course.pk]), {f"q_{question.pk}": value}
        )
        assert response.status_code == 400, value
    assert not QuizAttempt.objects.exists()


def test_drafts_are_hidden_from_members_and_previewed_by_managers(client, admin, member):
    draft = make_course(admin, title="Brouillon", publish=False)
    client.force_login(member.user)
    assert client.get(reverse("training:course", args=[draft.pk])).status_code == 404
    assert "Brouillon" not in client.get(reverse("training:index")).content.decode()
    client.force_login(admin.user)
    page = client.get(reverse("training:course", args=[draft.pk]))
    assert page.status_code == 200 and "Draft (preview)" in page.content.decode()


def test_index_shows_what_sharing_requires(client, admin, ambassador):
    make_course(admin, title="Charte obligatoire", required_for="share")
    client.force_login(ambassador.user)
    text = client.get(reverse("training:index")).content.decode()
    assert "Before you share, pass:" in text and "Charte obligatoire" in text


# --- Authoring on the web


def test_authoring_a_course_end_to_end(client, manager):
    client.force_login(manager.user)
    response = client.post(
        reverse("training:course_new"),
        {"title": "Nouveau cours", "language": "fr", "passing_score": "75", "required_for": ""},
    )
    course = Course.objects.get(title="Nouveau cours")
    assert response.url == reverse("training:manage_course", args=[course.pk])
    publish = reverse("training:course_publish", args=[course.pk])
    client.post(publish)
    course.refresh_from_db()
    assert not course.published  # no lesson, no question yet

    client.post(
        reverse("training:lesson_new", args=[course.pk]),
        {"title": "Leçon", "body": "![Capture](https://img.example.com/x.png)"},
    )
    lesson = course.lessons.get()
    assert 'src="https://img.example.com/x.png"' in lesson.body_html
    bad = client.post(
        reverse("training:question_new", args=[course.pk]),
        {
            "prompt": "?",
            "kind": "single",
            "choice_1": "A",
            "correct_1": "on",
            "choice_2": "B",
            "correct_2": "on",
        },
    )
    assert bad.status_code == 400
    assert "exactly one correct answer" in bad.content.decode()
    client.post(
        reverse("training:question_new", args=[course.pk]),
        {
            "prompt": "Volontaire ?",
            "kind": "single",
            "choice_1": "Oui",
            "correct_1": "on",
            "choice_2": "Non",
            "explanation": "Toujours.",
            "lesson": str(lesson.pk),
        },
    )
    question = course.questions.get()
    assert [(c.text, c.correct) for c in question.choices.all()] == [("Oui", True), ("Non", False)]
    assert question.lesson == lesson
    client.post(publish)
    course.refresh_from_db()
    assert course.published

    edit = client.get(reverse("training:question_edit", args=[course.pk, question.pk]))
    assert 'value="Oui"' in edit.content.decode()
    client.post(
        reverse("training:course_unpublish", args=[course.pk]),
    )
    course.refresh_from_db()
    assert not course.published
    client.post(reverse("training:question_delete", args=[course.pk, question.pk]))
    assert not course.questions.exists()


def test_course_form_errors_are_shown(client, admin):
    client.force_login(admin.user)
    response = client.post(
        reverse("training:course_new"), {"title": "", "language": "de", "passing_score": "500"}
    )
    assert response.status_code == 400
    assert not Course.objects.exists()


# --- Events on the web


def test_registering_and_cancelling_on_the_web(client, admin, org, committed):
    event = make_event(admin, capacity=1)
    first, second = factories.make_member(org), factories.make_member(org)
    client.force_login(first.user)
    with committed():
        client.post(reverse("training:event_register", args=[event.pk]))
    client.force_login(second.user)
    client.post(reverse("training:event_register", args=[event.pk]))
    page = client.get(reverse("training:event", args=[event.pk])).content.decode()
    assert "Waiting list: no. 1" in page
    client.force_login(first.user)
    with committed():
        client.post(reverse("training:event_cancel", args=[event.pk]))
    statuses = dict(Registration.objects.values_list("membership_id", "status"))
    assert statuses == {first.pk: "cancelled", second.pk: "registered"}
    assert {m.to[0] for m in mail.outbox} == {first.user.email, second.user.email}


def test_creating_an_event_on_the_web(client, org, admin):
    community = factories.make_member(org, Role.COMMUNITY_MANAGER)
    client.force_login(community.user)
    response = client.post(
        reverse("training:event_new"),
        {
            "title": "Social media week",
            "kind": "social_media_week",
            "starts_at": "2031-05-12T09:00",
            "ends_at": "2031-05-12T11:00",
            "place": "Lyon",
            "capacity": "12",
            "coach": str(admin.pk),
        },
    )
    event = Event.objects.get()
    assert response.url == reverse("training:event", args=[event.pk])
    assert (event.capacity, event.coach, event.kind) == (12, admin, "social_media_week")
    assert event.starts_at.astimezone(dt.UTC).hour == 7  # Paris time, stored in UTC
    response = client.post(
        reverse("training:event_new"),
        {
            "title": "x",
            "kind": "event",
            "starts_at": "2031-05-12T09:00",
            "ends_at": "2031-05-12T08:00",
            "capacity": "1",
            "place": "Lyon",
        },
    )
    assert response.status_code == 400


def test_the_coach_marks_attendance(client, org, admin, coach):
    event = make_event(admin, capacity=3, coach=coach)
    people = [factories.make_member(org) for _i in range(2)]
    regs = [services.registration_create(membership=m, event=event) for m in people]
    page = reverse("training:event_attendance", args=[event.pk])
    client.force_login(coach.user)
    assert "once the session has started" in client.get(page).content.decode()
    Event.objects.filter(pk=event.pk).update(
        starts_at=event.starts_at - dt.timedelta(days=5),
        ends_at=event.ends_at - dt.timedelta(days=5),
    )
    response = client.post(page, {"attended": [str(regs[1].pk)]})
    assert response.status_code == 302
    assert dict(Registration.objects.values_list("pk", "attended")) == {
        regs[0].pk: False,
        regs[1].pk: True,
    }
    assert client.post(page, {"attended": ["999999"]}).status_code == 400
    for other in (admin, people[0]):
        client.force_login(other.user)
        assert client.post(page, {"attended": [str(regs[0].pk)]}).status_code == 403
    assert Registration.objects.get(pk=regs[0].pk).attended is False


def test_calendar_download(client, admin, member):
    event = make_event(admin)
    client.force_login(member.user)
    response = client.get(reverse("training:event_calendar", args=[event.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert response.content.decode().startswith("BEGIN:VCALENDAR\r\n")


# --- List pages make a constant number of queries


def _queries(client, target):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(target).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_do_not_grow_with_their_rows(client, admin, org, member):
    client.force_login(member.user)
    first = make_course(admin, title="Un")
    services.quiz_submit(membership=member, course=first, answers=answers(first))
    make_event(admin)
    pages = [reverse(n) for n in ("training:index", "training:events")]
    before = [_queries(client, page) for page in pages]
    for n in range(3):
        course = make_course(admin, title=f"Cours {n}")
        services.lesson_complete(membership=member, lesson=first_lesson(course))
        services.quiz_submit(membership=member, course=course, answers=answers(course))
        event = make_event(admin, coach=factories.make_member(org))
        services.registration_create(membership=member, event=event)
    assert [_queries(client, page) for page in pages] == before
    client.force_login(admin.user)
    manage = reverse("training:manage")
    count = _queries(client, manage)
    make_course(admin, title="Encore un")
    assert _queries(client, manage) == count
