"""The session store (core/sessions.py) reads a session as Django's does: the row of the
key while it has not expired, nothing for an expired, unknown or missing key; signing in
and out works through it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portevoix.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_settings_use_it():
    assert settings.SESSION_ENGINE == "portevoix.core.sessions"


def test_a_saved_session_reads_back():
    store = SessionStore()
    store["answer"] = 42
    store.save()
    again = SessionStore(session_key=store.session_key)
    assert again["answer"] == 42
    assert again.session_key == store.session_key


def test_an_expired_session_reads_as_empty_and_drops_its_key():
    store = SessionStore()
    store["answer"] = 42
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    again = SessionStore(session_key=store.session_key)
    assert again.get("answer") is None
    assert again.session_key is None


def test_an_unknown_or_missing_key_reads_as_empty():
    assert SessionStore(session_key="x" * 32).get("answer") is None
    assert SessionStore(session_key=None).get("answer") is None


def test_sign_in_and_out_through_the_store(member):
    client = Client()
    client.force_login(member.user)
    assert client.get(reverse("content:feed")).status_code == 200
    client.post(reverse("accounts:logout"))
    response = client.get(reverse("content:feed"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
