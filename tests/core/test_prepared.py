"""The hot statements prepared once per connection on PostgreSQL (core/prepared.py, decision
0040): a signed-in page's session and user-with-membership reads are prepared on the
connection, and read the same as unprepared; nothing else is (the ORM's cursors bind on the
client); the setting turns it off; logged statements (the query counts) keep their text;
on SQLite the cursor is Django's own."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from portevoix.accounts import current
from portevoix.accounts.models import User
from portevoix.core import prepared

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


def _prepared_texts() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _run(sql: str, params: list) -> list:
    with prepared.cursor("default") as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_prepared_only_on_postgresql_and_only_when_the_setting_says(settings):
    assert prepared.enabled("default") is POSTGRES
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert prepared.enabled("default") is False
    assert _run("SELECT %s + 1", [41]) == [(42,)]


def test_a_signed_in_page_prepares_its_hot_statements(client, ambassador):
    client.force_login(ambassador.user)
    assert client.get("/feed/").status_code == 200
    if not POSTGRES:  # SQLite prepares nothing of ours: the same page, Django's cursors
        assert client.get("/feed/").status_code == 200
        return
    texts = _prepared_texts()
    assert any('FROM "django_session"' in text for text in texts)
    both = [text for text in texts if 'FROM "accounts_user"' in text]
    assert both and '"accounts_membership"' in both[0]
    assert any('"content_feedversion"' in text for text in texts)  # the feed's stamp
    # The ORM's own statements (its cursors bind on the client) never are.
    for _ in range(10):
        assert User.objects.filter(email=ambassador.user.email).exists()
    assert not any('"accounts_user"."email" =' in text for text in _prepared_texts())
    assert client.get("/feed/").status_code == 200  # runs them again, prepared


def test_prepared_reads_are_the_same_as_plain_ones(ambassador, settings):
    session = {"_auth_user_id": str(ambassador.user.pk)}
    session[current.ORGANIZATION_SESSION_KEY] = ambassador.organization_id

    def read():
        with current.reading(session):
            user = User.objects.get(pk=ambassador.user.pk)
            membership = current.membership_for(user, ambassador.organization_id)
        assert membership is not None
        return (
            {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields},
            {f.attname: getattr(membership, f.attname) for f in type(membership)._meta.fields},
            membership.organization.name,
            membership.ambassador.languages,
        )

    first = read()
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert read() == first


def test_the_setting_turns_it_off_and_logged_statements_keep_their_text(settings):
    if not POSTGRES:  # logged statements keep their text: SQLite's cursor is Django's
        with CaptureQueriesContext(connection) as queries:
            assert _run("SELECT %s + 2 AS prepared_logged", [1]) == [(3,)]
        assert "prepared_logged" in queries[0]["sql"]
        return
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert _run("SELECT %s::int + 1 AS prepared_off", [1]) == [(2,)]
    assert not any("prepared_off" in text for text in _prepared_texts())
    settings.DATABASE_PREPARED_STATEMENTS = True
    with CaptureQueriesContext(connection) as queries:
        assert _run("SELECT %s::int + 2 AS prepared_logged", [1]) == [(3,)]
    assert "prepared_logged" in queries[0]["sql"]
    assert not any("prepared_logged" in text for text in _prepared_texts())
    assert _run("SELECT %s::int + 3 AS prepared_on", [1]) == [(4,)]
    assert _run("SELECT %s::int + 3 AS prepared_on", [2]) == [(5,)]
    assert sum("prepared_on" in text for text in _prepared_texts()) == 1


def test_an_error_is_djangos_and_the_connection_goes_on():
    with pytest.raises(DatabaseError), transaction.atomic():
        _run("SELECT missing_column FROM django_session WHERE session_key = %s", ["x"])
    assert _run("SELECT %s + 0 AS prepared_after_error", [7]) == [(7,)]
